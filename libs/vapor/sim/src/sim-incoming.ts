import type { IncomingMigration, IncomingMigrationRequest, MigrationSourceCpu, VaporSnapshot, Vm } from '@cockpit/contracts';
import { DriverError } from '@cockpit/vapor-driver';
import { newRecord, type SimHostCore } from './sim-core.js';

/** Room reserved on a destination for a VM on its way in. */
interface Incoming {
  id: string;
  vm: Vm;
  memoryMiB: number;
  /** Bytes reserved per pool id (copied local disks and the snapshots on them). */
  reserved: Map<string, number>;
  /** The VM's snapshots, which move with it. */
  snapshots: VaporSnapshot[];
  expiresAt: number;
  /** `persistent: false`: the VM runs here without a definition that outlives it. */
  transient: boolean;
}

const INCOMING_TTL_MS = 60_000;

/**
 * Live migration, destination side: the source asks for room (the pre-flight checks run here and
 * refuse with their reason), keeps the reservation alive, and either switches over (the VM is
 * defined and runs here) or aborts (the room is given back). A source that vanishes lets the
 * reservation lapse.
 */
export class SimIncoming {
  private readonly incoming = new Map<string, Incoming>();

  constructor(private readonly host: SimHostCore) {}

  /** Memory held for VMs on their way in. */
  reservedMemoryMiB(): number {
    return [...this.incoming.values()].reduce((sum, entry) => sum + entry.memoryMiB, 0);
  }

  async prepareIncoming(request: IncomingMigrationRequest): Promise<IncomingMigration> {
    const host = this.host;
    const { vm, options, snapshots } = request;
    if (host.vms.has(vm.id) || [...this.incoming.values()].some((entry) => entry.vm.id === vm.id)) {
      throw new DriverError(409, `VM ${vm.name} is already on host ${host.hostname}`);
    }
    // A running (or paused) host-passthrough guest sees the source's very CPU; a stopped one boots afresh here.
    if (vm.cpu.model === 'host-passthrough' && (vm.state === 'running' || vm.state === 'paused'))
      this.checkPassthrough(vm, request.sourceCpu);
    host.checkCpu(vm.cpu.features);
    if (vm.pendingChanges.cpu) {
      const missing = vm.pendingChanges.cpu.features.filter((feature) => !host.cpu.features.includes(feature));
      if (missing.length)
        throw new DriverError(
          409,
          `Host ${host.hostname} CPU (${host.cpu.model}) lacks what VM ${vm.name}'s staged CPU change needs: ${missing.join(', ')}`,
        );
    }
    const missingBridges = vm.nics.map((nic) => nic.networkId).filter((id) => !host.networks.some((net) => net.id === id));
    if (missingBridges.length)
      throw new DriverError(409, `Host ${host.hostname} has no bridge ${[...new Set(missingBridges)].join(', ')}`);
    if (host.freeMemoryMiB() < vm.memoryMiB) {
      throw new DriverError(
        409,
        `Host ${host.hostname} has ${host.freeMemoryMiB()} MiB free, VM ${vm.name} needs ${vm.memoryMiB} MiB`,
      );
    }
    const reserved = new Map<string, number>();
    for (const disk of vm.disks) {
      const pool = host.pools.find((candidate) => candidate.id === disk.poolId);
      if (pool?.type === 'shared') continue; // the same storage, mounted here too
      if (!options.copyStorage) {
        throw new DriverError(
          409,
          `Storage pool "${disk.poolId}" (disk ${disk.id}) is not mounted on host ${host.hostname}; migrate with copy storage or pick another host`,
        );
      }
      if (!pool) throw new DriverError(409, `Host ${host.hostname} has no pool "${disk.poolId}" to copy disk ${disk.id} into`);
      reserved.set(pool.id, (reserved.get(pool.id) ?? 0) + disk.allocatedBytes);
    }
    // Snapshot data on copied (local) disks is copied with them.
    for (const { storage } of snapshots)
      for (const { poolId, bytes } of storage) {
        const pool = host.pools.find((candidate) => candidate.id === poolId);
        if (pool?.type === 'shared') continue;
        if (!pool) throw new DriverError(409, `Host ${host.hostname} has no pool "${poolId}" for the snapshots of VM ${vm.name}`);
        reserved.set(pool.id, (reserved.get(pool.id) ?? 0) + bytes);
      }
    for (const [poolId, bytes] of reserved) {
      const pool = host.pool(poolId);
      const free = pool.capacityBytes - pool.usedBytes;
      if (free < bytes)
        throw new DriverError(
          409,
          `Storage pool "${poolId}" on host ${host.hostname} has ${free} bytes free, the disks need ${bytes}`,
        );
    }
    for (const [poolId, bytes] of reserved) host.pool(poolId).usedBytes += bytes;
    const entry: Incoming = {
      id: host.rng.uuid(),
      vm: structuredClone(vm),
      memoryMiB: vm.memoryMiB,
      reserved,
      snapshots: structuredClone(snapshots),
      expiresAt: Date.now() + INCOMING_TTL_MS,
      transient: !options.persistent && vm.state !== 'shutoff' && vm.state !== 'crashed',
    };
    this.incoming.set(entry.id, entry);
    host.later(INCOMING_TTL_MS * host.world.timeScale + 1000, () => this.expireIncoming());
    return this.answer(entry);
  }

  async keepIncoming(incomingId: string): Promise<IncomingMigration> {
    const entry = this.incomingEntry(incomingId);
    entry.expiresAt = Date.now() + INCOMING_TTL_MS;
    this.host.later(INCOMING_TTL_MS * this.host.world.timeScale + 1000, () => this.expireIncoming());
    return this.answer(entry);
  }

  async completeIncoming(incomingId: string, vm: Vm): Promise<Vm> {
    const host = this.host;
    const entry = this.incomingEntry(incomingId);
    if (vm.id !== entry.vm.id)
      throw new DriverError(409, `Incoming migration ${incomingId} is for VM ${entry.vm.id}, not ${vm.id}`);
    this.incoming.delete(incomingId);
    const arrived: Vm = structuredClone(vm);
    const record = newRecord(arrived, host.world.profiles.get(arrived.id) ?? 'idle', host.rng.next() * Math.PI * 2);
    record.snapshots = entry.snapshots.map(({ current: _, ...snapshot }) => snapshot);
    record.currentSnapshotId = entry.snapshots.find((snapshot) => snapshot.current)?.id ?? null;
    arrived.snapshotCount = record.snapshots.length;
    record.transient = entry.transient;
    host.vms.set(arrived.id, record);
    host.emit({ type: 'vm.created', data: { vm: structuredClone(arrived) } });
    return structuredClone(arrived);
  }

  async abortIncoming(incomingId: string): Promise<void> {
    const entry = this.incomingEntry(incomingId);
    this.releaseIncoming(entry);
  }

  /** Power loss: every reservation is gone. */
  releaseAll(): void {
    for (const entry of [...this.incoming.values()]) this.releaseIncoming(entry);
  }

  private answer(entry: Incoming): IncomingMigration {
    return { id: entry.id, vmId: entry.vm.id, hostname: this.host.hostname, expiresAt: new Date(entry.expiresAt).toISOString() };
  }

  /**
   * A host-passthrough guest runs on the CPU it was started on, flag for flag: it may only move to
   * a host whose CPU model and flags are exactly the source's. Without the source's CPU there is
   * nothing to compare, so it is refused too.
   */
  private checkPassthrough(vm: Vm, source: MigrationSourceCpu | undefined): void {
    const { hostname, cpu } = this.host;
    const why = `VM ${vm.name} runs with CPU model host-passthrough, so it can only move to a host whose CPU is the same as its source's`;
    if (!source) throw new DriverError(409, `${why}, and the source did not say what its CPU is (sourceCpu)`);
    const differences: string[] = [];
    if (source.model !== cpu.model) differences.push(`host ${hostname} is ${cpu.model}, the source ${source.model}`);
    const missing = [...new Set(source.features.filter((flag) => !cpu.features.includes(flag)))];
    const extra = [...new Set(cpu.features.filter((flag) => !source.features.includes(flag)))];
    if (missing.length) differences.push(`host ${hostname} lacks ${missing.join(', ')}`);
    if (extra.length) differences.push(`host ${hostname} has ${extra.join(', ')}, which the source lacks`);
    if (differences.length) throw new DriverError(409, `${why}: ${differences.join('; ')}`);
  }

  private incomingEntry(incomingId: string): Incoming {
    const entry = this.incoming.get(incomingId);
    if (!entry) throw new DriverError(404, `No incoming migration ${incomingId} on host ${this.host.hostname}`);
    return entry;
  }

  private releaseIncoming(entry: Incoming): void {
    for (const [poolId, bytes] of entry.reserved) this.host.pool(poolId).usedBytes -= bytes;
    this.incoming.delete(entry.id);
  }

  /** A source that vanished mid-migration must not hold room here forever. */
  private expireIncoming(): void {
    for (const entry of this.incoming.values()) if (entry.expiresAt <= Date.now()) this.releaseIncoming(entry);
  }
}
