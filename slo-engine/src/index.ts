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
export { ENGINE_ERROR_CODES, EngineError, type EngineErrorCode } from './engine-error.ts';
export { engineConfigSchema, loadEngineConfig, loadSloSpecFile, parseEngineConfigText, type EngineConfig, type LoadedEngineConfig } from './config/engine-config.ts';
export { EngineConfigError, type EngineConfigErrorCode } from './config/engine-config-error.ts';
export type { EventSource, EventTargets, MinuteCount, ThresholdResult, TimeRange } from './events/event-source.ts';
export { SqliteEventSource, type SqliteEventSourceOptions } from './events/sqlite-event-source.ts';
export { ElasticsearchEventSource, type ElasticsearchEventSourceOptions } from './events/elasticsearch-event-source.ts';
export type { RollupStore } from './rollups/rollup-store.ts';
export { SqliteRollupStore } from './rollups/sqlite-rollup-store.ts';
export { ElasticsearchRollupStore } from './rollups/elasticsearch-rollup-store.ts';
export { WindowCounter, type ReconcileReport } from './rollups/window-counter.ts';
export type { Delivery, EngineStore, PersistedSlo, TransitionRecord } from './persistence/engine-store.ts';
export { SqliteEngineStore } from './persistence/sqlite-engine-store.ts';
export { ElasticsearchEngineStore, createEngineStoreIndices, engineStoreIndices, DEFAULT_ENGINE_STORE_INDEX_PREFIX } from './persistence/elasticsearch-engine-store.ts';
export type { SloNotification, Notifier, DeliveryOutcome } from './notify/notification.ts';
export { signWebhook, verifyWebhook } from './notify/standard-webhooks.ts';
export { evaluateSlo, type SloEvaluation } from './engine/evaluate-slo.ts';
export { decideSloStep, notificationId, type SloStep } from './engine/slo-step.ts';
export { SloEngine, type SloEngineOptions, type TickReport } from './engine/slo-engine.ts';
export type { SloView } from './engine/slo-view.ts';
