import type { EventHubService } from '@cockpit/api-events';
import type { CockpitEventData, JobState, JobSummary, JobTargetState, ScopeChain } from '@cockpit/contracts';

export type JobRow = Record<string, unknown> & {
  id: string;
  kind: string;
  title: string;
  scope: string;
  scope_chain: string[];
  actor_id: string | null;
  actor_name: string;
  state: JobState;
  params: Record<string, unknown>;
  total: number;
  succeeded: number;
  failed: number;
  skipped: number;
  cancelled: number;
  attempts: number;
  instance: string | null;
  error: string | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
};

export type TargetRow = {
  target_id: string;
  label: string;
  group_key: string | null;
  state: JobTargetState;
  message: string | null;
  started_at: Date | null;
  finished_at: Date | null;
};

/** TypeORM answers UPDATE ... RETURNING with [rows, count]. */
export function updatedRow<T>(result: unknown): T {
  const rows = (Array.isArray(result) && Array.isArray(result[0]) ? result[0] : result) as T[];
  const [row] = rows;
  if (!row) throw new Error('UPDATE ... RETURNING answered no row');
  return row;
}

export const iso = (value: Date | null) => (value ? value.toISOString() : null);

export function toJobSummary(row: JobRow): JobSummary {
  const done = row.succeeded + row.failed + row.skipped + row.cancelled;
  return {
    id: row.id,
    kind: row.kind,
    title: row.title,
    scope: row.scope,
    actor: { id: row.actor_id, name: row.actor_name },
    state: row.state,
    progress: {
      total: row.total,
      done,
      succeeded: row.succeeded,
      failed: row.failed,
      skipped: row.skipped,
      cancelled: row.cancelled,
    },
    attempts: row.attempts,
    instance: row.instance,
    error: row.error,
    createdAt: row.created_at.toISOString(),
    startedAt: iso(row.started_at),
    finishedAt: iso(row.finished_at),
  };
}

/** Tells the job's watchers (its scope's viewers and its actor) where it stands. */
export function announceJob(
  events: EventHubService,
  summary: JobSummary,
  scopeChain: ScopeChain,
  migration?: CockpitEventData<'job.progress'>['migration'],
): void {
  events.publish('job.progress', {
    jobId: summary.id,
    kind: summary.kind,
    title: summary.title,
    scopeChain: [...scopeChain],
    actorId: summary.actor.id,
    state: summary.state,
    progress: summary.progress,
    ...(migration ? { migration } : {}),
  });
}
