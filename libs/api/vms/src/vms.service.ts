import { Injectable } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { AccessService } from '@cockpit/api-access';
import {
  ConflictError,
  HostTimeoutError,
  HostUnavailableError,
  NotFoundError,
  PreconditionFailedError,
  type Principal,
} from '@cockpit/api-core';
import { HostConnections, InventoryService } from '@cockpit/api-hosts';
import {
  hostScopeChain,
  isAllowed,
  planVmUpdate,
  type CreateVmBody,
  type FleetVm,
  type Placement,
  type Vm,
  type VmAction,
  type VmCreate,
  type VmSnapshot,
  type VmState,
  type VmUpdate,
} from '@cockpit/contracts';
import { VaporRequestError, type VaporClient } from '@cockpit/vapor-client';
import { place, type VmNeeds } from './placement.js';

/** The state an action leaves a VM in (reboot and reset leave it running). */
export const ACTION_RESULT: Partial<Record<VmAction, VmState>> = {
  start: 'running',
  shutdown: 'shutoff',
  poweroff: 'shutoff',
  pause: 'paused',
  resume: 'running',
};

const SHUTDOWN_POLL_MS = 500;

export interface ActOptions {
  /** `shutdown` only: how long the guest has. */
  timeoutSeconds?: number;
  generation?: number;
  /** Stop waiting (a cancelled job); the VM's state is then read again. */
  signal?: AbortSignal;
}

/**
 * A VM's life across the fleet: create (placed or on a named host), edit, act, delete, snapshots.
 * Every change is asked of the VM's host over its pinned connection; what the host answers is
 * written to the inventory at once (the collector confirms it from the host's events), so the
 * answer and the next read agree.
 */
@Injectable()
export class VmsService {
  constructor(
    private readonly inventory: InventoryService,
    private readonly connections: HostConnections,
    private readonly access: AccessService,
  ) {}

  async create(principal: Principal, body: CreateVmBody & VmCreate): Promise<{ vm: FleetVm; placement: Placement }> {
    const { hostId: askedHost, ...spec } = body;
    const needs = needsOf(spec);
    let placement: Placement;
    if (askedHost) {
      await this.access.authorize(principal, 'vm.create', 'host', askedHost);
      const [host] = await this.inventory.capacities([askedHost]);
      if (!host) throw new NotFoundError(`No host ${askedHost}`);
      placement = {
        hostId: host.hostId,
        hostName: host.name,
        chosen: 'asked',
        reason: `${host.name} was asked for`,
        rejected: [],
      };
    } else {
      const candidates = (await this.inventory.capacities()).filter((host) =>
        isAllowed(principal.grants, 'vm.create', hostScopeChain(host.hostId)),
      );
      if (!candidates.length) throw new ConflictError('There is no host on which you may create VMs');
      const choice = place(candidates, needs);
      const rejected = choice.rejected
        .slice(0, 20)
        .map(({ host, reasons }) => ({ hostId: host.hostId, hostName: host.name, reasons }));
      if (!choice.host)
        throw new ConflictError(
          `No host can take this VM: ${choice.rejected
            .slice(0, 3)
            .map(({ host, reasons }) => `${host.name}: ${reasons.join('; ')}`)
            .join(' · ')}${choice.rejected.length > 3 ? ` (and ${choice.rejected.length - 3} more)` : ''}`,
          rejected.map((entry) => ({ path: `hosts.${entry.hostName}`, message: entry.reasons.join('; ') })),
        );
      placement = {
        hostId: choice.host.hostId,
        hostName: choice.host.name,
        chosen: 'placed',
        reason: 'reason' in choice ? choice.reason : '',
        rejected,
      };
    }
    const created = await this.connections.call(placement.hostId, (client) => client.createVm(spec));
    await this.inventory.upsertVm(placement.hostId, created);
    return { vm: await this.inventory.getVm(created.id), placement };
  }

  async update(
    vmId: string,
    update: VmUpdate,
    generation?: number,
  ): Promise<{ vm: FleetVm; appliedNow: string[]; appliesAtNextBoot: string[] }> {
    const current = await this.inventory.getVm(vmId);
    const plan = planVmUpdate(update, current.state);
    const vm = await this.onHost(current, (client) => client.updateVm(vmId, update, generation));
    await this.inventory.upsertVm(current.hostId, vm);
    // The host's own view decides: a state change in between moves fields from now to next boot.
    const staged = new Set(Object.keys(vm.pendingChanges));
    const given = [...plan.now, ...plan.nextBoot];
    return {
      vm: await this.inventory.getVm(vmId),
      appliedNow: given.filter((field) => !staged.has(field)),
      appliesAtNextBoot: given.filter((field) => staged.has(field)),
    };
  }

  async remove(vmId: string, keepDisks: boolean, generation?: number): Promise<{ deleted: true; keptDisks: boolean }> {
    const current = await this.inventory.getVm(vmId);
    await this.onHost(current, (client) => client.deleteVm(vmId, { keepDisks, generation }));
    await this.inventory.deleteVm(current.hostId, vmId);
    return { deleted: true, keptDisks: keepDisks };
  }

  /**
   * One action, answered with the VM as its host then reports it. `shutdown` waits for the guest
   * to turn off (or fails after the timeout, the VM still running). When the host goes away
   * mid-action the VM's state is read again, never guessed.
   */
  async act(vmId: string, action: VmAction, options: ActOptions = {}): Promise<FleetVm> {
    const current = await this.inventory.getVm(vmId);
    let vm: Vm;
    try {
      vm = await this.onHost(current, (client) => client.act(vmId, action, options.generation));
      if (action === 'shutdown' && vm.state !== 'shutoff') vm = await this.awaitShutoff(current, options);
    } catch (error) {
      if (error instanceof HostUnavailableError || error instanceof HostTimeoutError) {
        // Never guess what happened: ask the host again, and say what it answered.
        const fresh = await this.reread(current);
        const now = fresh
          ? `VM ${current.name} is ${fresh.state} now (read again from its host)`
          : `VM ${current.name}'s state is read again when its host answers`;
        throw new (error instanceof HostTimeoutError ? HostTimeoutError : HostUnavailableError)(`${error.message}; ${now}`);
      }
      throw error;
    }
    await this.inventory.refreshVm(current.hostId, vm);
    try {
      return await this.inventory.getVm(vmId);
    } catch (error) {
      // Gone with the action (a transient VM has no definition once stopped): the host's answer is the last word.
      if (!(error instanceof NotFoundError)) throw error;
      return { ...vm, hostId: current.hostId, hostName: current.hostName, stats: null };
    }
  }

  /** Reads the VM's true state from its host into the inventory (after an action that failed midway). */
  async reread(vm: FleetVm): Promise<FleetVm | undefined> {
    try {
      const fresh = await this.connections.call(vm.hostId, (client) => client.getVm(vm.id), 5_000);
      await this.inventory.upsertVm(vm.hostId, fresh);
      return await this.inventory.getVm(vm.id);
    } catch {
      return undefined; // still away: the collector resyncs the host when it is back
    }
  }

  private async awaitShutoff(vm: FleetVm, options: ActOptions): Promise<Vm> {
    const seconds = options.timeoutSeconds ?? 120;
    const deadline = Date.now() + seconds * 1000;
    for (;;) {
      if (options.signal?.aborted) throw new ConflictError(`Stopped waiting for VM ${vm.name} to shut down`);
      await sleep(SHUTDOWN_POLL_MS);
      const now = await this.connections.call(vm.hostId, (client) => client.getVm(vm.id), 10_000);
      if (now.state === 'shutoff') return now;
      if (now.state !== 'running') throw new ConflictError(`VM ${vm.name} became ${now.state} while shutting down`);
      if (Date.now() >= deadline) {
        await this.inventory.upsertVm(vm.hostId, now);
        throw new ConflictError(
          `VM ${vm.name} did not shut down within ${seconds} s: the guest ignored or has not finished the ACPI request, and it is still running. Power it off to force it.`,
        );
      }
    }
  }

  async snapshots(vmId: string): Promise<VmSnapshot[]> {
    const vm = await this.inventory.getVm(vmId);
    return this.onHost(vm, (client) => client.listSnapshots(vmId));
  }

  async createSnapshot(
    vmId: string,
    spec: { name: string; description?: string; memory: boolean },
    generation?: number,
  ): Promise<{ snapshot: VmSnapshot; vm: FleetVm }> {
    const vm = await this.inventory.getVm(vmId);
    const created = await this.onHost(vm, (client) => client.createSnapshot(vmId, spec, generation));
    await this.inventory.upsertVm(vm.hostId, created.vm);
    return { snapshot: created.snapshot, vm: await this.inventory.getVm(vmId) };
  }

  async revertSnapshot(vmId: string, snapshotId: string, generation?: number): Promise<FleetVm> {
    const vm = await this.inventory.getVm(vmId);
    const reverted = await this.onHost(vm, (client) => client.revertSnapshot(vmId, snapshotId, generation));
    await this.inventory.upsertVm(vm.hostId, reverted);
    return this.inventory.getVm(vmId);
  }

  async deleteSnapshot(vmId: string, snapshotId: string, generation?: number): Promise<FleetVm> {
    const vm = await this.inventory.getVm(vmId);
    const after = await this.onHost(vm, (client) => client.deleteSnapshot(vmId, snapshotId, generation));
    await this.inventory.upsertVm(vm.hostId, after);
    return this.inventory.getVm(vmId);
  }

  /** A request to the VM's host; a lost update (If-Match) is a 412 with the generation the host has now. */
  private onHost<T>(vm: FleetVm, work: (client: VaporClient) => Promise<T>): Promise<T> {
    return this.connections.call(vm.hostId, async (client) => {
      try {
        return await work(client);
      } catch (error) {
        if (error instanceof VaporRequestError && error.status === 412)
          throw new PreconditionFailedError(await this.staleMessage(vm, client));
        throw error;
      }
    });
  }

  private async staleMessage(vm: FleetVm, client: { getVm(id: string): Promise<Vm> }): Promise<string> {
    const now = await client.getVm(vm.id).catch(() => undefined);
    return now
      ? `VM ${vm.name} changed since you read it: it is at generation ${now.generation} now; read it again and retry`
      : `VM ${vm.name} changed since you read it; read it again and retry`;
  }
}

/** What a VM being created needs of its host. */
export function needsOf(spec: Omit<VmCreate, 'hostId'>): VmNeeds {
  const poolBytes = new Map<string, number>();
  for (const disk of spec.disks ?? []) poolBytes.set(disk.poolId, (poolBytes.get(disk.poolId) ?? 0) + (disk.sizeBytes ?? 0));
  return {
    memoryMiB: spec.memoryMiB,
    running: spec.start ?? false,
    cpuModel: spec.cpu?.model ?? 'host-model',
    cpuFeatures: spec.cpu?.features ?? [],
    poolBytes,
    networks: [...new Set((spec.nics ?? []).map((nic) => nic.networkId))],
  };
}
