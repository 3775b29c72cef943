import { DescriptionList, Label, Progress, ProgressMeasureLocation } from '@patternfly/react-core';
import { useMemo, useState } from 'react';
import type { Migration, MigrationProgress } from '@cockpit/contracts';
import { formatBytes, formatPercent, formatRate, MetricsChart, NONE, Term, type ChartSeries } from '@cockpit/console-ui';
import { formatBandwidth, formatMs, formatSeconds, MiB, PAGE_BYTES, percentDone } from './format.js';

/** Samples kept for the chart: ten minutes at two a second. */
export const SAMPLES_KEPT = 1200;

/**
 * Every progress the migration has reported while the page is open, oldest first. The live cache
 * writes each job.progress event's progress into the migration (and a refetch may bring one too):
 * each newer than the last is a sample.
 */
export function useProgressSamples(migration: Migration): readonly MigrationProgress[] {
  const [samples, setSamples] = useState<readonly MigrationProgress[]>(() => (migration.progress ? [migration.progress] : []));
  const latest = migration.progress;
  const last = samples.at(-1);
  if (latest && (!last || Date.parse(latest.at) > Date.parse(last.at))) setSamples([...samples, latest].slice(-SAMPLES_KEPT));
  return samples;
}

/** Throughput against the rate the guest dirties memory (both bytes a second), and the memory left to send. */
export function ProgressChart({ samples }: { samples: readonly MigrationProgress[] }) {
  const { timestamps, series } = useMemo(() => {
    const series: ChartSeries[] = [
      { label: 'Throughput', unit: 'bytesPerSecond', values: samples.map((sample) => sample.throughputMBps * MiB) },
      { label: 'Dirty rate', unit: 'bytesPerSecond', values: samples.map((sample) => sample.dirtyPagesRate * PAGE_BYTES) },
      { label: 'Remaining', unit: 'MiB', values: samples.map((sample) => sample.remainingBytes / MiB) },
    ];
    return { timestamps: samples.map((sample) => Date.parse(sample.at)), series };
  }, [samples]);
  return <MetricsChart title="Throughput and dirty rate" timestamps={timestamps} series={series} height={200} />;
}

function DowntimeAgainstLimit({ expected, limit }: { expected: number; limit: number }) {
  const within = expected <= limit;
  return (
    <>
      {formatMs(expected)} against a limit of {formatMs(limit)}{' '}
      <Label isCompact color={within ? 'green' : 'orange'}>
        {within ? 'within the limit' : 'over the limit: it iterates on'}
      </Label>
    </>
  );
}

/**
 * A migration under way as it reports itself: how far, ETA, expected downtime against the limit,
 * iteration, CPU throttle, throughput against dirty rate.
 */
export function LiveProgress({ migration }: { migration: Migration }) {
  const { progress, options } = migration;
  const percent = percentDone(migration);
  return (
    <>
      <Progress
        value={percent ?? 0}
        title={progress ? `Phase: ${progress.phase}` : 'Waiting for the first progress report'}
        aria-label={`Progress of the migration of ${migration.vmName}`}
        label={percent === undefined ? NONE : formatPercent(percent)}
        valueText={percent === undefined ? 'not started' : formatPercent(percent)}
        measureLocation={ProgressMeasureLocation.outside}
      />
      <DescriptionList
        isCompact
        isHorizontal
        columnModifier={{ lg: '2Col' }}
        aria-label="Live progress"
        style={{ margin: 'var(--pf-t--global--spacer--md) 0' }}
      >
        <Term term="Phase">{progress?.phase ?? NONE}</Term>
        <Term term="Iteration">{progress ? progress.iteration : NONE}</Term>
        <Term term="Sent">
          {progress ? `${formatBytes(progress.transferredBytes)} (of ${formatBytes(progress.totalBytes)} to move)` : NONE}
        </Term>
        <Term term="Remaining">{progress ? formatBytes(progress.remainingBytes) : NONE}</Term>
        <Term term="Throughput">{progress ? formatRate(progress.throughputMBps * MiB) : NONE}</Term>
        <Term term="Dirty rate">
          {progress
            ? `${Math.round(progress.dirtyPagesRate).toLocaleString()} pages/s (${formatRate(progress.dirtyPagesRate * PAGE_BYTES)})`
            : NONE}
        </Term>
        <Term term="ETA">
          {progress ? (progress.etaSeconds === null ? 'not known yet' : formatSeconds(progress.etaSeconds)) : NONE}
        </Term>
        <Term term="Expected downtime">
          {progress ? <DowntimeAgainstLimit expected={progress.expectedDowntimeMs} limit={options.downtimeLimitMs} /> : NONE}
        </Term>
        <Term term="CPU throttle">
          {progress ? formatPercent(progress.cpuThrottlePercent) : NONE}
          {!options.autoConverge && ' (auto-converge is off)'}
        </Term>
        <Term term="Bandwidth in force">{progress ? formatBandwidth(progress.maxBandwidthMBps) : NONE}</Term>
      </DescriptionList>
    </>
  );
}
