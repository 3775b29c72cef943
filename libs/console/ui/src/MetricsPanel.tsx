import { Alert, Content, Gallery, Spinner } from '@patternfly/react-core';
import type { UseQueryResult } from '@tanstack/react-query';
import { useMemo } from 'react';
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

/** CPU, memory, disk and network charts of one host or VM over the last hour (useLiveHostMetrics / useLiveVmMetrics extend it live). */
export function MetricsPanel({ metrics }: { metrics: UseQueryResult<MetricsSeries, Error> }) {
  const charts = useMemo(() => (metrics.data ? chartsOf(metrics.data) : []), [metrics.data]);
  if (metrics.isPending) return <Spinner size="lg" aria-label="Loading metrics" />;
  if (!metrics.data) {
    return (
      <Alert variant="danger" isInline title="Cannot load metrics">
        {metrics.error?.message}
      </Alert>
    );
  }
  const { data } = metrics;
  return (
    <>
      <Content component="p">
        Last hour, {RESOLUTION[data.resolution]} every {data.stepSeconds} s, then each new sample as it arrives.
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
