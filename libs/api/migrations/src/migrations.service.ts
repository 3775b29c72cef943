import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AccessService } from '@cockpit/api-access';
import type { AppConfig } from '@cockpit/api-config';
import {
  APP_CONFIG,
  ConflictError,
  keysetPage,
  NotFoundError,
  UnitOfWork,
  type Principal,
  type SortField,
} from '@cockpit/api-core';
import { InventoryService, type HostCapacity } from '@cockpit/api-hosts';
import { JobsService } from '@cockpit/api-jobs';
import {
  FINISHED_MIGRATION_STATES,
  hostScopeChain,
  isAllowed,
  type FleetVm,
  type Grant,
  type JobSummary,
  type MigrateOptions,
  type Migration,
  type MigrationState,
  type Page,
  type Preflight,
  type ScopeChain,
  type ScopePath,
} from '@cockpit/contracts';
import {
  activityFrom,
  MigrationStore,
  toMigration,
  type MigrationRow,
  type NewMigration,
  type UnderWay,
} from './migration-store.js';
import { preflight, type MigrationLimits } from './preflight.js';

export const MIGRATION_KIND = 'vm.migration';

export type { UnderWay };

export interface MoveRequest {
  vmId: string;
  targetHostId: string;
}

const fields: Record<string, SortField<MigrationRow>> = {
  createdAt: { sql: 'm.created_at', value: (row) => row.created_at.toISOString() },
  state: { sql: 'm.state', value: (row) => row.state },
  vmName: { sql: 'm.vm_name', value: (row) => row.vm_name },
};
const idField: SortField<MigrationRow> = { sql: 'm.id::text', value: (row) => row.id };

const failures = (result: Preflight) => result.checks.filter((check) => check.outcome === 'fail');

/**
 * Migrations as people ask for them: pre-flight answers, queueing one move or a plan of them as
 * a job (its record committed with the request and its audit), the history, cancel and a
 * bandwidth change. Driving them is the MigrationDriver's.
 */
@Injectable()
export class MigrationsService {
  readonly limits: MigrationLimits;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly unitOfWork: UnitOfWork,
    private readonly store: MigrationStore,
    private readonly inventory: InventoryService,
    private readonly access: AccessService,
    private readonly jobs: JobsService,
  ) {
    this.limits = {
      outboundPerHost: config.migrations.outboundPerHost,
      inboundPerHost: config.migrations.inboundPerHost,
      fleet: config.migrations.fleet,
    };
    // A migration sits where its VM sat when it was asked: its viewers may see it, its migrators cancel it.
    access.registerKind('migration', {
      view: 'vm.view',
      label: 'migration',
      resolve: async (id) => (await this.store.get(id))?.scope_chain as ScopeChain | undefined,
    });
  }

  /** One VM against one host, for a caller with these grants (`self`: a migration re-checking itself). */
  async preflight(
    grants: readonly Grant[],
    move: MoveRequest,
    options: MigrateOptions,
    context: {
      vm?: FleetVm;
      hosts?: Map<string, HostCapacity>;
      self?: string;
      extraInboundMiB?: number;
      /** Migrations under way, read once for many checks (else read for this one). */
      underWay?: readonly UnderWay[];
    } = {},
  ): Promise<Preflight> {
    const vm = context.vm ?? (await this.inventory.getVm(move.vmId));
    const hosts =
      context.hosts ?? new Map((await this.inventory.capacities([vm.hostId, move.targetHostId])).map((h) => [h.hostId, h]));
    const target = hosts.get(move.targetHostId);
    if (!target) throw new NotFoundError(`No host ${move.targetHostId}`);
    const around = { vmId: vm.id, sourceHostId: vm.hostId, targetHostId: target.hostId, self: context.self };
    const activity = context.underWay ? activityFrom(context.underWay, around) : await this.store.activity(around);
    activity.inboundMemoryMiB += context.extraInboundMiB ?? 0;
    const vmChain: ScopeChain = ['/', `/hosts/${vm.hostId}`, `/vms/${vm.id}`];
    return preflight({
      vm,
      source: hosts.get(vm.hostId),
      target,
      options,
      permissions: {
        onVm: isAllowed(grants, 'vm.migrate', vmChain),
        onTarget: isAllowed(grants, 'vm.migrate', hostScopeChain(target.hostId)),
      },
      activity,
      limits: this.limits,
    });
  }

  /** Migrations under way (for many checks at once). */
  underWay(): Promise<UnderWay[]> {
    return this.store.unfinished();
  }

  /** Many VMs against one host, or one VM against every host the caller may view. */
  async matrix(principal: Principal, body: { vmIds: string[]; targetHostIds?: string[]; options: MigrateOptions }) {
    const viewable = AccessService.visibility(principal.grants, 'vm.view');
    const refs = await this.inventory.vmRefs({ ids: body.vmIds, visible: viewable }, body.vmIds.length);
    const found = new Set(refs.map((ref) => ref.id));
    const missing = body.vmIds.filter((id) => !found.has(id));
    if (missing.length) throw new NotFoundError(`No VM ${missing.slice(0, 5).join(', ')}`);
    const all = await this.inventory.capacities(body.targetHostIds);
    const hosts = new Map(all.map((host) => [host.hostId, host]));
    const targets = all.filter(
      (host) =>
        (!body.targetHostIds || body.targetHostIds.includes(host.hostId)) &&
        isAllowed(principal.grants, 'host.view', hostScopeChain(host.hostId)),
    );
    if (body.targetHostIds && targets.length < new Set(body.targetHostIds).size)
      throw new NotFoundError(`No host ${body.targetHostIds.find((id) => !targets.some((host) => host.hostId === id))}`);
    const results: Preflight[] = [];
    const underWay = await this.store.unfinished();
    for (const id of body.vmIds) {
      const vm = await this.inventory.getVm(id);
      if (!hosts.has(vm.hostId)) for (const host of await this.inventory.capacities([vm.hostId])) hosts.set(host.hostId, host);
      for (const target of targets) {
        if (target.hostId === vm.hostId) continue;
        results.push(
          await this.preflight(principal.grants, { vmId: id, targetHostId: target.hostId }, body.options, {
            vm,
            hosts,
            underWay,
          }),
        );
      }
    }
    return { results };
  }

  /** Queues one move after its checks pass; any failure is a 409 with every reason. */
  async start(principal: Principal, body: MoveRequest & { options: MigrateOptions }): Promise<Migration> {
    await this.access.authorize(principal, 'vm.migrate', 'host', body.targetHostId);
    const result = await this.preflight(principal.grants, body, body.options);
    const failed = failures(result);
    if (failed.length)
      throw new ConflictError(
        `Cannot migrate ${result.vmName} to ${result.target.name}: ${failed.map((check) => check.message).join('; ')}`,
        failed.map((check) => ({ path: check.check, message: check.message })),
      );
    const [id] = await this.submit(principal, [result], 'single', `Migrate ${result.vmName} to ${result.target.name}`);
    return this.get(id as string);
  }

  /** Queues the moves of a plan as one job (each checked again when it starts). */
  async submit(
    principal: Pick<Principal, 'userId' | 'name'>,
    moves: readonly Preflight[],
    origin: Migration['origin'],
    title: string,
  ): Promise<string[]> {
    const vms = new Map((await this.inventory.vmsOn([...new Set(moves.map((move) => move.source.id))])).map((vm) => [vm.id, vm]));
    const ids = moves.map(() => randomUUID());
    await this.unitOfWork.run(async () => {
      const job = await this.jobs.submit({
        kind: MIGRATION_KIND,
        title,
        scope: scopeOf(moves.map((move) => ({ vmId: move.vmId, hostId: move.source.id }))),
        actor: { id: principal.userId, name: principal.name },
        params: { origin },
        targets: moves.map((move, index) => ({ targetId: ids[index] as string, label: move.vmName, group: move.source.id })),
      });
      await this.store.insert(
        moves.map((move, index): NewMigration => ({
          id: ids[index] as string,
          job_id: job.id,
          type: move.type,
          vm_id: move.vmId,
          vm_name: move.vmName,
          memory_mib: vms.get(move.vmId)?.memoryMiB ?? 0,
          source_host_id: move.source.id,
          source_host_name: move.source.name,
          target_host_id: move.target.id,
          target_host_name: move.target.name,
          scope_chain: ['/', `/hosts/${move.source.id}`, `/vms/${move.vmId}`],
          options: move.options,
          storage: [],
          delete_source: true,
          preflight: move.checks,
          max_bandwidth_mbps: move.options.maxBandwidthMBps,
          origin,
          actor_id: principal.userId,
          actor_name: principal.name,
        })),
      );
    });
    return ids;
  }

  async get(id: string): Promise<Migration> {
    const row = await this.store.get(id);
    if (!row) throw new NotFoundError(`No migration ${id}`);
    return toMigration(row);
  }

  async page(
    grants: readonly Grant[],
    query: {
      limit: number;
      cursor?: string;
      sort: string;
      vmId?: string;
      hostId?: string;
      state?: MigrationState;
      active?: boolean;
      since?: string;
      until?: string;
    },
  ): Promise<Page<Migration>> {
    const where: string[] = [];
    const params: unknown[] = [];
    const visible = grants.filter((grant) => grant.permissions.includes('vm.view')).map((grant) => grant.scope);
    if (!visible.includes('/')) where.push(`m.scope_chain && $${params.push(visible)}::text[]`);
    if (query.vmId) where.push(`m.vm_id = $${params.push(query.vmId)}`);
    if (query.hostId) {
      const at = params.push(query.hostId);
      where.push(`(m.source_host_id = $${at} OR m.target_host_id = $${at})`);
    }
    if (query.state) where.push(`m.state = $${params.push(query.state)}`);
    if (query.active !== undefined)
      where.push(`m.state ${query.active ? '<> ALL' : '= ANY'}($${params.push(FINISHED_MIGRATION_STATES)})`);
    if (query.since) where.push(`m.created_at >= $${params.push(query.since)}`);
    if (query.until) where.push(`m.created_at < $${params.push(query.until)}`);
    return keysetPage(
      (text, values) => this.dataSource.query(text, values),
      {
        select: 'SELECT m.* FROM migrations m',
        countFrom: 'FROM migrations m',
        where,
        params,
        sort: query.sort,
        fields,
        id: idField,
        limit: query.limit,
        cursor: query.cursor,
      },
      toMigration,
    );
  }

  /** Asks the driver to stop it (a queued one stops before it starts); during the switch-over it cannot be. */
  async cancel(id: string): Promise<Migration> {
    return this.unitOfWork.run(async () => {
      const row = await this.store.getForUpdate(id);
      if (!row) throw new NotFoundError(`No migration ${id}`);
      if (FINISHED_MIGRATION_STATES.includes(row.state))
        throw new ConflictError(`The migration of ${row.vm_name} has already ${row.state}`);
      if (row.state === 'completing')
        throw new ConflictError(
          `${row.vm_name} is switching over to ${row.target_host_name}: the migration can no longer be cancelled`,
        );
      const updated = await this.store.update(id, { cancel_requested: true });
      // A job of this one migration ends cancelled with it (a plan's job goes on with its other moves).
      if (updated.origin === 'single') {
        const job = await this.jobs.get(updated.job_id);
        if (job.state === 'queued' || job.state === 'running') {
          const after = await this.jobs.cancel(updated.job_id);
          // Cancelled before any instance picked it up: no driver will see this one.
          if (after.state === 'cancelled')
            return toMigration(await this.store.finish(id, 'cancelled', 'cancelled before it started'));
        }
      }
      return toMigration(updated);
    });
  }

  /** A new bandwidth limit; the driver passes it to the host within a second. */
  async setBandwidth(id: string, maxBandwidthMBps: number | null): Promise<Migration> {
    return this.unitOfWork.run(async () => {
      const row = await this.store.getForUpdate(id);
      if (!row) throw new NotFoundError(`No migration ${id}`);
      if (FINISHED_MIGRATION_STATES.includes(row.state))
        throw new ConflictError(`The migration of ${row.vm_name} has already ${row.state}`);
      if (row.state === 'completing')
        throw new ConflictError(`${row.vm_name} is switching over: its bandwidth no longer matters`);
      return toMigration(await this.store.update(id, { max_bandwidth_mbps: maxBandwidthMBps }));
    });
  }

  async jobOf(id: string): Promise<JobSummary> {
    return this.jobs.get((await this.get(id)).jobId);
  }
}

/** The narrowest scope holding every VM moved: one VM, one host, or everything. */
function scopeOf(vms: readonly { vmId: string; hostId: string }[]): ScopePath {
  const [first] = vms;
  if (vms.length === 1 && first) return `/vms/${first.vmId}`;
  const hosts = new Set(vms.map((vm) => vm.hostId));
  const [host] = hosts;
  return hosts.size === 1 && host ? `/hosts/${host}` : '/';
}
