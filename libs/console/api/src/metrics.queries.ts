import { queryOptions } from '@tanstack/react-query';
import { hostMetrics, vmMetrics } from '@cockpit/contracts';
import { callApi } from './api-fetch.js';
import { LIVE_REFRESH_MS } from './live.js';

/**
 * A time range for metrics: a sliding window ending now (re-fetched live, the window moving with
 * each fetch) or fixed ISO bounds. `step` is seconds per point; by default the api picks about 360 points.
 */
export type MetricsRange = { lastSeconds: number; step?: number } | { from: string; to: string; step?: number };

export const LAST_HOUR: MetricsRange = { lastSeconds: 3600 };

function rangeQuery(range: MetricsRange): Record<string, string | number | undefined> {
  // A sliding window is resolved at fetch time, so its cache key stays the same while it moves.
  if ('lastSeconds' in range) return { from: new Date(Date.now() - range.lastSeconds * 1000).toISOString(), step: range.step };
  return { from: range.from, to: range.to, step: range.step };
}

/** Only a window that moves has anything new to fetch. */
const refetchFor = (range: MetricsRange) => ('lastSeconds' in range ? LIVE_REFRESH_MS : false);

export const hostMetricsQuery = (hostId: string, range: MetricsRange = LAST_HOUR) =>
  queryOptions({
    queryKey: ['hosts', hostId, 'metrics', range],
    queryFn: ({ signal }) => callApi(hostMetrics, { signal, params: { hostId }, query: rangeQuery(range) }),
    refetchInterval: refetchFor(range),
  });

export const vmMetricsQuery = (vmId: string, range: MetricsRange = LAST_HOUR) =>
  queryOptions({
    queryKey: ['vms', 'detail', vmId, 'metrics', range],
    queryFn: ({ signal }) => callApi(vmMetrics, { signal, params: { vmId }, query: rangeQuery(range) }),
    refetchInterval: refetchFor(range),
  });
