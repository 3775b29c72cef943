import type { Duplex } from 'node:stream';
import type {
  ExecResult,
  HostInfo,
  HostStats,
  IncomingMigration,
  IncomingMigrationRequest,
  Job,
  MigrationOptions,
  PeerRef,
  VaporSnapshot,
  Vm,
  VmAction,
  VmStats,
} from '@cockpit/contracts';
import type { z } from 'zod';
import type { VaporSnapshotCreate, VmCreate, VmUpdate } from '@cockpit/contracts';

type ParsedVmCreate = z.output<typeof VmCreate>;
/**
 * What createVm takes: VmCreate as the agent parsed it (defaults filled). Fields that came later
 * with a default (autostart, bootOrder) may be left out by a direct caller; the driver applies the
 * same defaults.
 */
export type VmCreateSpec = Omit<ParsedVmCreate, 'autostart' | 'bootOrder'> &
  Partial<Pick<ParsedVmCreate, 'autostart' | 'bootOrder'>>;
export type VmUpdateSpec = z.output<typeof VmUpdate>;
export type SnapshotCreateSpec = z.output<typeof VaporSnapshotCreate>;

/** What a driver reports; the agent numbers, buffers and streams it. */
export type DriverEvent =
  | { type: 'vm.state'; data: { vmId: string; state: Vm['state']; previous: Vm['state']; generation: number; reason: string } }
  | { type: 'vm.created'; data: { vm: Vm } }
  | { type: 'vm.updated'; data: { vm: Vm } }
  | { type: 'vm.deleted'; data: { vmId: string } }
  | { type: 'job.progress'; data: { job: Job } }
  | { type: 'job.finished'; data: { job: Job } }
  | { type: 'host.changed'; data: { reason: string } }
  | { type: 'stats'; data: { host: z.infer<typeof HostStats>; vms: VmStats[]; intervalMs: number } };

/**
 * Fault injection: from now on, every stats frame of the host carries `value` in `field` of the
 * host's row (`target: 'host'`) or of one VM's row (its id), whatever the type. Tests use it to
 * check that Cockpit drops exactly the bad rows.
 */
export interface StatsCorruption {
  target: 'host' | string;
  field: string;
  value: unknown;
}

/** A refusal the agent answers with a 4xx: the reason is written for the person who asked. */
export class DriverError extends Error {
  constructor(
    readonly status: 404 | 409 | 412 | 422 | 502 | 507,
    message: string,
  ) {
    super(message);
    this.name = 'DriverError';
  }
}

/**
 * One hypervisor host as the agent sees it. Shaped on libvirt/QEMU concepts (domains, storage pools,
 * bridges, QEMU migration parameters and query-migrate figures, block-mirror with pivot, NBD for
 * shared-nothing) so the sim, qemu (QMP) and libvirt (virsh) drivers all fit without API changes.
 *
 * Every method validates against the host's state and throws DriverError for a refusal.
 */
export interface HypervisorDriver {
  hostInfo(): HostInfo;
  listVms(): Vm[];
  getVm(vmId: string): Vm;
  createVm(spec: VmCreateSpec): Promise<Vm>;
  /**
   * `expectedGeneration` (from If-Match) makes the update fail with 412 when the VM changed meanwhile.
   * A running or paused VM applies VM_LIVE_UPDATABLE fields at once and stages the others in
   * `pendingChanges` (applied at its next cold start); see planVmUpdate in the contracts.
   */
  updateVm(vmId: string, update: VmUpdateSpec, expectedGeneration?: number): Promise<Vm>;
  /** Deletes the VM's snapshots too. */
  deleteVm(vmId: string, options: { keepDisks: boolean }, expectedGeneration?: number): Promise<void>;
  /** `shutdown` only asks the guest: it answers at once and the VM turns shutoff when (if) the guest obeys. */
  act(vmId: string, action: VmAction, expectedGeneration?: number): Promise<Vm>;

  /** The VM's snapshots, oldest first. */
  listSnapshots(vmId: string): VaporSnapshot[];
  /** Every snapshot change bumps the VM's generation and emits `vm.updated` (its snapshotCount, config or state). */
  createSnapshot(
    vmId: string,
    spec: SnapshotCreateSpec,
    expectedGeneration?: number,
  ): Promise<{ snapshot: VaporSnapshot; vm: Vm }>;
  revertSnapshot(vmId: string, snapshotId: string, expectedGeneration?: number): Promise<Vm>;
  deleteSnapshot(vmId: string, snapshotId: string, expectedGeneration?: number): Promise<Vm>;

  listJobs(): Job[];
  getJob(jobId: string): Job;
  /** Source side: start moving a VM to `destination`; progress arrives as job events. */
  migrate(vmId: string, destination: PeerRef, options: MigrationOptions): Promise<Job>;
  migrateStorage(
    vmId: string,
    diskId: string,
    targetPoolId: string,
    options: { maxBandwidthMBps: number | null; deleteSource: boolean },
  ): Promise<Job>;
  cancelJob(jobId: string): Promise<Job>;
  /**
   * A running migration or storage migration copies at this limit (MB/s, null: unlimited) from its
   * next step on; the job's `maxBandwidthMBps` says it. 409 once the job finished (or, a migration,
   * once it is switching over), 404 for an unknown job.
   */
  setJobBandwidth(jobId: string, maxBandwidthMBps: number | null): Promise<Job>;

  /** Destination side: check the VM can run here (CPU, bridges, memory, storage) and reserve room. */
  prepareIncoming(request: IncomingMigrationRequest): Promise<IncomingMigration>;
  /** Destination side: the source is still migrating; keep the reservation. */
  keepIncoming(incomingId: string): Promise<IncomingMigration>;
  /** Destination side: switch-over; the VM now runs here. */
  completeIncoming(incomingId: string, vm: Vm): Promise<Vm>;
  /** Destination side: the migration failed or was cancelled; release the reservation. */
  abortIncoming(incomingId: string): Promise<void>;

  exec(argv: string[], timeoutMs: number): Promise<ExecResult>;

  /** A byte stream to the VM's serial console. */
  openSerialConsole(vmId: string): Duplex;
  /** A byte stream speaking RFB (VNC) from the server side. */
  openVncConsole(vmId: string): Duplex;

  /** Subscribe to everything that happens on this host; returns the unsubscribe function. */
  onEvent(listener: (event: DriverEvent) => void): () => void;

  /**
   * Take a stats sample now, as an extra `stats` event (a new follower of the event stream gets
   * figures at once instead of at the next interval). Optional: without it, followers wait.
   */
  sampleStats?(): void;

  close(): Promise<void>;

  /** Only simulated drivers: what fault injection may do to the host itself. */
  simulation?: {
    /** Power loss and restore: VMs that ran are off, running jobs are gone. */
    powerCycle(): void;
    failNextMigration(atFraction: number): void;
    /** Replaces values in every stats frame from now on (an empty list stops it). */
    corruptStats?(rules: readonly StatsCorruption[]): void;
    /** The VM's guest ignores ACPI shutdown requests (true) or obeys them again (false); 404 for an unknown VM. */
    ignoreAcpi?(vmId: string, ignore: boolean): void;
    /**
     * While true, the host's outgoing migrations and storage migrations make no progress: not a byte
     * moves, they stay running and keep reporting progress (unchanged bytes, throughput 0).
     */
    stallMigrations?(stall: boolean): void;
  };
}
