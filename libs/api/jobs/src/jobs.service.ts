import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { Repository } from 'typeorm';
import { AccessService } from '@cockpit/api-access';
import { ConflictError, containsPattern, keysetPage, NotFoundError, UnitOfWork, type SortField } from '@cockpit/api-core';
import { EventHubService } from '@cockpit/api-events';
import {
  FINISHED_JOB_STATES,
  type Grant,
  type JobDetail,
  type JobState,
  type JobSummary,
  type JobTarget,
  type JobTargetState,
  type Page,
  type ScopeChain,
  type ScopePath,
} from '@cockpit/contracts';
import { JobEntity } from './entities/job.entity.js';
import { JobEngine } from './job-engine.js';
import type { JobTargetRef } from './job-handler.js';
import { announceJob, iso, toJobSummary, updatedRow, type JobRow, type TargetRow } from './job-rows.js';

export interface JobSubmission {
  kind: string;
  title: string;
  /** The narrowest scope holding every target. */
  scope: ScopePath;
  actor: { id: string | null; name: string };
  params: Record<string, unknown>;
  targets: readonly JobTargetRef[];
}

interface PageRequest {
  limit: number;
  cursor?: string;
  sort: string;
}

const jobFields: Record<string, SortField<JobRow>> = {
  createdAt: { sql: 'j.created_at', value: (row) => row.created_at.toISOString() },
  state: { sql: 'j.state', value: (row) => row.state },
  kind: { sql: 'j.kind', value: (row) => row.kind },
};
const jobId: SortField<JobRow> = { sql: 'j.id::text', value: (row) => row.id };
const targetFields: Record<string, SortField<TargetRow>> = {
  label: { sql: 't.label', value: (row) => row.label },
  state: { sql: 't.state', value: (row) => row.state },
};
const targetId: SortField<TargetRow> = { sql: 't.target_id', value: (row) => row.target_id };

/** At most this many targets in one job (a bulk action over the whole fleet's largest list). */
export const MAX_JOB_TARGETS = 10_000;

/**
 * Job records: submitting one (its row, its targets and its pg-boss entry in the caller's
 * transaction, so a job exists exactly when the request that made it committed), reading them
 * for the people allowed to, and cancelling. Running them is the JobEngine's.
 */
@Injectable()
export class JobsService {
  constructor(
    @InjectRepository(JobEntity) private readonly jobs: Repository<JobEntity>,
    private readonly unitOfWork: UnitOfWork,
    private readonly access: AccessService,
    private readonly engine: JobEngine,
    private readonly events: EventHubService,
  ) {
    // A job sits in the scope of its targets; whoever started it may always see and cancel it.
    access.registerKind('job', {
      view: 'job.view',
      label: 'job',
      resolve: async (id) => {
        const [row] = (await this.jobs.query('SELECT scope_chain FROM jobs WHERE id = $1', [id])) as { scope_chain: string[] }[];
        return row?.scope_chain as ScopeChain | undefined;
      },
      ownerOf: async (id) => {
        const [row] = (await this.jobs.query('SELECT actor_id FROM jobs WHERE id = $1', [id])) as { actor_id: string | null }[];
        return row?.actor_id;
      },
    });
  }

  /** Records a job and queues it; runs in (or as) a unit of work so the job commits with the request. */
  async submit(submission: JobSubmission): Promise<JobSummary> {
    if (!submission.targets.length) throw new ConflictError('Nothing to do: the job has no targets');
    if (submission.targets.length > MAX_JOB_TARGETS)
      throw new ConflictError(`A job takes at most ${MAX_JOB_TARGETS} targets; this one has ${submission.targets.length}`);
    const id = randomUUID();
    const scopeChain = await this.access.scopeChain(submission.scope);
    return this.unitOfWork.run(async () => {
      const manager = this.unitOfWork.manager;
      if (!manager) throw new Error('No unit of work');
      const [row] = (await manager.query(
        `INSERT INTO jobs (id, kind, title, scope, scope_chain, actor_id, actor_name, state, params, total)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'queued', $8, $9) RETURNING *`,
        [
          id,
          submission.kind,
          submission.title,
          submission.scope,
          scopeChain,
          submission.actor.id,
          submission.actor.name,
          JSON.stringify(submission.params),
          submission.targets.length,
        ],
      )) as JobRow[];
      await manager.query(
        `INSERT INTO job_targets (job_id, target_id, ordinal, label, group_key)
         SELECT $1, x.id, x.ordinal, x.label, x.grp FROM jsonb_to_recordset($2::jsonb) AS x(id text, ordinal int, label text, grp text)`,
        [id, JSON.stringify(submission.targets.map((t, ordinal) => ({ id: t.targetId, ordinal, label: t.label, grp: t.group })))],
      );
      await this.engine.enqueue(id, submission.kind, manager);
      const summary = toJobSummary(row as JobRow);
      this.announce(summary, scopeChain);
      return summary;
    });
  }

  async get(id: string): Promise<JobDetail> {
    const [row] = (await this.jobs.query('SELECT * FROM jobs WHERE id = $1', [id])) as JobRow[];
    if (!row) throw new NotFoundError(`No job ${id}`);
    return { ...toJobSummary(row), params: row.params };
  }

  /** The jobs a caller may see: those they started, and those in scopes where they hold job.view. */
  async page(
    principal: { userId: string; grants: readonly Grant[] },
    query: PageRequest & { state?: JobState; kind?: string; active?: boolean; mine?: boolean },
  ): Promise<Page<JobSummary>> {
    const where: string[] = [];
    const params: unknown[] = [];
    const visible = principal.grants.filter((grant) => grant.permissions.includes('job.view')).map((grant) => grant.scope);
    if (query.mine) where.push(`j.actor_id = $${params.push(principal.userId)}::uuid`);
    else if (!visible.includes('/'))
      where.push(`(j.actor_id = $${params.push(principal.userId)}::uuid OR j.scope_chain && $${params.push(visible)}::text[])`);
    if (query.state) where.push(`j.state = $${params.push(query.state)}`);
    if (query.kind) where.push(`j.kind ILIKE $${params.push(containsPattern(query.kind))}`);
    if (query.active) where.push(`j.state IN ('queued', 'running', 'cancelling')`);
    return keysetPage(
      (text, values) => this.jobs.query(text, values),
      {
        select: 'SELECT j.* FROM jobs j',
        countFrom: 'FROM jobs j',
        where,
        params,
        sort: query.sort,
        fields: jobFields,
        id: jobId,
        limit: query.limit,
        cursor: query.cursor,
      },
      toJobSummary,
    );
  }

  async targetsPage(jobId: string, query: PageRequest & { state?: JobTargetState }): Promise<Page<JobTarget>> {
    const where = ['t.job_id = $1'];
    const params: unknown[] = [jobId];
    if (query.state) where.push(`t.state = $${params.push(query.state)}`);
    return keysetPage(
      (text, values) => this.jobs.query(text, values),
      {
        select: 'SELECT t.* FROM job_targets t',
        countFrom: 'FROM job_targets t',
        where,
        params,
        sort: query.sort,
        fields: targetFields,
        id: targetId,
        limit: query.limit,
        cursor: query.cursor,
      },
      (row: TargetRow): JobTarget => ({
        targetId: row.target_id,
        label: row.label,
        group: row.group_key,
        state: row.state,
        message: row.message,
        startedAt: iso(row.started_at),
        finishedAt: iso(row.finished_at),
      }),
    );
  }

  /**
   * A queued job is cancelled at once (its targets with it); a running one is marked cancelling
   * and its runner stops starting targets. Inside the request's unit of work, so the audit record
   * and the change commit together.
   */
  async cancel(id: string): Promise<JobSummary> {
    return this.unitOfWork.run(async () => {
      const manager = this.unitOfWork.manager;
      if (!manager) throw new Error('No unit of work');
      const [current] = (await manager.query('SELECT * FROM jobs WHERE id = $1 FOR UPDATE', [id])) as JobRow[];
      if (!current) throw new NotFoundError(`No job ${id}`);
      if (FINISHED_JOB_STATES.includes(current.state))
        throw new ConflictError(
          `Job "${current.title}" has already ${current.state === 'cancelled' ? 'been cancelled' : current.state}`,
        );
      if (current.state === 'cancelling') return toJobSummary(current);
      let row: JobRow;
      if (current.state === 'queued') {
        await manager.query(
          `UPDATE job_targets SET state = 'cancelled', finished_at = now(), message = 'cancelled before it started' WHERE job_id = $1 AND state = 'pending'`,
          [id],
        );
        row = updatedRow<JobRow>(
          await manager.query(
            `UPDATE jobs SET state = 'cancelled', cancelled = total - succeeded - failed - skipped, finished_at = now() WHERE id = $1 RETURNING *`,
            [id],
          ),
        );
      } else {
        row = updatedRow<JobRow>(await manager.query(`UPDATE jobs SET state = 'cancelling' WHERE id = $1 RETURNING *`, [id]));
      }
      const summary = toJobSummary(row);
      this.announce(summary, row.scope_chain as ScopeChain);
      return summary;
    });
  }

  private announce(summary: JobSummary, scopeChain: ScopeChain): void {
    announceJob(this.events, summary, scopeChain);
  }
}
