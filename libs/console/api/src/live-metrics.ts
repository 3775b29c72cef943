import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { MetricsSeries, StatsTuple } from '@cockpit/contracts';
import { useStatsFrames } from './LiveEventsProvider.js';
import { appendSample, hostMetricsQuery, LAST_HOUR, vmMetricsQuery, type MetricsRange } from './metrics.queries.js';

/**
 * Stats frames carry raw samples (every few seconds): they extend a chart of raw points, a sliding
 * window of up to an hour. Longer ranges are of rollups (a point a minute or an hour): those are
 * fetched again once a point has passed instead.
 */
function liveWindowMs(range: MetricsRange): number | undefined {
  return 'lastSeconds' in range && range.lastSeconds <= LAST_HOUR.lastSeconds ? range.lastSeconds * 1000 : undefined;
}

/** How often a range that is not extended live is fetched again: once per point, at least a minute apart. */
const refetchEveryPoint = (query: { state: { data?: MetricsSeries } }) =>
  Math.max(query.state.data?.stepSeconds ?? 60, 60) * 1000;

/** The updater that appends a sample, leaving the cache untouched (no re-render) when it adds nothing. */
const withSample = (at: number, values: StatsTuple, windowMs: number) => (series: MetricsSeries | undefined) => {
  if (!series) return undefined;
  const extended = appendSample(series, at, values, windowMs);
  return extended === series ? undefined : extended;
};

/**
 * A host's metrics over `range` (the last hour by default): loaded once over REST, then extended
 * by each of its stats frames (the last hour), or fetched again as points pass (longer ranges).
 */
export function useLiveHostMetrics(hostId: string, range: MetricsRange = LAST_HOUR) {
  const queryClient = useQueryClient();
  const query = hostMetricsQuery(hostId, range);
  const windowMs = liveWindowMs(range);
  useStatsFrames(windowMs ? hostId : undefined, (frame) => {
    if (windowMs) queryClient.setQueryData(query.queryKey, withSample(frame.at, frame.host, windowMs));
  });
  return useQuery({ ...query, refetchInterval: windowMs ? false : refetchEveryPoint });
}

/** A VM's metrics over `range`, as useLiveHostMetrics; its samples come in its host's stats frames. */
export function useLiveVmMetrics(vmId: string, hostId: string | undefined, range: MetricsRange = LAST_HOUR) {
  const queryClient = useQueryClient();
  const query = vmMetricsQuery(vmId, range);
  const windowMs = liveWindowMs(range);
  useStatsFrames(windowMs ? hostId : undefined, (frame) => {
    const sample = frame.vms.find(([id]) => id === vmId);
    if (!sample || !windowMs) return;
    const [, ...values] = sample;
    queryClient.setQueryData(query.queryKey, withSample(frame.at, values, windowMs));
  });
  return useQuery({ ...query, refetchInterval: windowMs ? false : refetchEveryPoint });
}
