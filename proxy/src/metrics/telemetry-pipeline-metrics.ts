import { ValueType, type Attributes, type Meter } from '@opentelemetry/api';
import { ATTR, METRICS, type MetricSpec } from './metric-descriptors.ts';

/** Counters of the telemetry pipeline since the process started (counts never go down). */
export interface TelemetryPipelineStats {
  readonly emitted: number;
  readonly delivered: number;
  readonly spooled: number;
  readonly replayed: number;
  /** Events lost, by reason (e.g. `queue_full`, `spool_full`, `rejected`). */
  readonly dropped: Readonly<Record<string, number>>;
  /** Events in the in-memory queue now. */
  readonly queueDepth: number;
  /** Bytes in the disk spool now. */
  readonly spoolBytes: number;
  /** Failed delivery attempts, by reason (the events went to the spool, none was lost). */
  readonly failures?: Readonly<Record<string, number>>;
  /** Events in the disk spool now. */
  readonly spoolEvents?: number;
  /** Most events the in-memory queue holds. */
  readonly queueCapacity?: number;
}

/**
 * Returns the pipeline's current counters; called once per collection. For the proxy's
 * TelemetryPipeline: `() => ({ ...pipeline.counters, queueDepth: pipeline.queueDepth,
 * queueCapacity: pipeline.queueCapacity, spoolBytes: pipeline.spoolBytes, spoolEvents: pipeline.spoolEvents })`.
 */
export type TelemetryStatsProvider = () => TelemetryPipelineStats;

function options(spec: MetricSpec): { unit: string; description: string; valueType: ValueType } {
  return { unit: spec.unit, description: spec.description, valueType: ValueType.INT };
}

/**
 * Registers the telemetry pipeline's counters as observable instruments that read
 * `provider()` at collection time; nothing is reported while `provider()` is undefined.
 */
export function registerTelemetryPipelineMetrics(meter: Meter, provider: () => TelemetryStatsProvider | undefined): void {
  const emitted = meter.createObservableCounter(METRICS.telemetryEmitted.name, options(METRICS.telemetryEmitted));
  const delivered = meter.createObservableCounter(METRICS.telemetryDelivered.name, options(METRICS.telemetryDelivered));
  const spooled = meter.createObservableCounter(METRICS.telemetrySpooled.name, options(METRICS.telemetrySpooled));
  const replayed = meter.createObservableCounter(METRICS.telemetryReplayed.name, options(METRICS.telemetryReplayed));
  const dropped = meter.createObservableCounter(METRICS.telemetryDropped.name, options(METRICS.telemetryDropped));
  const queueDepth = meter.createObservableUpDownCounter(METRICS.telemetryQueueDepth.name, options(METRICS.telemetryQueueDepth));
  const spoolSize = meter.createObservableUpDownCounter(METRICS.telemetrySpoolSize.name, options(METRICS.telemetrySpoolSize));
  const spoolEvents = meter.createObservableUpDownCounter(METRICS.telemetrySpoolEvents.name, options(METRICS.telemetrySpoolEvents));
  const queueCapacity = meter.createObservableUpDownCounter(METRICS.telemetryQueueCapacity.name, options(METRICS.telemetryQueueCapacity));
  const failures = meter.createObservableCounter(METRICS.telemetryDeliveryFailures.name, options(METRICS.telemetryDeliveryFailures));
  const reasons = new Map<string, Attributes>();
  const failureTypes = new Map<string, Attributes>();
  meter.addBatchObservableCallback(
    (result) => {
      const stats = provider()?.();
      if (stats === undefined) return;
      result.observe(emitted, stats.emitted);
      result.observe(delivered, stats.delivered);
      result.observe(spooled, stats.spooled);
      result.observe(replayed, stats.replayed);
      for (const reason in stats.dropped) {
        let attributes = reasons.get(reason);
        if (attributes === undefined) {
          attributes = { [ATTR.telemetryDropReason]: reason };
          reasons.set(reason, attributes);
        }
        result.observe(dropped, stats.dropped[reason]!, attributes);
      }
      result.observe(queueDepth, stats.queueDepth);
      result.observe(spoolSize, stats.spoolBytes);
      if (stats.spoolEvents !== undefined) result.observe(spoolEvents, stats.spoolEvents);
      if (stats.queueCapacity !== undefined) result.observe(queueCapacity, stats.queueCapacity);
      for (const reason in stats.failures) {
        let attributes = failureTypes.get(reason);
        if (attributes === undefined) {
          attributes = { 'error.type': reason };
          failureTypes.set(reason, attributes);
        }
        result.observe(failures, stats.failures[reason]!, attributes);
      }
    },
    [emitted, delivered, spooled, replayed, dropped, queueDepth, spoolSize, spoolEvents, queueCapacity, failures],
  );
}
