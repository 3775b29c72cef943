import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AppConfig } from '@cockpit/api-config';
import { APP_CONFIG, DomainError } from '@cockpit/api-core';
import { EventHubService } from '@cockpit/api-events';
import { agentError, HostConnections, InventoryService } from '@cockpit/api-hosts';
import { GrantsService } from '@cockpit/api-auth';
import {
  announceJob,
  INTERRUPTED,
  JobEngine,
  JobsService,
  type JobHandler,
  type JobTargetRef,
  type TargetContext,
  type TargetOutcome,
} from '@cockpit/api-jobs';
import { FINISHED_MIGRATION_STATES, type Job, type JobSummary, type MigrationState, type ScopeChain } from '@cockpit/contracts';
import type { VaporClient } from '@cockpit/vapor-client';
import { MigrationStore, type DrivenRow, type MigrationRow } from './migration-store.js';
import { outcomeOf, stopSignal, toProgress } from './driver-support.js';
import { MIGRATION_KIND, MigrationsService } from './migrations.service.js';

/** How often a running migration's host job is read (progress goes out on each read). */
const TICK_MS = 500;
/** How often a queued migration asks for a slot again. */
const QUEUE_POLL_MS = 500;
const MiB = 1024 * 1024;

type Final = Extract<MigrationState, 'succeeded' | 'failed' | 'cancelled'>;

const message = (error: unknown) => (error instanceof DomainError || error instanceof Error ? error.message : String(error));

/**
 * Drives each migration of a `vm.migration` job: waits for a slot (per-host and fleet limits,
 * decided under one lock), runs the pre-flight checks again, asks the source host to move the VM
 * (or the disks, one after another), follows the host's job every half second (progress out as
 * `job.progress`, bandwidth changes and cancels in, stalls aborted), and ends only once it has
 * read where the VM runs. An instance that takes the job over resumes from the row and the host's
 * own job: it adopts a migration already started, never starts a second.
 */
@Injectable()
export class MigrationDriver implements JobHandler<{ origin: string }>, OnModuleInit, OnModuleDestroy {
  readonly kind = MIGRATION_KIND;
  readonly queue: { name: string; perInstance: number };
  private readonly logger = new Logger('MigrationDriver');
  private readonly stallMs: number;
  private sweeper?: NodeJS.Timeout;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly store: MigrationStore,
    private readonly migrations: MigrationsService,
    private readonly connections: HostConnections,
    private readonly inventory: InventoryService,
    private readonly grants: GrantsService,
    private readonly jobs: JobsService,
    private readonly events: EventHubService,
    engine: JobEngine,
  ) {
    this.queue = { name: 'cockpit-migrations', perInstance: config.migrations.perInstance };
    this.stallMs = config.migrations.stallSeconds * 1000;
    engine.register(this);
  }

  onModuleInit(): void {
    this.sweeper = setInterval(() => {
      this.store.sweepOrphans().catch((error: unknown) => this.logger.warn(`Sweeping migrations failed: ${message(error)}`));
    }, 5_000);
    this.sweeper.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.sweeper);
  }

  perGroup(): number {
    // Real limits are the slots (per host and fleet-wide, across jobs); this only bounds one job's waiters.
    return 64;
  }

  /** After a takeover the row and the host's job say where it stands: run picks it up from there. */
  async reconcile(): Promise<'retry'> {
    return 'retry';
  }

  async run(target: JobTargetRef, context: TargetContext<{ origin: string }>): Promise<TargetOutcome | typeof INTERRUPTED> {
    const id = target.targetId;
    const stop = stopSignal(context, this.jobs);
    try {
      return await this.drive(id, stop);
    } finally {
      stop.dispose();
    }
  }

  private async drive(id: string, stop: { signal: AbortSignal }): Promise<TargetOutcome | typeof INTERRUPTED> {
    const context = stop;
    let troubleSince: number | null = null;
    for (;;) {
      if (context.signal.aborted) return INTERRUPTED;
      try {
        const row = await this.store.driven(id);
        if (!row) return { state: 'failed', message: `Migration ${id} is gone` };
        if (FINISHED_MIGRATION_STATES.includes(row.state)) return outcomeOf(row);
        if (troubleSince !== null && Date.now() - troubleSince > this.stallMs) {
          // Not reachable (a host, the database) for as long as a stall: settle it from where the VM is.
          await this.settleWithoutJob(row, `Could not follow it for ${Math.round(this.stallMs / 1000)} s`);
          continue;
        }
        if (row.state !== 'queued') {
          const ended = await this.follow(row, stop);
          if (ended === INTERRUPTED) return INTERRUPTED;
          troubleSince = null;
          continue;
        }
        if (row.cancel_requested || row.job_state === 'cancelling') {
          await this.end(row, 'cancelled', 'cancelled before it started');
          continue;
        }
        if (!(await this.claim(row))) await sleep(QUEUE_POLL_MS, undefined, { signal: context.signal }).catch(() => undefined);
        troubleSince = null;
      } catch (error) {
        if (context.signal.aborted) return INTERRUPTED;
        // A host or the database away for a moment: try again; the record is settled, never left behind.
        troubleSince ??= Date.now();
        this.logger.warn(`Migration ${id}: ${message(error)} (trying again)`);
        await sleep(2_000, undefined, { signal: context.signal }).catch(() => undefined);
      }
    }
  }

  /**
   * Takes a slot if the limits allow and the checks still pass (both decided under the slot lock):
   * true once it left the queue, started or failed.
   */
  private async claim(row: DrivenRow): Promise<boolean> {
    if (row.type === 'storage') {
      await this.store.update(row.id, { state: 'running', started_at: new Date(), reason: null });
      return true;
    }
    const grants = row.actor_id ? await this.grants.forUser(row.actor_id) : [];
    return this.store.underSlotLock(async () => {
      const result = await this.migrations.preflight(grants, { vmId: row.vm_id, targetHostId: row.target_host_id }, row.options, {
        self: row.id,
      });
      const failed = result.checks.filter((check) => check.outcome === 'fail');
      if (failed.length) {
        await this.store.finish(row.id, 'failed', `Refused at start: ${failed.map((check) => check.message).join('; ')}`, {
          preflight: result.checks,
        });
        return true;
      }
      const waiting = result.checks.find((check) => check.check === 'concurrency' && check.outcome === 'warn');
      if (waiting) {
        if (row.reason !== waiting.message) await this.store.update(row.id, { reason: waiting.message });
        return false;
      }
      await this.store.update(row.id, {
        state: 'preflight',
        started_at: new Date(),
        preflight: result.checks,
        options: { ...result.options, maxBandwidthMBps: row.max_bandwidth_mbps },
        reason: null,
      });
      return true;
    });
  }

  /** Starts (or adopts) the host's job and follows it to the end. */
  private async follow(initial: DrivenRow, context: { signal: AbortSignal }): Promise<void | typeof INTERRUPTED> {
    let row: DrivenRow = initial;
    const { host: sourceHost, client } = await this.connections.clientFor(row.source_host_id, 10_000);
    const summary = await this.jobs.get(row.job_id);
    let agentJobId = row.agent_job_id ?? (await this.start(row, client, sourceHost.name));
    if (!agentJobId) return; // it ended (refused by the host); the row says how
    let applied = row.options.maxBandwidthMBps;
    let cancelSent = false;
    let lastBytes = -1;
    let lastMove = Date.now();
    let unreachableSince: number | null = null;
    for (;;) {
      if (context.signal.aborted) return INTERRUPTED;
      let job: Job;
      try {
        job = await client.getJob(agentJobId);
        unreachableSince = null;
      } catch (error) {
        const mapped = agentError(sourceHost.name, error);
        if (mapped.status === 404) {
          // The host forgot its job (it restarted): where the VM runs says how it ended.
          await this.settleWithoutJob(row, `host ${sourceHost.name} no longer knows the migration`);
          return;
        }
        unreachableSince ??= Date.now();
        if (Date.now() - unreachableSince > this.stallMs) {
          await this.end(
            row,
            'failed',
            `Lost contact with ${sourceHost.name} for ${Math.round(this.stallMs / 1000)} s: ${mapped.message}`,
          );
          return;
        }
        await sleep(TICK_MS, undefined, { signal: context.signal }).catch(() => undefined);
        continue;
      }
      const progress = toProgress(job, applied);
      if (job.state !== 'running') {
        const next = await this.finished(row, job, client);
        if (next === 'next-disk') {
          row = (await this.store.driven(row.id)) ?? row;
          const started = await this.start(row, client, sourceHost.name);
          if (!started) return;
          agentJobId = started;
          lastBytes = -1;
          lastMove = Date.now();
          continue;
        }
        return;
      }
      const completing = job.progress.phase === 'stop-and-copy' || job.progress.phase === 'pivot';
      row = (await this.store.driven(row.id)) ?? row;
      if (progress.transferredBytes !== lastBytes) {
        lastBytes = progress.transferredBytes;
        lastMove = Date.now();
      }
      const state: MigrationState = completing ? 'completing' : 'running';
      row = {
        ...(await this.store.update(row.id, {
          state,
          progress,
          transferred_bytes: Math.round(progress.transferredBytes),
          iterations: progress.iteration,
        })),
        job_state: row.job_state,
      };
      this.announce(summary, row);
      if ((row.cancel_requested || row.job_state === 'cancelling') && !cancelSent) {
        cancelSent = true;
        await client.cancelJob(agentJobId).catch(async (error: unknown) => {
          const mapped = agentError(sourceHost.name, error);
          await this.store.update(row.id, { reason: `Cancel refused: ${mapped.message}` });
        });
      } else if (Date.now() - lastMove > this.stallMs && !cancelSent) {
        cancelSent = true;
        await this.store.update(row.id, {
          reason: `Stalled: no progress for ${Math.round(this.stallMs / 1000)} s (at ${Math.round(progress.transferredBytes / MiB)} of ${Math.round(progress.totalBytes / MiB)} MiB): aborted`,
        });
        await client.cancelJob(agentJobId).catch(() => undefined);
      } else if (row.max_bandwidth_mbps !== applied && !completing) {
        const wanted = row.max_bandwidth_mbps;
        try {
          await client.setJobBandwidth(agentJobId, wanted);
          applied = wanted;
        } catch (error) {
          this.logger.warn(`Migration ${row.id}: bandwidth change refused: ${message(error)}`);
          applied = wanted; // asked once; the row keeps what was wanted, the progress what is in force
        }
      }
      await sleep(TICK_MS, undefined, { signal: context.signal }).catch(() => undefined);
    }
  }

  /** Asks the source host to start the next step; answers its job id, or undefined once the migration ended. */
  private async start(row: DrivenRow, client: VaporClient, hostName: string): Promise<string | undefined> {
    // Taken over between asking the host and recording its answer: adopt the job the host started.
    const since = (row.started_at?.getTime() ?? Date.now()) - 5_000;
    const adopt = (await client.listJobs().catch(() => [] as Job[])).find(
      (job) =>
        job.vmId === row.vm_id &&
        job.type === (row.type === 'storage' ? 'storage-migration' : 'migration') &&
        Date.parse(job.startedAt) >= since &&
        (row.type !== 'storage' || job.state === 'running'),
    );
    if (adopt) {
      await this.store.update(row.id, { agent_job_id: adopt.id, state: 'running' });
      return adopt.id;
    }
    try {
      let job: Job;
      if (row.type === 'storage') {
        const disk = row.storage.find((move) => move.state === 'pending' || move.state === 'running');
        if (!disk) {
          await this.end(row, 'succeeded', null);
          return undefined;
        }
        job = await client.migrateStorage({
          vmId: row.vm_id,
          diskId: disk.diskId,
          targetPoolId: disk.toPoolId,
          maxBandwidthMBps: row.max_bandwidth_mbps,
          deleteSource: row.delete_source,
        });
        await this.store.update(row.id, {
          agent_job_id: job.id,
          state: 'running',
          storage: row.storage.map((move) => (move.diskId === disk.diskId ? { ...move, state: 'running' } : move)),
        });
      } else {
        const { peer } = await this.connections.peerRef(row.target_host_id);
        const { copyStorage, ...rest } = row.options;
        job = await client.migrate({
          vmId: row.vm_id,
          destination: peer,
          options: { ...rest, copyStorage, maxBandwidthMBps: row.max_bandwidth_mbps },
        });
        await this.store.update(row.id, { agent_job_id: job.id, state: 'running' });
      }
      return job.id;
    } catch (error) {
      const mapped = agentError(hostName, error);
      await this.end(row, 'failed', mapped.message);
      return undefined;
    }
  }

  /** The host's job ended: record how, after reading where the VM runs now. */
  private async finished(seen: DrivenRow, job: Job, client: VaporClient): Promise<'next-disk' | void> {
    // Read again: a stall's reason was written after `seen` was read.
    const row = (await this.store.driven(seen.id)) ?? seen;
    const result = { downtime_ms: job.result?.downtimeMs ?? null, transferred_bytes: Math.round(job.progress.transferredBytes) };
    if (row.type === 'storage') {
      const current = row.storage.find((move) => move.state === 'running');
      const state = job.state === 'completed' ? 'done' : job.state === 'cancelled' ? 'cancelled' : 'failed';
      const storage = row.storage.map((move) => (move === current ? { ...move, state } : move));
      await this.store.update(row.id, { storage, agent_job_id: null });
      await this.refresh(row.source_host_id, row.vm_id, client);
      if (state === 'done')
        return storage.some((move) => move.state === 'pending')
          ? 'next-disk'
          : void (await this.end(row, 'succeeded', null, result));
      const reason = row.reason?.startsWith('Stalled') ? row.reason : (job.result?.error ?? `disk ${current?.diskId} ${state}`);
      await this.end(row, state === 'cancelled' && !row.reason?.startsWith('Stalled') ? 'cancelled' : 'failed', reason, result);
      return;
    }
    if (job.state === 'completed') {
      await this.store.update(row.id, { state: 'completing' });
      const arrived = await this.connections.call(row.target_host_id, (target) => target.getVm(row.vm_id)).catch(() => undefined);
      if (arrived) await this.inventory.upsertVm(row.target_host_id, arrived);
      // Kept on the source (undefineSource: false), its inactive definition stays there, out of the inventory's one row per VM.
      if (row.options.undefineSource) await this.inventory.deleteVm(row.source_host_id, row.vm_id);
      await this.end(
        row,
        arrived ? 'succeeded' : 'failed',
        arrived ? null : `${row.source_host_name} says it is done, but ${row.target_host_name} does not show ${row.vm_name}`,
        result,
      );
      return;
    }
    // Failed or cancelled: it must still run on the source; check, and say so.
    const there = await this.refresh(row.source_host_id, row.vm_id, client);
    const stalled = row.reason?.startsWith('Stalled') ? row.reason : null;
    const cause = stalled ?? (job.state === 'cancelled' ? 'cancelled' : (job.result?.error ?? 'the host gave no reason'));
    const where = there
      ? ` ${row.vm_name} is ${there} on ${row.source_host_name}.`
      : ` ${row.vm_name} was not found on ${row.source_host_name}.`;
    await this.end(row, job.state === 'cancelled' && !stalled ? 'cancelled' : 'failed', `${cause}.${where}`, result);
  }

  /** The host lost its job (restarted): the VM is where it is; that is the outcome. */
  private async settleWithoutJob(row: DrivenRow, why: string): Promise<void> {
    const onTarget =
      row.type !== 'storage' &&
      (await this.connections.call(row.target_host_id, (target) => target.getVm(row.vm_id)).catch(() => undefined));
    if (onTarget) {
      await this.inventory.upsertVm(row.target_host_id, onTarget);
      await this.end(row, 'succeeded', `${why}; ${row.vm_name} runs on ${row.target_host_name}`);
      return;
    }
    const onSource = await this.connections.call(row.source_host_id, (source) => source.getVm(row.vm_id)).catch(() => undefined);
    if (onSource) await this.inventory.upsertVm(row.source_host_id, onSource);
    await this.end(
      row,
      'failed',
      `${why}; ${row.vm_name} ${onSource ? `is ${onSource.state} on ${row.source_host_name}` : 'was found on neither host'}`,
    );
  }

  /** Reads the VM from a host into the inventory; answers its state there (undefined: not there). */
  private async refresh(hostId: string, vmId: string, client: VaporClient): Promise<string | undefined> {
    const vm = await client.getVm(vmId).catch(() => undefined);
    if (vm) await this.inventory.upsertVm(hostId, vm);
    return vm?.state;
  }

  private async end(
    row: MigrationRow,
    state: Final,
    reason: string | null,
    extra: Partial<Record<keyof MigrationRow, unknown>> = {},
  ) {
    const done = await this.store.finish(row.id, state, reason, {
      ...extra,
      agent_job_id: row.type === 'storage' ? null : row.agent_job_id,
    });
    const summary = await this.jobs.get(row.job_id).catch(() => undefined);
    if (summary) this.announce(summary, done);
  }

  private announce(summary: JobSummary, row: MigrationRow): void {
    announceJob(this.events, summary, summary.scope === '/' ? ['/'] : (row.scope_chain as ScopeChain), {
      migrationId: row.id,
      vmId: row.vm_id,
      state: row.state,
      reason: row.reason,
      progress: row.progress,
    });
  }
}
