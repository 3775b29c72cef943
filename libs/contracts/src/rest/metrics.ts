import { z } from 'zod';
import { defineRoute } from './route.js';

export const METRIC_NAMES = ['cpuPercent', 'memoryUsedMiB', 'diskReadBps', 'diskWriteBps', 'netRxBps', 'netTxBps'] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

export const MetricsResolution = z.enum(['raw', '1m', '1h']);
export type MetricsResolution = z.infer<typeof MetricsResolution>;

export const MetricsQuery = z
  .object({
    from: z.iso.datetime().optional().meta({ description: 'Start (default: an hour before `to`)' }),
    to: z.iso.datetime().optional().meta({ description: 'End (default: now)' }),
    step: z.coerce
      .number()
      .int()
      .min(1)
      .max(86_400 * 31)
      .optional()
      .meta({ description: 'Seconds per point (default: about 360 points over the range)' }),
  })
  .refine((q) => !q.from || !q.to || Date.parse(q.from) < Date.parse(q.to), {
    message: '`from` must be before `to`',
    path: ['from'],
  });
export type MetricsQuery = z.output<typeof MetricsQuery>;

/**
 * A time series in columns, as charting libraries (uPlot) take it: `timestamps[i]` (Unix ms, the
 * start of the bucket) goes with `series.<name>[i]`, each the average over the bucket.
 */
export const MetricsSeries = z
  .object({
    resolution: MetricsResolution.meta({
      description:
        'The stored resolution the points were computed from: raw samples (kept 24 h), 1-minute (30 days) or 1-hour (1 year) rollups',
    }),
    stepSeconds: z.number().int().positive(),
    from: z.iso.datetime(),
    to: z.iso.datetime(),
    timestamps: z.array(z.number().int()),
    series: z.object(
      Object.fromEntries(METRIC_NAMES.map((name) => [name, z.array(z.number())])) as Record<MetricName, z.ZodArray<z.ZodNumber>>,
    ),
  })
  .meta({ id: 'MetricsSeries' });
export type MetricsSeries = z.infer<typeof MetricsSeries>;

export const hostMetrics = defineRoute({
  id: 'hostMetrics',
  method: 'get',
  path: '/api/hosts/{hostId}/metrics',
  summary: 'A host’s CPU, memory, disk and network over time',
  description:
    'The resolution follows the step and how far back `from` is: raw samples for steps under a minute within the last 24 h, 1-minute rollups for steps under an hour within 30 days, 1-hour rollups otherwise. At most 10,000 points.',
  tag: 'Metrics',
  access: { permission: 'host.view', scope: { kind: 'host', param: 'hostId' } },
  params: z.object({ hostId: z.uuid() }),
  query: MetricsQuery,
  response: MetricsSeries,
  errors: [404],
});

export const vmMetrics = defineRoute({
  id: 'vmMetrics',
  method: 'get',
  path: '/api/vms/{vmId}/metrics',
  summary: 'A VM’s CPU, memory, disk and network over time',
  description: 'Same resolutions and limits as the host metrics.',
  tag: 'Metrics',
  access: { permission: 'vm.view', scope: { kind: 'vm', param: 'vmId' } },
  params: z.object({ vmId: z.uuid() }),
  query: MetricsQuery,
  response: MetricsSeries,
  errors: [404],
});

export const metricsRoutes = [hostMetrics, vmMetrics] as const;
