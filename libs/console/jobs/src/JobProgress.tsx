import { Label, Progress, ProgressMeasureLocation, ProgressVariant } from '@patternfly/react-core';
import { FINISHED_JOB_STATES, type JobCounts, type JobState, type JobSummary, type JobTargetState } from '@cockpit/contracts';

type LabelColor = 'green' | 'orange' | 'red' | 'grey' | 'blue' | 'purple';

const JOB_STATE_COLOR: Record<JobState, LabelColor> = {
  queued: 'grey',
  running: 'blue',
  cancelling: 'orange',
  succeeded: 'green',
  failed: 'red',
  cancelled: 'grey',
};

export const TARGET_STATE_COLOR: Record<JobTargetState, LabelColor> = {
  pending: 'grey',
  running: 'blue',
  succeeded: 'green',
  failed: 'red',
  skipped: 'purple',
  cancelled: 'grey',
};

export const isFinished = (job: Pick<JobSummary, 'state'>) => FINISHED_JOB_STATES.includes(job.state);

export function JobStateLabel({ state }: { state: JobState }) {
  return (
    <Label color={JOB_STATE_COLOR[state]} isCompact>
      {state}
    </Label>
  );
}

export function TargetStateLabel({ state }: { state: JobTargetState }) {
  return (
    <Label color={TARGET_STATE_COLOR[state]} isCompact>
      {state}
    </Label>
  );
}

/** "12 of 120 done: 10 succeeded, 2 failed" (the counts that are not zero). */
export function describeCounts(counts: JobCounts): string {
  const parts = (['succeeded', 'failed', 'skipped', 'cancelled'] as const)
    .filter((key) => counts[key] > 0)
    .map((key) => `${counts[key].toLocaleString()} ${key}`);
  return `${counts.done.toLocaleString()} of ${counts.total.toLocaleString()} done${parts.length ? `: ${parts.join(', ')}` : ''}`;
}

/** How far a job is, as a bar: red once a target failed, green when all succeeded. */
export function JobProgress({ job, size }: { job: JobSummary; size?: 'sm' | 'md' | 'lg' }) {
  const { progress } = job;
  const percent = progress.total ? (progress.done / progress.total) * 100 : isFinished(job) ? 100 : 0;
  const variant =
    progress.failed > 0 || job.state === 'failed'
      ? ProgressVariant.danger
      : job.state === 'succeeded'
        ? ProgressVariant.success
        : undefined;
  return (
    <Progress
      value={percent}
      size={size}
      aria-label={`Progress of ${job.title}`}
      label={describeCounts(progress)}
      valueText={describeCounts(progress)}
      measureLocation={ProgressMeasureLocation.outside}
      variant={variant}
    />
  );
}
