import { Alert, Content, Gallery, Spinner } from '@patternfly/react-core';
import type { UseQueryResult } from '@tanstack/react-query';
import { useMemo, type ReactNode } from 'react';
import type { MetricsSeries } from '@cockpit/contracts';
import { MetricsChart, type ChartSeries } from './MetricsChart.js';

interface ChartSpec {
  title: string;
  series: ChartSeries[];
}

function chartsOf({ series }: MetricsSeries): ChartSpec[] {
  return [
    { title: 'CPU', series: [{ label: 'CPU', values: series.cpuPercent, unit: 'percent' }] },
    { title: 'Memory', series: [{ label: 'Used', values: series.memoryUsedMiB, unit: 'MiB' }] },
    {
      title: 'Disk I/O',
      series: [
        { label: 'Read', values: series.diskReadBps, unit: 'bytesPerSecond' },
        { label: 'Write', values: series.diskWriteBps, unit: 'bytesPerSecond' },
      ],
    },
    {
      title: 'Network',
      series: [
        { label: 'Received', values: series.netRxBps, unit: 'bytesPerSecond' },
        { label: 'Sent', values: series.netTxBps, unit: 'bytesPerSecond' },
      ],
    },
  ];
}

const RESOLUTION = { raw: 'raw samples', '1m': '1-minute averages', '1h': '1-hour averages' } as const;

/** "10 s", "4 min", "2 h": a step between points. */
function formatStep(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${Math.round(seconds / 3600)} h`;
}

export interface MetricsPanelProps {
  metrics: UseQueryResult<MetricsSeries, Error>;
  /** What the range is, for the sentence above the charts ("Last hour"). */
  rangeLabel?: string;
  /** Whether each new sample is appended as it arrives (the last hour), or the range is fetched again as points pass. */
  live?: boolean;
  /** Controls beside the sentence: a range picker, say. */
  controls?: ReactNode;
}

/**
 * CPU, memory, disk and network charts of one host or VM over a range, the last hour by default
 * (useLiveHostMetrics / useLiveVmMetrics keep them current).
 */
export function MetricsPanel({ metrics, rangeLabel = 'Last hour', live = true, controls }: MetricsPanelProps) {
  const charts = useMemo(() => (metrics.data ? chartsOf(metrics.data) : []), [metrics.data]);
  if (metrics.isPending)
    return (
      <>
        {controls}
        <Spinner size="lg" aria-label="Loading metrics" />
      </>
    );
  if (!metrics.data) {
    return (
      <>
        {controls}
        <Alert variant="danger" isInline title="Cannot load metrics">
          {metrics.error?.message}
        </Alert>
      </>
    );
  }
  const { data } = metrics;
  return (
    <>
      {controls}
      <Content component="p">
        {rangeLabel}, {RESOLUTION[data.resolution]} every {formatStep(data.stepSeconds)},{' '}
        {live ? 'then each new sample as it arrives.' : 'fetched again as new points are due.'}
      </Content>
      {/* A failed reload keeps the last charts, saying they may be out of date. */}
      {metrics.isError && <Alert variant="warning" isInline isPlain title={`Not updating: ${metrics.error.message}`} />}
      <Gallery hasGutter minWidths={{ default: '320px' }}>
        {charts.map((chart) => (
          <MetricsChart key={chart.title} title={chart.title} timestamps={data.timestamps} series={chart.series} />
        ))}
      </Gallery>
    </>
  );
}
