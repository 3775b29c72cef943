import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { MetricsSeries, StatsTuple } from '@cockpit/contracts';
import { useStatsFrames } from './LiveEventsProvider.js';
import { appendSample, hostMetricsQuery, LAST_HOUR, vmMetricsQuery } from './metrics.queries.js';

const WINDOW_MS = LAST_HOUR.lastSeconds * 1000;

/** The updater that appends a sample, leaving the cache untouched (no re-render) when it adds nothing. */
const withSample = (at: number, values: StatsTuple) => (series: MetricsSeries | undefined) => {
  if (!series) return undefined;
  const extended = appendSample(series, at, values, WINDOW_MS);
  return extended === series ? undefined : extended;
};

/** A host's last hour of metrics: loaded once over REST, then extended by each of its stats frames. */
export function useLiveHostMetrics(hostId: string) {
  const queryClient = useQueryClient();
  const query = hostMetricsQuery(hostId);
  useStatsFrames(hostId, (frame) => queryClient.setQueryData(query.queryKey, withSample(frame.at, frame.host)));
  return useQuery(query);
}

/** A VM's last hour of metrics: loaded once over REST, then extended from its host's stats frames. */
export function useLiveVmMetrics(vmId: string, hostId: string | undefined) {
  const queryClient = useQueryClient();
  const query = vmMetricsQuery(vmId);
  useStatsFrames(hostId, (frame) => {
    const sample = frame.vms.find(([id]) => id === vmId);
    if (!sample) return;
    const [, ...values] = sample;
    queryClient.setQueryData(query.queryKey, withSample(frame.at, values));
  });
  return useQuery(query);
}
