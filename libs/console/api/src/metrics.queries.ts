import { queryOptions } from '@tanstack/react-query';
import { hostMetrics, METRIC_NAMES, vmMetrics, type MetricsSeries, type RouteQuery, type StatsTuple } from '@cockpit/contracts';
import { callApi } from './api-fetch.js';

/**
 * A time range for metrics: a sliding window ending now (live charts extend it from stats frames)
 * or fixed ISO bounds. `step` is seconds per point; by default the api picks about 360 points.
 */
export type MetricsRange = { lastSeconds: number; step?: number } | { from: string; to: string; step?: number };

export const LAST_HOUR = { lastSeconds: 3600 } satisfies MetricsRange;

/** The ranges the charts offer, by their label; only the last hour (raw samples) is extended live. */
export const METRIC_RANGES = {
  '1 h': LAST_HOUR,
  '24 h': { lastSeconds: 86_400 },
  '30 d': { lastSeconds: 30 * 86_400 },
} as const satisfies Record<string, MetricsRange>;
export type MetricRangeName = keyof typeof METRIC_RANGES;

function rangeQuery(range: MetricsRange): RouteQuery<typeof hostMetrics> {
  // A sliding window is resolved at fetch time, so its cache key stays the same while it moves.
  if ('lastSeconds' in range) return { from: new Date(Date.now() - range.lastSeconds * 1000).toISOString(), step: range.step };
  return { from: range.from, to: range.to, step: range.step };
}

export const hostMetricsQuery = (hostId: string, range: MetricsRange = LAST_HOUR) =>
  queryOptions({
    queryKey: ['hosts', hostId, 'metrics', range],
    queryFn: ({ signal }) => callApi(hostMetrics, { signal, params: { hostId }, query: rangeQuery(range) }),
  });

export const vmMetricsQuery = (vmId: string, range: MetricsRange = LAST_HOUR) =>
  queryOptions({
    queryKey: ['vms', 'detail', vmId, 'metrics', range],
    queryFn: ({ signal }) => callApi(vmMetrics, { signal, params: { vmId }, query: rangeQuery(range) }),
  });

/**
 * The series with one live sample (a stats frame's values, in METRIC_NAMES order) appended, and
 * the points older than `windowMs` before it dropped. A sample not after the last point (a frame
 * older than what was fetched) leaves the series as it is: the chart's time axis only moves forward.
 */
export function appendSample(series: MetricsSeries, at: number, values: StatsTuple, windowMs: number): MetricsSeries {
  const last = series.timestamps.at(-1);
  if (last !== undefined && at <= last) return series;
  const cutoff = at - windowMs;
  const firstKept = series.timestamps.findIndex((timestamp) => timestamp >= cutoff);
  const start = firstKept < 0 ? series.timestamps.length : firstKept;
  return {
    ...series,
    from: new Date(Math.max(Date.parse(series.from), cutoff)).toISOString(),
    to: new Date(at).toISOString(),
    timestamps: [...series.timestamps.slice(start), at],
    series: Object.fromEntries(
      METRIC_NAMES.map((name, index) => [name, [...series.series[name].slice(start), values[index] ?? 0]]),
    ) as MetricsSeries['series'],
  };
}
