export { DURATION_PATTERN, parseDuration } from './spec/duration.ts';
export {
  DEFAULT_HOLD,
  DEFAULT_MIN_TRAFFIC,
  DEFAULT_STATE_THRESHOLDS,
  DEFAULT_WINDOW,
  sloSpecItemSchema,
  sloSpecSchema,
  type SloSpec,
  type SloSpecItem,
} from './spec/slo-spec.ts';
export { SloSpecError, type SloSpecErrorCode, type SloSpecProblem } from './spec/slo-spec-error.ts';
export { parseSloSpecText, resolveSloSpec, validateSloSpecText } from './spec/load-slo-spec.ts';
export type {
  AvailabilityIndicator,
  BudgetIndicator,
  BudgetSlo,
  Indicator,
  LatencyIndicator,
  Owners,
  Slo,
  SloFilter,
  StateThresholds,
  ThresholdIndicator,
  ThresholdMetric,
  ThresholdSlo,
} from './model/slo.ts';
export {
  budgetLevel,
  burnRate,
  countGoodTotal,
  countsFor,
  evaluateEvents,
  isAvailable,
  isFastEnough,
  isGood,
  percentile,
  thresholdLevel,
  thresholdSli,
  type Evaluation,
  type GoodTotal,
  type SliEvent,
} from './sli/level.ts';
export {
  STATUS_AUDIENCE,
  createStateMachine,
  initialState,
  nextState,
  type Audience,
  type Effect,
  type NotifyEffect,
  type SloState,
  type SloStatus,
  type StateEvaluation,
  type StateMachine,
  type StatePolicy,
  type Step,
} from './state/state-machine.ts';
export {
  BURN_RATE_REFERENCE_WINDOW_MS,
  BURN_RATE_TIERS_30D,
  burnRateTiers,
  burnRateWindows,
  decideBurnRateAlert,
  type BurnRateAlert,
  type BurnRateTier,
  type WindowBurn,
} from './state/burn-rate.ts';
