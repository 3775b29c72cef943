import type { Duplex } from 'node:stream';
import type {
  ExecResult,
  HostInfo,
  IncomingMigration,
  IncomingMigrationRequest,
  Job,
  MigrationOptions,
  Network,
  PeerRef,
  VaporSnapshot,
  VaporSnapshotConfig,
  Vm,
  VmAction,
  VmDisk,
  VmNic,
  VmPendingChanges,
} from '@cockpit/contracts';
import {
  DriverError,
  type DriverEvent,
  type HypervisorDriver,
  type SnapshotCreateSpec,
  type StatsCorruption,
  type VmCreateSpec,
  type VmUpdateSpec,
} from '@cockpit/vapor-driver';
import { COCKPIT_VERSION, DEFAULT_BOOT_ORDER } from '@cockpit/contracts';
import { PROFILES, type WorkloadProfile } from './catalog.js';
import { serialConsole, vncConsole } from './consoles.js';
import { simulatedExec } from './exec.js';
import type { Rng } from './rng.js';
import { MiB, newRecord, type SimHostCore, type SimPool, type SimVm } from './sim-core.js';
import { SimIncoming } from './sim-incoming.js';
import { SimMigrations } from './sim-migrations.js';
import type { SimWorld } from './world.js';

export type { SimPool } from './sim-core.js';

interface SimHostInit {
  world: SimWorld;
  rng: Rng;
  uuid: string;
  hostname: string;
  cpu: HostInfo['cpu'];
  memoryMiB: number;
  pools: SimPool[];
  networks: Network[];
  kernel: string;
  packages: Record<string, string>;
}

const HOST_RESERVED_MiB = 4096;
const SHUTDOWN_MS = 2000;
/**
 * What a snapshot costs in the sim, charged up front: per disk the copy-on-write delta it will keep
 * (a tenth of what the disk holds, at least 1 MiB) on the disk's pool; a memory snapshot also the
 * VM's RAM, on the pool of its first disk (where qcow2 keeps the vmstate).
 */
const SNAPSHOT_DISK_SHARE = 0.1;

/** One simulated hypervisor host. Everything it says is consistent with everything it did. */
export class SimHost implements HypervisorDriver {
  readonly uuid: string;
  readonly hostname: string;
  readonly pools: SimPool[];
  readonly networks: Network[];
  readonly kernel: string;
  readonly packages: Record<string, string>;
  readonly cpu: HostInfo['cpu'];
  readonly memoryMiB: number;
  private readonly world: SimWorld;
  private readonly rng: Rng;
  private readonly vms = new Map<string, SimVm>();
  private readonly listeners = new Set<(event: DriverEvent) => void>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly bootedAt = new Date().toISOString();
  private closed = false;
  /** Outgoing live migrations and storage migrations: the host's jobs. */
  private readonly migrations: SimMigrations;
  /** Live migrations on their way in. */
  private readonly incoming: SimIncoming;
  /** Fault injection: values every stats frame carries instead of the simulated ones. */
  private statsCorruption: readonly StatsCorruption[] = [];

  constructor(init: SimHostInit) {
    this.world = init.world;
    this.rng = init.rng;
    this.uuid = init.uuid;
    this.hostname = init.hostname;
    this.pools = init.pools;
    this.networks = init.networks;
    this.kernel = init.kernel;
    this.packages = init.packages;
    this.cpu = init.cpu;
    this.memoryMiB = init.memoryMiB;
    const core: SimHostCore = {
      uuid: this.uuid,
      hostname: this.hostname,
      cpu: this.cpu,
      pools: this.pools,
      networks: this.networks,
      world: this.world,
      rng: this.rng,
      vms: this.vms,
      timers: this.timers,
      record: (vmId) => this.record(vmId),
      pool: (poolId) => this.pool(poolId),
      freeMemoryMiB: () => this.freeMemoryMiB(),
      checkCpu: (features) => this.checkCpu(features),
      setState: (record, state, reason) => this.setState(record, state, reason),
      touch: (record) => this.touch(record),
      emit: (event) => this.emit(event),
      later: (ms, run) => this.later(ms, run),
      release: (storage) => this.release(storage),
      listSnapshots: (vmId) => this.listSnapshots(vmId),
    };
    this.migrations = new SimMigrations(core);
    this.incoming = new SimIncoming(core);
  }

  // ---- inventory -------------------------------------------------------------------------------

  hostInfo(): HostInfo {
    const cpus = this.cpu.sockets * this.cpu.coresPerSocket * this.cpu.threadsPerCore;
    const perNode = Math.floor(cpus / this.cpu.sockets);
    return {
      uuid: this.uuid,
      hostname: this.hostname,
      agentVersion: COCKPIT_VERSION,
      apiVersion: 'v1',
      hypervisor: { name: 'QEMU (simulated)', version: '9.2.1', driver: 'sim' },
      cpu: { ...this.cpu, features: [...this.cpu.features] },
      memory: { totalMiB: this.memoryMiB, freeMiB: this.freeMemoryMiB() },
      numa: Array.from({ length: this.cpu.sockets }, (_, id) => ({
        id,
        cpus: Array.from({ length: perNode }, (_, i) => id * perNode + i),
        memoryMiB: Math.floor(this.memoryMiB / this.cpu.sockets),
      })),
      pools: this.pools.map((pool) => ({
        id: pool.id,
        type: pool.type,
        capacityBytes: pool.capacityBytes,
        freeBytes: Math.max(0, pool.capacityBytes - pool.usedBytes),
      })),
      networks: this.networks.map((network) => ({ ...network })),
      bootedAt: this.bootedAt,
    };
  }

  listVms(): Vm[] {
    return [...this.vms.values()].map((record) => structuredClone(record.vm));
  }

  getVm(vmId: string): Vm {
    return structuredClone(this.record(vmId).vm);
  }

  private record(vmId: string): SimVm {
    const record = this.vms.get(vmId);
    if (!record) throw new DriverError(404, `No VM ${vmId} on host ${this.hostname}`);
    return record;
  }

  private freeMemoryMiB(): number {
    const used = [...this.vms.values()]
      .filter(({ vm }) => vm.state === 'running' || vm.state === 'paused' || vm.state === 'migrating')
      .reduce((sum, { vm }) => sum + vm.memoryMiB, 0);
    const reserved = this.incoming.reservedMemoryMiB();
    return Math.max(0, this.memoryMiB - HOST_RESERVED_MiB - used - reserved);
  }

  private pool(poolId: string): SimPool {
    const pool = this.pools.find((candidate) => candidate.id === poolId);
    if (!pool) throw new DriverError(404, `No storage pool "${poolId}" on host ${this.hostname}`);
    return pool;
  }

  private network(networkId: string): Network {
    const network = this.networks.find((candidate) => candidate.id === networkId);
    if (!network) throw new DriverError(404, `No bridge "${networkId}" on host ${this.hostname}`);
    return network;
  }

  private mac(): string {
    return `52:54:00:${[0, 0, 0].map(() => this.rng.int(0, 255).toString(16).padStart(2, '0')).join(':')}`;
  }

  private touch(record: SimVm): void {
    record.vm.generation += 1;
    record.vm.updatedAt = new Date().toISOString();
  }

  private checkGeneration(record: SimVm, expected: number | undefined): void {
    if (expected !== undefined && expected !== record.vm.generation) {
      throw new DriverError(
        412,
        `VM ${record.vm.name} changed meanwhile (generation ${record.vm.generation}, you sent ${expected}); re-read it and retry`,
      );
    }
  }

  private checkCpu(features: readonly string[]): void {
    const missing = features.filter((feature) => !this.cpu.features.includes(feature));
    if (missing.length) throw new DriverError(409, `Host ${this.hostname} CPU (${this.cpu.model}) lacks: ${missing.join(', ')}`);
  }

  // ---- VM lifecycle ----------------------------------------------------------------------------

  /** Builds the starting inventory (no events: nobody is listening yet). */
  seedVm(seed: {
    name: string;
    vcpus: number;
    memoryMiB: number;
    diskBytes: number;
    poolId: string;
    networkId: string;
    profile: WorkloadProfile;
    running: boolean;
  }): void {
    const now = this.bootedAt;
    const allocated = Math.floor(seed.diskBytes * (0.2 + this.rng.next() * 0.5));
    const running = seed.running && this.freeMemoryMiB() >= seed.memoryMiB;
    this.pool(seed.poolId).usedBytes += allocated;
    const vm: Vm = {
      id: this.rng.uuid(),
      name: seed.name,
      state: running ? 'running' : 'shutoff',
      vcpus: seed.vcpus,
      memoryMiB: seed.memoryMiB,
      cpu: {
        model: 'host-model',
        features: this.rng.chance(0.3) ? this.cpu.features.filter((f) => f.startsWith('avx')).slice(0, 2) : [],
      },
      disks: [
        { id: 'vda', poolId: seed.poolId, sizeBytes: seed.diskBytes, allocatedBytes: allocated, format: 'qcow2', bus: 'virtio' },
      ],
      nics: [{ id: 'net0', networkId: seed.networkId, mac: this.mac(), model: 'virtio' }],
      autostart: false,
      bootOrder: [...DEFAULT_BOOT_ORDER],
      pendingChanges: {},
      snapshotCount: 0,
      generation: 1,
      createdAt: now,
      updatedAt: now,
    };
    this.vms.set(vm.id, newRecord(vm, seed.profile, this.rng.next() * Math.PI * 2));
    this.world.profiles.set(vm.id, seed.profile);
  }

  private buildDisks(specs: VmCreateSpec['disks'], existing: VmDisk[] = []): VmDisk[] {
    const disks: VmDisk[] = [];
    const needed = new Map<string, number>();
    specs.forEach((spec, index) => {
      const pool = this.pool(spec.poolId);
      const sizeBytes = spec.sizeBytes ?? (spec.imageId ? 2 * 1024 * MiB : undefined);
      if (!sizeBytes) throw new DriverError(422, `Disk ${index + 1}: give sizeBytes or imageId`);
      const allocatedBytes = spec.format === 'raw' ? sizeBytes : spec.imageId ? Math.min(sizeBytes, 1024 * MiB) : 2 * MiB;
      needed.set(pool.id, (needed.get(pool.id) ?? 0) + allocatedBytes);
      const used = new Set([...existing, ...disks].map((disk) => disk.id));
      let letter = 0;
      while (used.has(`vd${String.fromCharCode(97 + letter)}`)) letter++;
      disks.push({
        id: `vd${String.fromCharCode(97 + letter)}`,
        poolId: pool.id,
        sizeBytes,
        allocatedBytes,
        format: spec.format,
        bus: spec.bus,
      });
    });
    for (const [poolId, bytes] of needed) {
      const pool = this.pool(poolId);
      const free = pool.capacityBytes - pool.usedBytes;
      if (bytes > free)
        throw new DriverError(409, `Storage pool "${poolId}" has ${free} bytes free, the new disks need ${bytes}`);
    }
    return disks;
  }

  private buildNics(specs: VmCreateSpec['nics'], existing: VmNic[] = []): VmNic[] {
    const nics: VmNic[] = [];
    for (const spec of specs) {
      this.network(spec.networkId);
      const used = new Set([...existing, ...nics].map((nic) => nic.id));
      let n = 0;
      while (used.has(`net${n}`)) n++;
      nics.push({ id: `net${n}`, networkId: spec.networkId, mac: spec.mac ?? this.mac(), model: spec.model });
    }
    return nics;
  }

  async createVm(spec: VmCreateSpec): Promise<Vm> {
    if ([...this.vms.values()].some(({ vm }) => vm.name === spec.name)) {
      throw new DriverError(409, `A VM named "${spec.name}" already exists on host ${this.hostname}`);
    }
    this.checkCpu(spec.cpu.features);
    // Everything is checked before anything is allocated: a refused create leaves nothing behind.
    const disks = this.buildDisks(spec.disks);
    const nics = this.buildNics(spec.nics);
    if (spec.start && this.freeMemoryMiB() < spec.memoryMiB) {
      throw new DriverError(
        409,
        `Host ${this.hostname} has ${this.freeMemoryMiB()} MiB free, the VM needs ${spec.memoryMiB} MiB to start`,
      );
    }
    for (const disk of disks) this.pool(disk.poolId).usedBytes += disk.allocatedBytes;
    const now = new Date().toISOString();
    const vm: Vm = {
      id: this.rng.uuid(),
      name: spec.name,
      state: 'shutoff',
      vcpus: spec.vcpus,
      memoryMiB: spec.memoryMiB,
      cpu: { model: spec.cpu.model, features: [...spec.cpu.features] },
      disks,
      nics,
      autostart: spec.autostart ?? false,
      bootOrder: [...(spec.bootOrder ?? DEFAULT_BOOT_ORDER)],
      pendingChanges: {},
      snapshotCount: 0,
      generation: 1,
      createdAt: now,
      updatedAt: now,
    };
    const record = newRecord(vm, 'idle', this.rng.next() * Math.PI * 2);
    this.vms.set(vm.id, record);
    this.emit({ type: 'vm.created', data: { vm: structuredClone(vm) } });
    if (spec.start) this.setState(record, 'running', 'started after create');
    return structuredClone(record.vm);
  }

  async updateVm(vmId: string, update: VmUpdateSpec, expectedGeneration?: number): Promise<Vm> {
    const record = this.record(vmId);
    this.checkGeneration(record, expectedGeneration);
    const { vm } = record;
    if (vm.state === 'migrating') throw new DriverError(409, `VM ${vm.name} is migrating; change it when the migration ends`);
    // Running or paused: VM_LIVE_UPDATABLE fields apply now, VM_NEXT_BOOT ones wait in pendingChanges.
    const live = vm.state === 'running' || vm.state === 'paused';
    if (live && update.memoryMiB !== undefined && update.memoryMiB > vm.memoryMiB + this.freeMemoryMiB()) {
      throw new DriverError(
        409,
        `Host ${this.hostname} has ${this.freeMemoryMiB()} MiB free; cannot grow VM ${vm.name} to ${update.memoryMiB} MiB`,
      );
    }
    if (update.name && update.name !== vm.name && [...this.vms.values()].some((other) => other.vm.name === update.name)) {
      throw new DriverError(409, `A VM named "${update.name}" already exists on host ${this.hostname}`);
    }
    if (update.cpu) this.checkCpu(update.cpu.features);
    for (const id of update.removeDisks ?? []) {
      if (!vm.disks.some((disk) => disk.id === id))
        throw new DriverError(404, `VM ${vm.name} has no device "${id}" (no such disk)`);
      const holders = record.snapshots.filter((snapshot) => snapshot.config.disks.some((disk) => disk.id === id));
      if (holders.length)
        throw new DriverError(
          409,
          `Disk ${id} of VM ${vm.name} is in its snapshots ${holders.map((h) => h.name).join(', ')}; delete them before removing the disk`,
        );
    }
    for (const id of update.removeNics ?? []) {
      if (!vm.nics.some((nic) => nic.id === id)) throw new DriverError(404, `VM ${vm.name} has no device "${id}" (no such NIC)`);
    }
    // Everything is checked before anything changes: a refused update leaves the VM as it was.
    const addedDisks = this.buildDisks(update.addDisks ?? [], vm.disks);
    const addedNics = this.buildNics(update.addNics ?? [], vm.nics);

    const pending: VmPendingChanges = update.discardPendingChanges ? {} : structuredClone(vm.pendingChanges);
    for (const disk of addedDisks) this.pool(disk.poolId).usedBytes += disk.allocatedBytes;
    vm.disks = [...vm.disks, ...addedDisks];
    vm.nics = [...vm.nics.filter((n) => !update.removeNics?.includes(n.id)), ...addedNics];
    if (update.name) vm.name = update.name;
    if (update.memoryMiB) vm.memoryMiB = update.memoryMiB;
    if (update.autostart !== undefined) vm.autostart = update.autostart;
    const staged = { vcpus: update.vcpus, cpu: update.cpu, bootOrder: update.bootOrder };
    if (live) {
      for (const [field, value] of Object.entries(staged) as [keyof typeof staged, unknown][]) {
        if (value === undefined) continue;
        // Staging what the VM already runs with cancels the staged change.
        if (JSON.stringify(value) === JSON.stringify(vm[field])) delete pending[field];
        else Object.assign(pending, { [field]: structuredClone(value) });
      }
      if (update.removeDisks?.length) pending.removeDisks = [...new Set([...(pending.removeDisks ?? []), ...update.removeDisks])];
    } else {
      if (update.vcpus) vm.vcpus = update.vcpus;
      if (update.cpu) vm.cpu = { model: update.cpu.model, features: [...update.cpu.features] };
      if (update.bootOrder) vm.bootOrder = [...update.bootOrder];
      for (const field of Object.keys(staged) as (keyof typeof staged)[]) if (staged[field] !== undefined) delete pending[field];
      this.detachDisks(vm, update.removeDisks ?? []);
      const still = pending.removeDisks?.filter((id) => vm.disks.some((disk) => disk.id === id));
      if (still?.length) pending.removeDisks = still;
      else delete pending.removeDisks;
    }
    vm.pendingChanges = pending;
    this.touch(record);
    this.emit({ type: 'vm.updated', data: { vm: structuredClone(vm) } });
    return structuredClone(vm);
  }

  /** Removes disks from the definition and gives their space back. */
  private detachDisks(vm: Vm, ids: readonly string[]): void {
    for (const disk of vm.disks.filter((d) => ids.includes(d.id))) this.pool(disk.poolId).usedBytes -= disk.allocatedBytes;
    vm.disks = vm.disks.filter((d) => !ids.includes(d.id));
  }

  /** A cold start takes what was staged while the VM ran. Answers whether anything changed. */
  private applyPending(record: SimVm): boolean {
    const { vm } = record;
    const pending = vm.pendingChanges;
    if (!Object.keys(pending).length) return false;
    if (pending.vcpus) vm.vcpus = pending.vcpus;
    if (pending.cpu) vm.cpu = structuredClone(pending.cpu);
    if (pending.bootOrder) vm.bootOrder = [...pending.bootOrder];
    this.detachDisks(vm, pending.removeDisks ?? []);
    vm.pendingChanges = {};
    return true;
  }

  /** The CPU a cold start boots with: the staged model if there is one. */
  private bootCpu(vm: Vm): Vm['cpu'] {
    return vm.pendingChanges.cpu ?? vm.cpu;
  }

  async deleteVm(vmId: string, options: { keepDisks: boolean }, expectedGeneration?: number): Promise<void> {
    const record = this.record(vmId);
    this.checkGeneration(record, expectedGeneration);
    const { vm } = record;
    if (vm.state !== 'shutoff' && vm.state !== 'crashed') {
      throw new DriverError(409, `VM ${vm.name} is ${vm.state}; shut it down or power it off before deleting it`);
    }
    if (this.hasRunningJob(vmId)) {
      throw new DriverError(409, `VM ${vm.name} has a running job; cancel it first`);
    }
    // Its snapshots go with it; with keepDisks their data stays in the kept volumes (as their space does).
    if (!options.keepDisks) {
      for (const disk of vm.disks) this.pool(disk.poolId).usedBytes -= disk.allocatedBytes;
      for (const snapshot of record.snapshots) this.release(snapshot.storage);
    }
    this.vms.delete(vmId);
    this.emit({ type: 'vm.deleted', data: { vmId } });
  }

  private hasRunningJob(vmId: string): boolean {
    return this.migrations.hasRunningJob(vmId);
  }

  private release(storage: readonly { poolId: string; bytes: number }[]): void {
    for (const { poolId, bytes } of storage) {
      const pool = this.pools.find((candidate) => candidate.id === poolId);
      if (pool) pool.usedBytes -= bytes;
    }
  }

  vmIds(): string[] {
    return [...this.vms.keys()];
  }

  vmState(vmId: string): Vm['state'] | undefined {
    return this.vms.get(vmId)?.vm.state;
  }

  async act(vmId: string, action: VmAction, expectedGeneration?: number): Promise<Vm> {
    const record = this.record(vmId);
    this.checkGeneration(record, expectedGeneration);
    const { vm } = record;
    const refuse = (why: string): never => {
      throw new DriverError(409, `Cannot ${action} VM ${vm.name}: ${why}`);
    };
    if (vm.state === 'migrating') refuse('it is migrating');
    switch (action) {
      case 'start': {
        if (vm.state === 'running' || vm.state === 'paused') refuse(`it is already ${vm.state}`);
        this.checkCpu(this.bootCpu(vm).features);
        if (this.freeMemoryMiB() < vm.memoryMiB)
          refuse(`host ${this.hostname} has ${this.freeMemoryMiB()} MiB free, it needs ${vm.memoryMiB} MiB`);
        // A cold start: what was staged while the VM ran applies now.
        const changed = this.applyPending(record);
        record.bootEpoch += 1;
        this.setState(record, 'running', 'started');
        if (changed) this.emit({ type: 'vm.updated', data: { vm: structuredClone(vm) } });
        break;
      }
      case 'shutdown': {
        if (vm.state !== 'running') refuse(`it is ${vm.state}`);
        // ACPI shutdown: the guest takes a moment (or, with the ignoreAcpi fault, never obeys);
        // the answer comes before the state changes. A later cold start, reset or revert voids it.
        if (record.ignoreAcpi) break;
        const epoch = record.bootEpoch;
        this.later(SHUTDOWN_MS, () => {
          if (this.vms.get(vmId) === record && record.bootEpoch === epoch && vm.state === 'running')
            this.setState(record, 'shutoff', 'guest shut down');
        });
        break;
      }
      case 'poweroff':
        if (vm.state === 'shutoff' || vm.state === 'crashed') refuse(`it is already ${vm.state}`);
        record.bootEpoch += 1;
        this.setState(record, 'shutoff', 'powered off');
        break;
      case 'reboot':
        if (vm.state !== 'running') refuse(`it is ${vm.state}`);
        this.touch(record);
        this.emit({
          type: 'vm.state',
          data: { vmId, state: 'running', previous: 'running', generation: vm.generation, reason: 'rebooted' },
        });
        break;
      case 'reset':
        // The reset button: the guest restarts at once, a paused VM stays paused (as QEMU's system_reset).
        if (vm.state !== 'running' && vm.state !== 'paused') refuse(`it is ${vm.state}`);
        record.bootEpoch += 1;
        this.touch(record);
        this.emit({
          type: 'vm.state',
          data: { vmId, state: vm.state, previous: vm.state, generation: vm.generation, reason: 'reset' },
        });
        break;
      case 'pause':
        if (vm.state !== 'running') refuse(`it is ${vm.state}`);
        this.setState(record, 'paused', 'paused');
        break;
      case 'resume':
        if (vm.state !== 'paused') refuse(`it is ${vm.state}`);
        this.setState(record, 'running', 'resumed');
        break;
    }
    return structuredClone(vm);
  }

  // ---- snapshots ---------------------------------------------------------------------------------

  listSnapshots(vmId: string): VaporSnapshot[] {
    const record = this.record(vmId);
    return record.snapshots.map((snapshot) => this.snapshotView(record, snapshot));
  }

  private snapshotView(record: SimVm, snapshot: Omit<VaporSnapshot, 'current'>): VaporSnapshot {
    return { ...structuredClone(snapshot), current: snapshot.id === record.currentSnapshotId };
  }

  private snapshot(record: SimVm, snapshotId: string): Omit<VaporSnapshot, 'current'> {
    const snapshot = record.snapshots.find((candidate) => candidate.id === snapshotId);
    if (!snapshot) throw new DriverError(404, `VM ${record.vm.name} has no snapshot ${snapshotId}`);
    return snapshot;
  }

  /** Snapshots, like other changes, wait while the VM migrates or a job works on its disks. */
  private checkSnapshotable(record: SimVm, what: string): void {
    const { vm } = record;
    if (vm.state === 'migrating') throw new DriverError(409, `Cannot ${what} of VM ${vm.name}: it is migrating`);
    if (this.hasRunningJob(vm.id)) throw new DriverError(409, `Cannot ${what} of VM ${vm.name}: it has a running job`);
  }

  async createSnapshot(
    vmId: string,
    spec: SnapshotCreateSpec,
    expectedGeneration?: number,
  ): Promise<{ snapshot: VaporSnapshot; vm: Vm }> {
    const record = this.record(vmId);
    this.checkGeneration(record, expectedGeneration);
    const { vm } = record;
    this.checkSnapshotable(record, 'take a snapshot');
    if (record.snapshots.some((snapshot) => snapshot.name === spec.name))
      throw new DriverError(409, `VM ${vm.name} already has a snapshot named "${spec.name}"`);
    if (spec.memory && vm.state !== 'running' && vm.state !== 'paused')
      throw new DriverError(
        409,
        `VM ${vm.name} is ${vm.state}: there is no memory state to keep; take a disk-only snapshot (memory: false)`,
      );
    const first = vm.disks[0];
    if (spec.memory && !first) throw new DriverError(409, `VM ${vm.name} has no disk to hold the memory state of a snapshot`);
    const raw = vm.disks.filter((disk) => disk.format === 'raw');
    if (raw.length)
      throw new DriverError(409, `VM ${vm.name} has raw disks (${raw.map((d) => d.id).join(', ')}); snapshots need qcow2 disks`);
    if (vm.pendingChanges.removeDisks?.length)
      throw new DriverError(
        409,
        `VM ${vm.name} has disks staged for removal (${vm.pendingChanges.removeDisks.join(', ')}); start it cold first or discard the staged changes`,
      );
    const needed = new Map<string, number>();
    for (const disk of vm.disks)
      needed.set(
        disk.poolId,
        (needed.get(disk.poolId) ?? 0) + Math.max(MiB, Math.round(disk.allocatedBytes * SNAPSHOT_DISK_SHARE)),
      );
    if (spec.memory && first) needed.set(first.poolId, (needed.get(first.poolId) ?? 0) + vm.memoryMiB * MiB);
    for (const [poolId, bytes] of needed) {
      const pool = this.pool(poolId);
      const free = pool.capacityBytes - pool.usedBytes;
      if (bytes > free)
        throw new DriverError(
          409,
          `Storage pool "${poolId}" on host ${this.hostname} has ${free} bytes free, snapshot "${spec.name}" of VM ${vm.name} needs ${bytes}`,
        );
    }
    for (const [poolId, bytes] of needed) this.pool(poolId).usedBytes += bytes;
    const storage = [...needed].map(([poolId, bytes]) => ({ poolId, bytes }));
    const snapshot: Omit<VaporSnapshot, 'current'> = {
      id: this.rng.uuid(),
      vmId,
      name: spec.name,
      description: spec.description,
      createdAt: new Date().toISOString(),
      memory: spec.memory,
      vmState: vm.state,
      parentId: record.currentSnapshotId,
      sizeBytes: storage.reduce((sum, entry) => sum + entry.bytes, 0),
      storage,
      config: configOf(vm),
    };
    record.snapshots.push(snapshot);
    record.currentSnapshotId = snapshot.id;
    vm.snapshotCount = record.snapshots.length;
    this.touch(record);
    this.emit({ type: 'vm.updated', data: { vm: structuredClone(vm) } });
    return { snapshot: this.snapshotView(record, snapshot), vm: structuredClone(vm) };
  }

  /**
   * Back to the snapshot: its definition (vCPUs, memory, CPU, boot order, NICs) and what its disks
   * held; staged changes are dropped. A memory snapshot resumes the VM as it was (running or
   * paused); a disk-only one leaves it shut off. Disks added after the snapshot stay attached as
   * they are (their content is not in the snapshot); a disk a snapshot holds cannot be removed.
   */
  async revertSnapshot(vmId: string, snapshotId: string, expectedGeneration?: number): Promise<Vm> {
    const record = this.record(vmId);
    this.checkGeneration(record, expectedGeneration);
    const { vm } = record;
    this.checkSnapshotable(record, 'revert a snapshot');
    const snapshot = this.snapshot(record, snapshotId);
    const { config } = snapshot;
    const state: Vm['state'] = snapshot.memory ? snapshot.vmState : 'shutoff';
    const refuse = (why: string): never => {
      throw new DriverError(409, `Cannot revert VM ${vm.name} to snapshot "${snapshot.name}": ${why}`);
    };
    const missingBridges = config.nics.map((nic) => nic.networkId).filter((id) => !this.networks.some((net) => net.id === id));
    if (missingBridges.length) refuse(`host ${this.hostname} has no bridge ${[...new Set(missingBridges)].join(', ')}`);
    if (state === 'running' || state === 'paused') {
      this.checkCpu(config.cpu.features);
      const held = vm.state === 'running' || vm.state === 'paused' ? vm.memoryMiB : 0;
      const free = this.freeMemoryMiB() + held;
      if (free < config.memoryMiB)
        refuse(`host ${this.hostname} has ${free} MiB free, the snapshot needs ${config.memoryMiB} MiB`);
    }
    const deltas = new Map<string, number>();
    for (const saved of config.disks) {
      const disk = vm.disks.find((candidate) => candidate.id === saved.id);
      if (!disk) refuse(`its disk ${saved.id} is gone`);
      else deltas.set(disk.poolId, (deltas.get(disk.poolId) ?? 0) + saved.allocatedBytes - disk.allocatedBytes);
    }
    for (const [poolId, bytes] of deltas) {
      const pool = this.pool(poolId);
      if (bytes > pool.capacityBytes - pool.usedBytes)
        refuse(`storage pool "${poolId}" has ${pool.capacityBytes - pool.usedBytes} bytes free, the disks need ${bytes} more`);
    }
    for (const [poolId, bytes] of deltas) this.pool(poolId).usedBytes += bytes;
    const restored = config.disks.map((saved) => ({
      ...structuredClone(saved),
      poolId: vm.disks.find((disk) => disk.id === saved.id)?.poolId ?? saved.poolId,
    }));
    vm.disks = [...restored, ...vm.disks.filter((disk) => !config.disks.some((saved) => saved.id === disk.id))];
    vm.vcpus = config.vcpus;
    vm.memoryMiB = config.memoryMiB;
    vm.cpu = structuredClone(config.cpu);
    vm.bootOrder = [...config.bootOrder];
    vm.nics = structuredClone(config.nics);
    vm.pendingChanges = {};
    record.currentSnapshotId = snapshot.id;
    record.bootEpoch += 1;
    const previous = vm.state;
    vm.state = state;
    this.touch(record);
    if (previous !== state || state !== 'shutoff')
      this.emit({
        type: 'vm.state',
        data: { vmId, state, previous, generation: vm.generation, reason: `reverted to snapshot ${snapshot.name}` },
      });
    this.emit({ type: 'vm.updated', data: { vm: structuredClone(vm) } });
    return structuredClone(vm);
  }

  /** Deletes one snapshot and gives its space back; its children hang from its parent from now on. */
  async deleteSnapshot(vmId: string, snapshotId: string, expectedGeneration?: number): Promise<Vm> {
    const record = this.record(vmId);
    this.checkGeneration(record, expectedGeneration);
    const { vm } = record;
    this.checkSnapshotable(record, 'delete a snapshot');
    const snapshot = this.snapshot(record, snapshotId);
    this.release(snapshot.storage);
    for (const child of record.snapshots) if (child.parentId === snapshot.id) child.parentId = snapshot.parentId;
    if (record.currentSnapshotId === snapshot.id) record.currentSnapshotId = snapshot.parentId;
    record.snapshots = record.snapshots.filter((candidate) => candidate !== snapshot);
    vm.snapshotCount = record.snapshots.length;
    this.touch(record);
    this.emit({ type: 'vm.updated', data: { vm: structuredClone(vm) } });
    return structuredClone(vm);
  }

  private setState(record: SimVm, state: Vm['state'], reason: string): void {
    const previous = record.vm.state;
    record.vm.state = state;
    this.touch(record);
    this.emit({ type: 'vm.state', data: { vmId: record.vm.id, state, previous, generation: record.vm.generation, reason } });
    // A transient VM (migrated in with persistent: false) has no definition once it stops.
    if (record.transient && (state === 'shutoff' || state === 'crashed') && this.vms.get(record.vm.id) === record) {
      this.vms.delete(record.vm.id);
      this.emit({ type: 'vm.deleted', data: { vmId: record.vm.id } });
    }
  }

  // ---- jobs (sim-migrations.ts: outgoing and storage migrations; sim-incoming.ts: incoming) ----------

  listJobs(): Job[] {
    return this.migrations.listJobs();
  }

  getJob(jobId: string): Job {
    return this.migrations.getJob(jobId);
  }

  migrate(vmId: string, destination: PeerRef, options: MigrationOptions): Promise<Job> {
    return this.migrations.migrate(vmId, destination, options);
  }

  migrateStorage(
    vmId: string,
    diskId: string,
    targetPoolId: string,
    options: { maxBandwidthMBps: number | null; deleteSource: boolean },
  ): Promise<Job> {
    return this.migrations.migrateStorage(vmId, diskId, targetPoolId, options);
  }

  cancelJob(jobId: string): Promise<Job> {
    return this.migrations.cancelJob(jobId);
  }

  setJobBandwidth(jobId: string, maxBandwidthMBps: number | null): Promise<Job> {
    return this.migrations.setJobBandwidth(jobId, maxBandwidthMBps);
  }

  prepareIncoming(request: IncomingMigrationRequest): Promise<IncomingMigration> {
    return this.incoming.prepareIncoming(request);
  }

  keepIncoming(incomingId: string): Promise<IncomingMigration> {
    return this.incoming.keepIncoming(incomingId);
  }

  completeIncoming(incomingId: string, vm: Vm): Promise<Vm> {
    return this.incoming.completeIncoming(incomingId, vm);
  }

  abortIncoming(incomingId: string): Promise<void> {
    return this.incoming.abortIncoming(incomingId);
  }

  // ---- exec, consoles --------------------------------------------------------------------------

  async exec(argv: string[], timeoutMs: number): Promise<ExecResult> {
    return simulatedExec(this, argv, timeoutMs, this.world);
  }

  openSerialConsole(vmId: string): Duplex {
    const record = this.record(vmId);
    if (record.vm.state !== 'running' && record.vm.state !== 'paused' && record.vm.state !== 'migrating') {
      throw new DriverError(409, `VM ${record.vm.name} is ${record.vm.state}; start it to use its console`);
    }
    return serialConsole(this.consoleSubject(record));
  }

  openVncConsole(vmId: string): Duplex {
    const record = this.record(vmId);
    if (record.vm.state !== 'running' && record.vm.state !== 'paused' && record.vm.state !== 'migrating') {
      throw new DriverError(409, `VM ${record.vm.name} is ${record.vm.state}; start it to use its console`);
    }
    return vncConsole(this.consoleSubject(record));
  }

  private consoleSubject(record: SimVm) {
    return { describe: () => ({ name: record.vm.name, state: record.vm.state, hostname: this.hostname, kernel: this.kernel }) };
  }

  readonly simulation = {
    powerCycle: (): void => {
      for (const timer of this.timers) clearTimeout(timer);
      this.timers.clear();
      this.incoming.releaseAll();
      this.migrations.powerLoss();
      for (const record of this.vms.values()) {
        if (record.vm.state !== 'shutoff') {
          record.vm.state = 'shutoff';
          this.touch(record);
        }
      }
      // The host boots: autostart VMs start (a cold start) as long as they fit.
      for (const record of this.vms.values()) {
        const { vm } = record;
        if (!vm.autostart || this.freeMemoryMiB() < vm.memoryMiB) continue;
        if (this.bootCpu(vm).features.some((feature) => !this.cpu.features.includes(feature))) continue;
        this.applyPending(record);
        record.bootEpoch += 1;
        vm.state = 'running';
        this.touch(record);
      }
    },
    failNextMigration: (atFraction: number): void => {
      this.migrations.failNextMigrationAt = atFraction;
    },
    corruptStats: (rules: readonly StatsCorruption[]): void => {
      this.statsCorruption = rules.map((rule) => ({ ...rule }));
    },
    ignoreAcpi: (vmId: string, ignore: boolean): void => {
      this.record(vmId).ignoreAcpi = ignore;
    },
    stallMigrations: (stall: boolean): void => {
      this.migrations.stalled = stall;
    },
  };

  /** Change what a VM's guest does (tests and demos: make it dirty memory fast, say). */
  setWorkload(vmId: string, profile: WorkloadProfile): void {
    this.record(vmId).profile = profile;
    this.world.profiles.set(vmId, profile);
  }

  /** For the exec simulation: a compact view of what runs here. */
  runningVmNames(): string[] {
    return [...this.vms.values()].filter(({ vm }) => vm.state === 'running').map(({ vm }) => vm.name);
  }

  // ---- events and stats --------------------------------------------------------------------------

  onEvent(listener: (event: DriverEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: DriverEvent): void {
    if (this.closed) return;
    for (const listener of this.listeners) listener(event);
  }

  private later(ms: number, run: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      run();
    }, this.world.scaled(ms));
    this.timers.add(timer);
  }

  /** A sample now, for a new follower of the event stream (the driver's sampleStats). */
  sampleStats(): void {
    this.emitStats();
  }

  /** One stats sample for the host and each running VM, from their workload profiles. */
  emitStats(): void {
    if (!this.listeners.size) return;
    const t = Date.now() / 60_000;
    let cpuUsed = 0;
    let memoryUsed = 2048;
    const totals = { diskReadBps: 0, diskWriteBps: 0, netRxBps: 0, netTxBps: 0 };
    const vms = [];
    for (const { vm, profile, phase } of this.vms.values()) {
      if (vm.state !== 'running' && vm.state !== 'migrating') continue;
      const shape = PROFILES[profile];
      const wave = Math.sin(t / 7 + phase);
      const jitter = this.rng.next() - 0.5;
      const cpuPercent = clamp(shape.cpu + shape.cpuSwing * wave + 4 * jitter, 0, 100);
      const stats = {
        vmId: vm.id,
        cpuPercent: round(cpuPercent),
        memoryUsedMiB: Math.round(vm.memoryMiB * clamp(shape.memory + 0.05 * wave, 0.05, 1)),
        diskReadBps: Math.round(shape.diskBps * 0.6 * (1 + 0.5 * wave + jitter)),
        diskWriteBps: Math.round(shape.diskBps * 0.4 * (1 + 0.5 * wave - jitter)),
        netRxBps: Math.round(shape.netBps * (1 + 0.4 * wave + jitter)),
        netTxBps: Math.round(shape.netBps * 0.7 * (1 + 0.4 * wave - jitter)),
      };
      for (const key of ['diskReadBps', 'diskWriteBps', 'netRxBps', 'netTxBps'] as const) {
        stats[key] = Math.max(0, stats[key]);
        totals[key] += stats[key];
      }
      cpuUsed += (cpuPercent / 100) * vm.vcpus;
      memoryUsed += stats.memoryUsedMiB;
      vms.push(stats);
    }
    const threads = this.cpu.sockets * this.cpu.coresPerSocket * this.cpu.threadsPerCore;
    const host = {
      cpuPercent: round(clamp((cpuUsed / threads) * 100 + 1, 0, 100)),
      memoryUsedMiB: Math.min(this.memoryMiB, memoryUsed),
      ...totals,
    };
    for (const { target, field, value } of this.statsCorruption) {
      const row = target === 'host' ? host : vms.find((vm) => vm.vmId === target);
      if (row) (row as Record<string, unknown>)[field] = value;
    }
    this.emit({ type: 'stats', data: { host, vms, intervalMs: this.world.statsIntervalMs } });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.listeners.clear();
  }
}

/** The definition a snapshot keeps. */
function configOf(vm: Vm): VaporSnapshotConfig {
  return structuredClone({
    vcpus: vm.vcpus,
    memoryMiB: vm.memoryMiB,
    cpu: vm.cpu,
    bootOrder: vm.bootOrder,
    disks: vm.disks,
    nics: vm.nics,
  });
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
