import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { ConflictError, UnitOfWork, type Principal } from '@cockpit/api-core';
import { InventoryService } from '@cockpit/api-hosts';
import { JobsService } from '@cockpit/api-jobs';
import type { Migration, StorageMigrationBody } from '@cockpit/contracts';
import { MigrationStore } from './migration-store.js';
import { MIGRATION_KIND, MigrationsService } from './migrations.service.js';

/**
 * Storage migrations: disks of a running VM to other pools on its own host, checked first
 * (the VM, its host, each pool's room, snapshots a mirror would lose), then one job whose driver
 * moves them one after another.
 */
@Injectable()
export class StorageMoves {
  constructor(
    private readonly unitOfWork: UnitOfWork,
    private readonly store: MigrationStore,
    private readonly inventory: InventoryService,
    private readonly jobs: JobsService,
    private readonly migrations: MigrationsService,
  ) {}

  /** Disks of a running VM to other pools on its host, one after another, as one job. */
  async start(principal: Principal, body: StorageMigrationBody & { deleteSource: boolean }): Promise<Migration> {
    const vm = await this.inventory.getVm(body.vmId);
    const [host] = await this.inventory.capacities([vm.hostId]);
    const problems: string[] = [];
    if (vm.state === 'migrating') problems.push(`${vm.name} is migrating`);
    if (!host || !host.enabled || host.state !== 'connected')
      problems.push(`its host ${vm.hostName} is ${host?.state ?? 'gone'}`);
    const activity = await this.store.activity({ vmId: vm.id, sourceHostId: vm.hostId, targetHostId: vm.hostId });
    if (activity.vmBusy) problems.push(`${vm.name} already has a migration queued or running`);
    const needs = new Map<string, number>();
    for (const move of body.disks) {
      const disk = vm.disks.find((candidate) => candidate.id === move.diskId);
      if (!disk) {
        problems.push(`${vm.name} has no disk "${move.diskId}"`);
        continue;
      }
      if (disk.poolId === move.targetPoolId) problems.push(`disk ${disk.id} is already on pool "${move.targetPoolId}"`);
      needs.set(move.targetPoolId, (needs.get(move.targetPoolId) ?? 0) + disk.allocatedBytes);
    }
    for (const [poolId, bytes] of needs) {
      const pool = host?.pools.find((candidate) => candidate.id === poolId);
      if (!pool) problems.push(`${vm.hostName} has no pool "${poolId}"`);
      else if (pool.freeBytes < bytes)
        problems.push(`pool "${poolId}" has ${pool.freeBytes} bytes free, the disks need ${bytes}`);
    }
    if (vm.snapshotCount > 0)
      problems.push(`${vm.name} has ${vm.snapshotCount} snapshot(s), which a storage migration would lose: delete them first`);
    if (problems.length) throw new ConflictError(`Cannot move the disks of ${vm.name}: ${problems.join('; ')}`);
    const id = randomUUID();
    await this.unitOfWork.run(async () => {
      const job = await this.jobs.submit({
        kind: MIGRATION_KIND,
        title: `Move ${body.disks.length === 1 ? `disk ${body.disks[0]?.diskId}` : `${body.disks.length} disks`} of ${vm.name}`,
        scope: `/vms/${vm.id}`,
        actor: { id: principal.userId, name: principal.name },
        params: { origin: 'single' },
        targets: [{ targetId: id, label: vm.name, group: vm.hostId }],
      });
      await this.store.insert([
        {
          id,
          job_id: job.id,
          type: 'storage',
          vm_id: vm.id,
          vm_name: vm.name,
          memory_mib: vm.memoryMiB,
          source_host_id: vm.hostId,
          source_host_name: vm.hostName,
          target_host_id: vm.hostId,
          target_host_name: vm.hostName,
          scope_chain: ['/', `/hosts/${vm.hostId}`, `/vms/${vm.id}`],
          options: {
            live: true,
            persistent: true,
            undefineSource: false,
            autoConverge: false,
            maxBandwidthMBps: body.maxBandwidthMBps ?? null,
            downtimeLimitMs: 0,
            copyStorage: true,
          },
          storage: body.disks.map((move) => ({
            diskId: move.diskId,
            fromPoolId: vm.disks.find((disk) => disk.id === move.diskId)?.poolId ?? '',
            toPoolId: move.targetPoolId,
            state: 'pending',
          })),
          delete_source: body.deleteSource,
          preflight: [],
          max_bandwidth_mbps: body.maxBandwidthMBps ?? null,
          origin: 'single',
          actor_id: principal.userId,
          actor_name: principal.name,
        },
      ]);
    });
    return this.migrations.get(id);
  }
}
