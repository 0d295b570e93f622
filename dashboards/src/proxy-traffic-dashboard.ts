import { TERMINATIONS, TERMINATION_CODES, type EventOutcome } from '@lookout/telemetry';
import { and, equals, not, oneOf, range, type Condition } from './condition.ts';
import { panel, type DashboardSpec } from './panel.ts';

/** Health probes are proxy traffic but not users' (SLIs exclude them too). */
const NOT_PROBE: Condition<'requests'> = not(equals('lookout.probe', true));

/** Terminations that are not failures: the ones whose status is whoever answered (ok, local). */
const NON_FAILURE_TERMINATIONS = TERMINATION_CODES.filter((code) => TERMINATIONS[code].status === null);

const STATUS_CLASSES = [1, 2, 3, 4, 5].map((digit) => ({
  label: `${digit}xx`,
  where: range<'requests'>('http.response.status_code', digit * 100, digit * 100 + 100),
}));

const OUTCOMES: readonly EventOutcome[] = ['success', 'failure', 'unknown'];

const TIME = { kind: 'date_histogram' } as const;
const REQUESTS = { kind: 'count', label: 'Requests' } as const;
const BY_MEMBER = { kind: 'terms', field: 'lookout.upstream.member', size: 20, order: 'count', label: 'Upstream member' } as const;

/** "Proxy traffic": rate, latency, errors, URIs, bytes, upstream members, timing phases. */
export const PROXY_TRAFFIC_DASHBOARD: DashboardSpec = {
  key: 'proxy-traffic',
  title: 'Proxy traffic',
  description: 'Requests through the lookout proxy (health probes excluded): rate, latency, errors, URIs, bytes, upstream members and timing phases.',
  from: 'now-1h',
  refresh: '30s',
  panels: [
    panel({
      kind: 'aggregate', key: 'requests', title: 'Requests', description: 'Requests in the time range.',
      source: 'requests', where: NOT_PROBE, visual: 'metric', width: 12, height: 6,
      buckets: [], metrics: [REQUESTS],
    }),
    panel({
      kind: 'aggregate', key: 'failed-requests', title: 'Failed requests', description: 'Requests with event.outcome failure (5xx, or ended by the proxy).',
      source: 'requests', where: and(NOT_PROBE, equals('event.outcome', 'failure')), visual: 'metric', width: 12, height: 6,
      buckets: [], metrics: [{ kind: 'count', label: 'Failed requests' }],
    }),
    panel({
      kind: 'aggregate', key: 'latency-p99', title: 'Latency p99', description: '99th percentile of the request duration (arrival to last byte to the client).',
      source: 'requests', where: NOT_PROBE, visual: 'metric', width: 12, height: 6,
      buckets: [], metrics: [{ kind: 'percentile', field: 'event.duration', percent: 99, label: 'p99' }],
    }),
    panel({
      kind: 'aggregate', key: 'members-in-use', title: 'Upstream members in use', description: 'Distinct upstream members that served requests.',
      source: 'requests', where: NOT_PROBE, visual: 'metric', width: 12, height: 6,
      buckets: [], metrics: [{ kind: 'unique_count', field: 'lookout.upstream.member', label: 'Members' }],
    }),
    panel({
      kind: 'aggregate', key: 'request-rate', title: 'Request rate', description: 'Requests per second (Kibana) or per interval (Grafana).',
      source: 'requests', where: NOT_PROBE, visual: 'line', width: 24, height: 12,
      buckets: [TIME], metrics: [{ kind: 'count', label: 'Requests', perSecond: true }],
    }),
    panel({
      kind: 'aggregate', key: 'latency-percentiles', title: 'Latency p50 / p95 / p99', description: 'Percentiles of the request duration.',
      source: 'requests', where: NOT_PROBE, visual: 'line', width: 24, height: 12,
      buckets: [TIME],
      metrics: [50, 95, 99].map((percent) => ({ kind: 'percentile', field: 'event.duration', percent, label: `p${percent}` }) as const),
    }),
    panel({
      kind: 'aggregate', key: 'status-classes', title: 'Responses by status class', description: 'Status sent to the client, by class.',
      source: 'requests', where: NOT_PROBE, visual: 'bar_stacked', width: 24, height: 12,
      buckets: [{ kind: 'filters', label: 'Status class', filters: STATUS_CLASSES }, TIME], metrics: [REQUESTS],
    }),
    panel({
      kind: 'aggregate', key: 'terminations', title: 'Failures by termination code', description: `Why requests failed (termination codes other than ${NON_FAILURE_TERMINATIONS.join(', ')}).`,
      source: 'requests', where: and(NOT_PROBE, not(oneOf('lookout.termination', NON_FAILURE_TERMINATIONS))), visual: 'bar_stacked', width: 24, height: 12,
      buckets: [{ kind: 'terms', field: 'lookout.termination', size: 10, order: 'count', label: 'Termination' }, TIME], metrics: [REQUESTS],
    }),
    panel({
      kind: 'aggregate', key: 'top-uris', title: 'Top URIs', description: 'Busiest request paths with their p95 latency and response size.',
      source: 'requests', where: NOT_PROBE, visual: 'table', width: 24, height: 14,
      buckets: [{ kind: 'terms', field: 'url.path', size: 20, order: 'count', label: 'Path' }],
      metrics: [
        REQUESTS,
        { kind: 'percentile', field: 'event.duration', percent: 95, label: 'Latency p95' },
        { kind: 'average', field: 'http.response.body.bytes', label: 'Average response size' },
      ],
    }),
    panel({
      kind: 'aggregate', key: 'bytes', title: 'Bytes in / out', description: 'Request body bytes received from clients and response body bytes sent to them.',
      source: 'requests', where: NOT_PROBE, visual: 'line', width: 24, height: 14,
      buckets: [TIME],
      metrics: [
        { kind: 'sum', field: 'http.request.body.bytes', label: 'Bytes in (request bodies)' },
        { kind: 'sum', field: 'http.response.body.bytes', label: 'Bytes out (response bodies)' },
      ],
    }),
    panel({
      kind: 'aggregate', key: 'member-share', title: 'Share of requests by upstream member', description: 'How the balancers spread requests over members.',
      source: 'requests', where: NOT_PROBE, visual: 'pie', width: 16, height: 12,
      buckets: [BY_MEMBER], metrics: [REQUESTS],
    }),
    panel({
      kind: 'aggregate', key: 'member-health', title: 'Outcome by upstream member', description: 'Successes and failures per upstream member (the member of the last try).',
      source: 'requests', where: NOT_PROBE, visual: 'bar_horizontal_stacked', width: 16, height: 12,
      buckets: [BY_MEMBER, { kind: 'filters', label: 'Outcome', filters: OUTCOMES.map((outcome) => ({ label: outcome, where: equals<'requests'>('event.outcome', outcome) })) }],
      metrics: [REQUESTS],
    }),
    panel({
      kind: 'aggregate', key: 'members', title: 'Upstream members', description: 'Requests, latency and connection time per upstream member.',
      source: 'requests', where: NOT_PROBE, visual: 'table', width: 16, height: 12,
      buckets: [BY_MEMBER],
      metrics: [
        REQUESTS,
        { kind: 'percentile', field: 'event.duration', percent: 95, label: 'Latency p95' },
        { kind: 'average', field: 'lookout.timing.connect_ms', label: 'Average connect (ms)' },
        { kind: 'average', field: 'lookout.retries', label: 'Average retries' },
      ],
    }),
    panel({
      kind: 'aggregate', key: 'timing-phases', title: 'Timing phases', description: 'Average milliseconds from arrival to each phase: queue left, connected, upstream first byte, upstream last byte, client last byte.',
      source: 'requests', where: NOT_PROBE, visual: 'line', width: 48, height: 12,
      buckets: [TIME],
      metrics: [
        { kind: 'average', field: 'lookout.timing.queue_wait_ms', label: 'Queue left' },
        { kind: 'average', field: 'lookout.timing.connect_ms', label: 'Connected' },
        { kind: 'average', field: 'lookout.timing.upstream_first_byte_ms', label: 'Upstream first byte' },
        { kind: 'average', field: 'lookout.timing.upstream_last_byte_ms', label: 'Upstream last byte' },
        { kind: 'average', field: 'lookout.timing.client_last_byte_ms', label: 'Client last byte' },
      ],
    }),
  ],
};
