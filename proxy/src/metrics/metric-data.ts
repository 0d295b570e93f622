import { ValueType, type Attributes, type HrTime } from '@opentelemetry/api';
import { AggregationTemporality, DataPointType, type DataPoint, type GaugeMetricData, type Histogram, type HistogramMetricData, type SumMetricData } from '@opentelemetry/sdk-metrics';
import type { MetricSpec } from './metric-descriptors.ts';

// Builders of the SDK's MetricData for the points this module aggregates itself (see
// ProxyMetrics for why). All sums are cumulative, the temporality Prometheus needs and OTLP's
// default.

/** Epoch milliseconds as OpenTelemetry's [seconds, nanoseconds]. */
export function hrTime(epochMs: number): HrTime {
  const seconds = Math.floor(epochMs / 1_000);
  return [seconds, Math.round((epochMs - seconds * 1_000) * 1_000_000)];
}

/** The current time as HrTime, with sub-millisecond resolution. */
export function hrNow(): HrTime {
  return hrTime(performance.timeOrigin + performance.now());
}

/** One observed value and its attributes. */
export interface Point<T = number> {
  readonly attributes: Attributes;
  readonly value: T;
  /** Start of the cumulative interval; defaults to the builder's `startTime`. */
  readonly startTime?: HrTime;
}

function dataPoints<T>(points: readonly Point<T>[], startTime: HrTime, endTime: HrTime): DataPoint<T>[] {
  return points.map((point) => ({ startTime: point.startTime ?? startTime, endTime, attributes: point.attributes, value: point.value }));
}

/** A counter (`monotonic`) or an up-down counter. */
export function sumData(spec: MetricSpec, monotonic: boolean, points: readonly Point[], startTime: HrTime, endTime: HrTime): SumMetricData {
  return {
    descriptor: { name: spec.name, unit: spec.unit, description: spec.description, valueType: ValueType.DOUBLE },
    aggregationTemporality: AggregationTemporality.CUMULATIVE,
    dataPointType: DataPointType.SUM,
    isMonotonic: monotonic,
    dataPoints: dataPoints(points, startTime, endTime),
  };
}

/** A gauge: the last value. */
export function gaugeData(spec: MetricSpec, points: readonly Point[], startTime: HrTime, endTime: HrTime): GaugeMetricData {
  return {
    descriptor: { name: spec.name, unit: spec.unit, description: spec.description, valueType: ValueType.DOUBLE },
    aggregationTemporality: AggregationTemporality.CUMULATIVE,
    dataPointType: DataPointType.GAUGE,
    dataPoints: dataPoints(points, startTime, endTime),
  };
}

/** An explicit-bucket histogram. */
export function histogramData(spec: MetricSpec, points: readonly Point<Histogram>[], startTime: HrTime, endTime: HrTime): HistogramMetricData {
  return {
    descriptor: { name: spec.name, unit: spec.unit, description: spec.description, valueType: ValueType.DOUBLE },
    aggregationTemporality: AggregationTemporality.CUMULATIVE,
    dataPointType: DataPointType.HISTOGRAM,
    dataPoints: dataPoints(points, startTime, endTime),
  };
}
