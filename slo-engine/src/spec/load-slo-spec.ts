import { parseYamlWithSchema } from '@lookout/config-file';
import type { Slo } from '../model/slo.ts';
import { parseDuration } from './duration.ts';
import { SloSpecError } from './slo-spec-error.ts';
import { sloSpecSchema, type SloSpec, type SloSpecItem } from './slo-spec.ts';

/**
 * Parses and validates SLO spec text (YAML or JSON) and resolves it into the model. `file`
 * names the source in errors. Throws {@link SloSpecError} listing every problem with its line,
 * path and expectation.
 *
 * @example
 * parseSloSpecText('slos:\n  - name: api\n    service: api\n    indicator: { type: availability }\n    objective: 0.999\n', 'slos.yaml');
 */
export function parseSloSpecText(text: string, file: string): Slo[] {
  return resolveSloSpec(validateSloSpecText(text, file));
}

/** Parses and validates SLO spec text, without resolving it. Throws {@link SloSpecError}. */
export function validateSloSpecText(text: string, file: string): SloSpec {
  const result = parseYamlWithSchema(text, sloSpecSchema);
  if (!result.ok) throw new SloSpecError(result.stage === 'yaml' ? 'SLO_SPEC_INVALID_YAML' : 'SLO_SPEC_INVALID', file, result.problems);
  return result.value;
}

/** The model of a validated spec: defaults applied, durations in ms. */
export function resolveSloSpec(spec: SloSpec): Slo[] {
  return spec.slos.map(resolveSlo);
}

function resolveSlo(item: SloSpecItem): Slo {
  const filter = {
    ...(item.service !== undefined && { service: item.service }),
    ...(item.host !== undefined && { host: item.host }),
    ...(item.pathPrefix !== undefined && { pathPrefix: item.pathPrefix }),
  };
  const common = {
    name: item.name,
    ...(item.description !== undefined && { description: item.description }),
    filter,
    states: { ...item.states },
    holdMs: ms(item.hold),
    owners: { sli: [...item.owners.sli], slo: [...item.owners.slo] },
    minTraffic: item.minTraffic,
  };
  const indicator = item.indicator;
  if (indicator.type === 'threshold') {
    const windowMs = ms(indicator.window);
    return { ...common, kind: 'threshold', indicator: { type: 'threshold', metric: indicator.metric, limit: indicator.limit, windowMs }, windowMs };
  }
  // The schema requires an objective for budget indicators.
  return { ...common, kind: 'budget', indicator: { ...indicator }, objective: item.objective ?? Number.NaN, windowMs: ms(item.window) };
}

function ms(text: string): number {
  const value = parseDuration(text);
  if (value === undefined) throw new TypeError(`not a duration: ${text}`);
  return value;
}
