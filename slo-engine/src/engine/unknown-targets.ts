import type { EventTargets } from '../events/event-source.ts';
import type { Slo } from '../model/slo.ts';

/** An SLO whose service or host no event carries. */
export interface UnknownTarget {
  readonly slo: string;
  readonly field: 'service' | 'host';
  readonly value: string;
}

/**
 * The SLOs naming a service (`service.target.name`) or host (`url.domain`) absent from
 * `targets`: a typo in the spec, or a service with no traffic yet. Such an SLO shows NODATA;
 * the engine says why (code SLO_UNKNOWN_SERVICE) instead of leaving an operator to guess.
 */
export function findUnknownTargets(slos: readonly Slo[], targets: EventTargets): UnknownTarget[] {
  const services = new Set(targets.services);
  const hosts = new Set(targets.hosts);
  const unknown: UnknownTarget[] = [];
  for (const slo of slos) {
    const { service, host } = slo.filter;
    if (service !== undefined && !services.has(service)) unknown.push({ slo: slo.name, field: 'service', value: service });
    if (host !== undefined && !hosts.has(host)) unknown.push({ slo: slo.name, field: 'host', value: host });
  }
  return unknown;
}
