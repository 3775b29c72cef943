import type { HostInfo, Network, VaporSnapshot, Vm } from '@cockpit/contracts';
import type { DriverEvent } from '@cockpit/vapor-driver';
import type { WorkloadProfile } from './catalog.js';
import type { Rng } from './rng.js';
import type { SimWorld } from './world.js';

export interface SimPool {
  id: string;
  type: 'local' | 'shared';
  capacityBytes: number;
  usedBytes: number;
}

/** One VM as a simulated host keeps it. */
export interface SimVm {
  vm: Vm;
  profile: WorkloadProfile;
  /** Phase of the workload's daily curve, so VMs do not all peak together. */
  phase: number;
  /** Oldest first; `current` is derived from currentSnapshotId. */
  snapshots: Omit<VaporSnapshot, 'current'>[];
  /** libvirt's current snapshot: the last one taken or reverted to; the parent of the next. */
  currentSnapshotId: string | null;
  /** Fault injection: the guest ignores ACPI shutdown requests. */
  ignoreAcpi: boolean;
  /** Changes on every cold start, reset and revert: an ACPI shutdown asked before it is void. */
  bootEpoch: number;
  /**
   * Arrived by a migration with `persistent: false`: like libvirt's transient domain, its
   * definition goes when it stops (its disks stay on their pools).
   */
  transient?: boolean;
}

export function newRecord(vm: Vm, profile: WorkloadProfile, phase: number): SimVm {
  return { vm, profile, phase, snapshots: [], currentSnapshotId: null, ignoreAcpi: false, bootEpoch: 0 };
}

export const MiB = 1024 * 1024;
/** How often a running job reports its progress (wall-clock ms). */
export const PROGRESS_EVERY_MS = 500;

/**
 * What the migration code (sim-migrations.ts, sim-incoming.ts) may use of its SimHost: the host
 * hands it these, so the host's state stays the host's and every change still goes through it.
 */
export interface SimHostCore {
  readonly uuid: string;
  readonly hostname: string;
  readonly cpu: HostInfo['cpu'];
  readonly pools: SimPool[];
  readonly networks: Network[];
  readonly world: SimWorld;
  readonly rng: Rng;
  /** The host's VMs by id. */
  readonly vms: Map<string, SimVm>;
  /** Timers the host clears on close and power loss. */
  readonly timers: Set<NodeJS.Timeout>;
  /** The VM's record, or DriverError 404. */
  record(vmId: string): SimVm;
  /** The pool, or DriverError 404. */
  pool(poolId: string): SimPool;
  freeMemoryMiB(): number;
  /** DriverError 409 naming the flags this host's CPU lacks. */
  checkCpu(features: readonly string[]): void;
  setState(record: SimVm, state: Vm['state'], reason: string): void;
  /** A new generation and updatedAt. */
  touch(record: SimVm): void;
  emit(event: DriverEvent): void;
  /** Runs after `ms` of simulated time (unless the host closes or loses power first). */
  later(ms: number, run: () => void): void;
  /** Gives back pool space. */
  release(storage: readonly { poolId: string; bytes: number }[]): void;
  listSnapshots(vmId: string): VaporSnapshot[];
}
