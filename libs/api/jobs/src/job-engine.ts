import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { PgBoss, type Db } from 'pg-boss';
import { DataSource, type EntityManager } from 'typeorm';
import type { AppConfig } from '@cockpit/api-config';
import { APP_CONFIG } from '@cockpit/api-core';
import { EventHubService } from '@cockpit/api-events';
import type { ScopeChain } from '@cockpit/contracts';
import { INTERRUPTED, type JobHandler, type JobTargetRef, type TargetContext, type TargetOutcome } from './job-handler.js';
import { announceJob, toJobSummary, updatedRow, type JobRow } from './job-rows.js';
import { runTargets } from './target-runner.js';

/** One pg-boss queue carries every kind of job but those with a queue of their own; the row's `kind` picks the handler. */
const QUEUE = 'cockpit-jobs';
const PGBOSS_SCHEMA = 'pgboss';
/** Progress is written and announced at most this often per job. */
const PROGRESS_EVERY_MS = 300;
/**
 * Targets of one job running at once on one instance, whatever their groups: what an instance's
 * sockets and database pool take without starving the rest (64 held a 100-host job at 4 per host
 * to a sixth of its limit; bench:bulk).
 */
const OVERALL_PER_JOB = 256;

/**
 * Marks pending targets running if their job is running and still at this attempt; answers the
 * job's state and attempt either way, and which were marked (one statement for a batch of starts:
 * the gate and the mark together).
 */
const START_TARGETS = `WITH job AS (SELECT state, attempts FROM jobs WHERE id = $1),
  started AS (
    UPDATE job_targets t SET state = 'running', started_at = x.at
    FROM unnest($2::text[], $4::timestamptz[]) AS x(id, at)
    WHERE t.job_id = $1 AND t.target_id = ANY($2::text[]) AND t.target_id = x.id AND t.state = 'pending'
      AND EXISTS (SELECT 1 FROM job WHERE state = 'running' AND attempts = $3)
    RETURNING t.target_id)
  SELECT (SELECT state FROM job) AS job_state, (SELECT attempts FROM job) AS attempts,
    COALESCE((SELECT array_agg(target_id) FROM started), '{}') AS started`;

/** Outcomes of many targets in one statement (`finished_at` as this instance saw it). */
const RECORD_OUTCOMES = `UPDATE job_targets t SET state = x.state, message = x.message, finished_at = x.finished_at
  FROM jsonb_to_recordset($2::jsonb) AS x(id text, state text, message text, finished_at timestamptz)
  WHERE t.job_id = $1 AND t.target_id = x.id`;
/** Outcomes are written at most this long after their target finished (in one statement for all). */
const OUTCOMES_EVERY_MS = 50;

/** Targets as the runner reads them (`group` is what limits concurrency). */
const TARGET_COLUMNS = 'target_id AS "targetId", label, group_key AS "group"';

/** pg-boss statements run on the connection of a TypeORM transaction (so a job is queued only if it commits). */
function onManager(manager: EntityManager): Db {
  const runner = manager.queryRunner;
  if (!runner) throw new Error('A job is queued inside a transaction');
  return {
    executeSql: async (text: string, values?: unknown[]) => {
      const result = (await runner.query(text, values ?? [], true)) as { records: unknown[] };
      return { rows: result.records };
    },
  } as Db;
}

/**
 * Runs durable jobs on pg-boss. Any instance may run any job; the instance running one keeps a
 * heartbeat on it, and when the heartbeat stops (the process died) pg-boss hands the job to
 * another instance, which resumes it from its targets' rows: done ones stay done, the one in
 * flight is reconciled (its true outcome read, not done again), pending ones run.
 *
 * pg-boss keeps its queue tables in its own schema (`pgboss`), installed and upgraded by pg-boss at
 * start under its own lock; Cockpit's tables change only through Cockpit's migrations.
 */
@Injectable()
export class JobEngine implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('JobEngine');
  private readonly handlers = new Map<string, JobHandler<never>>();
  private boss?: PgBoss;
  private stopping = false;
  private readonly running = new Set<AbortController>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly events: EventHubService,
  ) {}

  /** A domain says how to do its kind of job (VMs register bulk actions). */
  register<P>(handler: JobHandler<P>): void {
    this.handlers.set(handler.kind, handler as unknown as JobHandler<never>);
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.databaseUrl) throw new Error('DATABASE_URL is not set');
    const heartbeatSeconds = this.config.jobs.heartbeatSeconds;
    const boss = new PgBoss({
      connectionString: this.config.databaseUrl,
      schema: PGBOSS_SCHEMA,
      application_name: `cockpit-jobs ${this.config.instanceId}`,
      max: 4,
      // Missed heartbeats are found by the supervisor: often enough that a dead instance's job moves within seconds.
      superviseIntervalSeconds: Math.max(2, Math.floor(heartbeatSeconds / 4)),
      monitorIntervalSeconds: Math.max(2, Math.floor(heartbeatSeconds / 4)),
      instanceName: this.config.instanceId,
      // A job submitted on any instance wakes a worker at once (NOTIFY, sent when the submitting
      // transaction commits), not at its next poll; polling stays as the backstop.
      useListenNotify: true,
    });
    boss.on('error', (error: Error) => this.logger.warn(`pg-boss: ${error.message}`));
    await boss.start();
    const queue = {
      heartbeatSeconds,
      // Retries only happen when an instance died or lost the database mid-job: each resumes, never restarts.
      retryLimit: 1000,
      retryDelay: 1,
      expireInSeconds: 24 * 3600,
      notify: true,
    };
    const queues = new Map<string, number>([[QUEUE, this.config.jobs.perInstance]]);
    for (const handler of this.handlers.values()) if (handler.queue) queues.set(handler.queue.name, handler.queue.perInstance);
    for (const [name, perInstance] of queues) {
      await boss.createQueue(name, queue);
      // A queue made by an earlier version keeps its options until told (createQueue leaves it be).
      await boss.updateQueue(name, queue);
      await boss.work<{ jobId: string }>(
        name,
        {
          localConcurrency: perInstance,
          pollingIntervalSeconds: 0.5,
          // Many idle workers on a big queue: NOTIFY wakes them, their backstop poll can be slow.
          notifyPollingIntervalSeconds: name === QUEUE ? 0.5 : 2,
        },
        async ([job]) => {
          if (job) await this.execute(job.data.jobId, job.signal);
        },
      );
    }
    this.boss = boss;
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    for (const controller of this.running) controller.abort();
    // Jobs in hand stop starting targets and give the job back; another instance resumes it.
    await this.boss?.stop({ graceful: true, timeout: 10_000 });
  }

  /** Queues a job whose row the caller just wrote, on the caller's transaction. */
  async enqueue(jobId: string, kind: string, manager: EntityManager): Promise<void> {
    if (!this.boss) throw new Error('The job engine has not started');
    await this.boss.send(this.handlers.get(kind)?.queue?.name ?? QUEUE, { jobId }, { db: onManager(manager) });
  }

  /** Runs (or resumes) one job on this instance. Throws only to hand the job back for another attempt. */
  private async execute(jobId: string, bossSignal: AbortSignal): Promise<void> {
    const claimed = (await this.dataSource.query(
      `UPDATE jobs SET state = CASE WHEN state = 'cancelling' THEN 'cancelling' ELSE 'running' END,
         attempts = attempts + 1, instance = $2, started_at = COALESCE(started_at, now())
       WHERE id = $1 AND state IN ('queued', 'running', 'cancelling') RETURNING *`,
      [jobId, this.config.instanceId],
    )) as [JobRow[], number];
    const job = claimed[0][0];
    if (!job) return; // finished, cancelled while queued, or gone
    const chain = job.scope_chain as ScopeChain;
    const handler = this.handlers.get(job.kind);
    if (!handler) {
      await this.finish(job, chain, 'failed', `No instance knows how to run a ${job.kind} job`);
      return;
    }
    const controller = new AbortController();
    const abort = () => controller.abort();
    bossSignal.addEventListener('abort', abort);
    this.running.add(controller);
    const context: TargetContext<never> = { jobId, params: job.params as never, signal: controller.signal };
    let cancelling = job.state === 'cancelling';
    /** Another instance claimed the job since (this one was presumed dead): start nothing more, never finish it. */
    let lost = false;
    // A target's outcome is durable within 50 ms, many in one statement. One that finished but is
    // not written yet when the instance dies is still `running`: the next attempt reconciles it.
    const outcomes = new OutcomeWriter(OUTCOMES_EVERY_MS, async (batch) => {
      await this.dataSource.query(RECORD_OUTCOMES, [jobId, JSON.stringify(batch)]);
    });
    const progress = new ProgressWriter(PROGRESS_EVERY_MS, async () => {
      await outcomes.flush();
      const row = await this.writeProgress(jobId);
      if (row.attempts !== job.attempts) lost = true;
      else if (row.state === 'cancelling') cancelling = true;
      if (lost || cancelling) controller.abort();
      if (!lost) announceJob(this.events, toJobSummary(row), chain);
    });
    try {
      const perGroup = handler.perGroup(job.params as never);
      const limits = {
        perGroup,
        overall: OVERALL_PER_JOB,
        shouldStop: () => cancelling || lost || this.stopping || bossSignal.aborted,
      };
      // Steps in flight when the previous attempt's instance died: find out how they ended. A
      // cancel does not stop this (it only reads), so no target is left running.
      const interrupted = (await this.dataSource.query(
        `SELECT ${TARGET_COLUMNS} FROM job_targets WHERE job_id = $1 AND state = 'running' ORDER BY ordinal`,
        [jobId],
      )) as JobTargetRef[];
      const reconcileLimits = {
        perGroup,
        overall: OVERALL_PER_JOB,
        shouldStop: () => lost || this.stopping || bossSignal.aborted,
      };
      await runTargets(interrupted, reconcileLimits, async (target) => {
        const outcome = handler.reconcile
          ? await handler.reconcile(target, context).catch((error: unknown) => failure(error))
          : { state: 'failed' as const, message: 'Interrupted: the api instance running it stopped, and its outcome is unknown' };
        if (outcome === 'retry')
          await this.dataSource.query(`UPDATE job_targets SET state = 'pending' WHERE job_id = $1 AND target_id = $2`, [
            jobId,
            target.targetId,
          ]);
        else await this.recordOutcome(jobId, target.targetId, outcome);
        progress.touch();
      });
      const pending = (await this.dataSource.query(
        `SELECT ${TARGET_COLUMNS} FROM job_targets WHERE job_id = $1 AND state = 'pending' ORDER BY ordinal`,
        [jobId],
      )) as JobTargetRef[];
      // Starts that come together (a fill of the runner, or while the last batch was being
      // written) go to the database together, and the handler may read their objects at once.
      const gate = new StartGate(async (asks) => {
        const targets = asks.map((ask) => ask.target);
        const [row] = (await this.dataSource.query(START_TARGETS, [
          jobId,
          targets.map((target) => target.targetId),
          job.attempts,
          asks.map((ask) => ask.at),
        ])) as { job_state: string | null; attempts: number | null; started: string[] }[];
        if (!row || row.attempts !== job.attempts) lost = true;
        else if (row.job_state !== 'running') cancelling = true;
        if (lost || cancelling) controller.abort();
        const started = new Set(row?.started ?? []);
        if (started.size && handler.prepare)
          await handler
            .prepare(
              targets.filter((target) => started.has(target.targetId)),
              context,
            )
            .catch((error: unknown) => this.logger.warn(`Job ${jobId}: preparing targets failed: ${String(error)}`));
        return started;
      });
      await runTargets(pending, limits, async (target) => {
        // A target starts only while the job is running and still this attempt's: a cancel that
        // committed, or another instance that took the job over, stops it here, not one step later.
        if (!(await gate.start(target))) return;
        const outcome = await handler.run(target, context).catch((error: unknown) => failure(error));
        // Given back mid-step (this instance stops): it stays running, the next attempt reconciles it.
        if (outcome === INTERRUPTED) return;
        outcomes.add({
          id: target.targetId,
          state: outcome.state,
          message: outcome.message.slice(0, 2000),
          finished_at: new Date().toISOString(),
        });
        progress.touch();
      });
      // Throws if outcomes could not be written: the attempt ends, the next one reconciles them.
      await outcomes.flush();
      await progress.stop();
      // Taken over while this instance ran it (presumed dead, e.g. frozen past its heartbeat):
      // the attempt that claimed it last owns it; this one writes nothing more.
      if (lost) throw new Error(`Job ${jobId} was taken over by another instance while this one ran it: stopped here`);
      if (!cancelling && (this.stopping || bossSignal.aborted))
        throw new Error('This api instance is stopping: the job goes to another');
      if (cancelling) {
        await this.dataSource.query(
          `UPDATE job_targets SET state = 'cancelled', finished_at = now(), message = 'cancelled before it started' WHERE job_id = $1 AND state = 'pending'`,
          [jobId],
        );
        await this.finish(job, chain, 'cancelled', null);
        return;
      }
      const row = await this.writeProgress(jobId);
      await this.finish(
        job,
        chain,
        row.failed > 0 ? 'failed' : 'succeeded',
        row.failed > 0 ? `${row.failed} of ${row.total} failed` : null,
      );
    } finally {
      await progress.stop();
      bossSignal.removeEventListener('abort', abort);
      this.running.delete(controller);
    }
  }

  private async recordOutcome(jobId: string, targetId: string, outcome: TargetOutcome): Promise<void> {
    await this.dataSource.query(
      `UPDATE job_targets SET state = $3, message = $4, finished_at = now() WHERE job_id = $1 AND target_id = $2`,
      [jobId, targetId, outcome.state, outcome.message.slice(0, 2000)],
    );
  }

  /** Counts from the targets themselves (the truth, whichever attempt wrote them); answers the job row. */
  private async writeProgress(jobId: string): Promise<JobRow> {
    return updatedRow<JobRow>(
      await this.dataSource.query(
        `UPDATE jobs j SET succeeded = c.succeeded, failed = c.failed, skipped = c.skipped, cancelled = c.cancelled
         FROM (SELECT count(*) FILTER (WHERE state = 'succeeded')::int AS succeeded,
                      count(*) FILTER (WHERE state = 'failed')::int AS failed,
                      count(*) FILTER (WHERE state = 'skipped')::int AS skipped,
                      count(*) FILTER (WHERE state = 'cancelled')::int AS cancelled
               FROM job_targets WHERE job_id = $1) c
         WHERE j.id = $1 RETURNING j.*`,
        [jobId],
      ),
    );
  }

  private async finish(
    job: JobRow,
    chain: ScopeChain,
    state: 'succeeded' | 'failed' | 'cancelled',
    error: string | null,
  ): Promise<void> {
    await this.writeProgress(job.id);
    // Only the attempt that holds the job finishes it.
    const [rows] = (await this.dataSource.query(
      `UPDATE jobs SET state = $2, error = $3, finished_at = now() WHERE id = $1 AND attempts = $4 RETURNING *`,
      [job.id, state, error, job.attempts],
    )) as [JobRow[], number];
    const row = rows[0];
    if (!row) throw new Error(`Job ${job.id} was taken over by another instance before this one could finish it`);
    announceJob(this.events, toJobSummary(row), chain);
  }
}

function failure(error: unknown): TargetOutcome {
  return { state: 'failed', message: error instanceof Error ? error.message : String(error) };
}

/**
 * Collects targets asking to start and marks them in one statement per batch: what asks while a
 * batch is being written waits for the next, so a busy job batches itself and an idle one waits
 * no longer than the next turn of the event loop.
 */
class StartGate {
  private queue: { target: JobTargetRef; at: string; resolve(started: boolean): void; reject(error: unknown): void }[] = [];
  private busy = false;

  constructor(private readonly mark: (asks: { target: JobTargetRef; at: string }[]) => Promise<Set<string>>) {}

  start(target: JobTargetRef): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.queue.push({ target, at: new Date().toISOString(), resolve, reject });
      if (this.busy) return;
      this.busy = true;
      setImmediate(() => void this.drain());
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length) {
      const batch = this.queue.splice(0, 1000);
      try {
        // Each target's start is recorded as when it asked: after the runner let it go (so the
        // record shows no more at once than ran), before its step began.
        const started = await this.mark(batch);
        for (const entry of batch) entry.resolve(started.has(entry.target.targetId));
      } catch (error) {
        for (const entry of batch) entry.reject(error);
      }
    }
    this.busy = false;
  }
}

interface Outcome {
  id: string;
  state: TargetOutcome['state'];
  message: string;
  finished_at: string;
}

/**
 * Collects targets' outcomes and writes them together at most `everyMs` after the first: one
 * statement however many finished meanwhile. A batch that fails stays queued for the next flush;
 * `flush()` answers whether everything queued so far is written.
 */
class OutcomeWriter {
  private queue: Outcome[] = [];
  private timer?: NodeJS.Timeout;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly everyMs: number,
    private readonly write: (batch: Outcome[]) => Promise<void>,
  ) {}

  add(outcome: Outcome): void {
    this.queue.push(outcome);
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.flush().catch(() => undefined); // kept queued: the next flush tries again
    }, this.everyMs);
  }

  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const run = this.writing.then(async () => {
      const batch = this.queue.splice(0);
      if (!batch.length) return;
      try {
        await this.write(batch);
      } catch (error) {
        this.queue.unshift(...batch);
        throw error;
      }
    });
    this.writing = run.catch(() => undefined);
    return run;
  }
}

/** Writes progress at most every `everyMs` while targets keep finishing, and once more at the end. */
class ProgressWriter {
  private timer?: NodeJS.Timeout;
  private dirty = false;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly everyMs: number,
    private readonly write: () => Promise<void>,
  ) {}

  touch(): void {
    this.dirty = true;
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, this.everyMs);
  }

  private flush(): void {
    if (!this.dirty) return;
    this.dirty = false;
    this.writing = this.writing.then(this.write).catch(() => {
      // The database blipped: the next write (or the final count) catches up.
      this.dirty = true;
    });
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.flush();
    await this.writing;
  }
}
