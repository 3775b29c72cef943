import type { JobsService, TargetContext, TargetOutcome } from '@cockpit/api-jobs';
import type { Job, MigrationProgress } from '@cockpit/contracts';
import type { MigrationRow } from './migration-store.js';

const MiB = 1024 * 1024;

/**
 * The engine aborts a job's signal when this instance stops, when another instance took the job
 * over, and when the job is cancelled. Only the first two end the driving here (the migration is
 * given back, the next attempt resumes it); a cancel is for the driver to carry out: each
 * migration sees its job cancelling, stops on its host (or leaves the queue), and ends truly.
 */
export function stopSignal(
  context: TargetContext<{ origin: string }>,
  jobs: Pick<JobsService, 'get'>,
): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onAbort = () => {
    jobs
      .get(context.jobId)
      .then((job) => {
        if (job.state !== 'cancelling' && job.state !== 'cancelled') controller.abort();
      })
      .catch(() => controller.abort());
  };
  if (context.signal.aborted) onAbort();
  else context.signal.addEventListener('abort', onAbort, { once: true });
  return { signal: controller.signal, dispose: () => context.signal.removeEventListener('abort', onAbort) };
}

export function outcomeOf(row: MigrationRow): TargetOutcome {
  if (row.state === 'succeeded')
    return {
      state: 'succeeded',
      message: row.type === 'storage' ? `disks of ${row.vm_name} moved` : `${row.vm_name} runs on ${row.target_host_name}`,
    };
  if (row.state === 'cancelled') return { state: 'skipped', message: row.reason ?? 'cancelled' };
  return { state: 'failed', message: row.reason ?? 'failed' };
}

export function toProgress(job: Job, maxBandwidthMBps: number | null): MigrationProgress {
  const { progress } = job;
  const throughput = progress.throughputMBps;
  return {
    phase: progress.phase,
    iteration: progress.iteration,
    transferredBytes: progress.transferredBytes,
    remainingBytes: progress.remainingBytes,
    totalBytes: progress.totalBytes,
    dirtyPagesRate: progress.dirtyPagesRate,
    throughputMBps: throughput,
    expectedDowntimeMs: progress.expectedDowntimeMs,
    etaSeconds: throughput > 0 ? Math.round((progress.remainingBytes / MiB / throughput) * 10) / 10 : null,
    cpuThrottlePercent: progress.cpuThrottlePercent,
    maxBandwidthMBps,
    at: new Date().toISOString(),
  };
}
