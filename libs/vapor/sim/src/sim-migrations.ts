import type { IncomingMigration, Job, MigrationOptions, PeerRef, Vm } from '@cockpit/contracts';
import { DriverError } from '@cockpit/vapor-driver';
import { VaporClient, VaporRequestError } from '@cockpit/vapor-client';
import { PROFILES } from './catalog.js';
import { PreCopy } from './pre-copy.js';
import { MiB, PROGRESS_EVERY_MS, type SimHostCore } from './sim-core.js';

interface SimJob {
  job: Job;
  /** Stops the job (the caller marks it cancelled unless this did); throws DriverError 409 when it is too late. */
  cancel(): void;
  /** Copies at this limit (MB/s, null: unlimited) from the next step on; throws DriverError 409 when it is too late. */
  setBandwidth(maxBandwidthMBps: number | null): void;
}

const KEEPALIVE_MS = 5_000;
/** 10 Gbit/s: what an unlimited migration gets. */
const LINK_BYTES_PER_SECOND = 1192 * 1024 * 1024;
/** What an unlimited storage migration gets (the pools' speed). */
const STORAGE_BYTES_PER_SECOND = 400 * MiB;

/**
 * The jobs of one simulated host: live migrations it sends (source side, driving the destination
 * agent) and storage migrations of its VMs' disks.
 */
export class SimMigrations {
  private readonly jobs = new Map<string, SimJob>();
  /** Fault injection: the next outgoing migration fails once this share of it is done. */
  failNextMigrationAt: number | null = null;
  /**
   * Fault injection: outgoing migrations and storage migrations make no progress (not a byte
   * moves, throughput 0) while they keep running and reporting; cleared, they go on.
   */
  stalled = false;

  constructor(private readonly host: SimHostCore) {}

  hasRunningJob(vmId: string): boolean {
    return [...this.jobs.values()].some(({ job }) => job.vmId === vmId && job.state === 'running');
  }

  /** Power loss: every running job fails, as its host did. */
  powerLoss(): void {
    for (const { job } of this.jobs.values()) {
      if (job.state === 'running') {
        job.state = 'failed';
        job.progress.phase = 'failed';
        job.finishedAt = new Date().toISOString();
        job.result = {
          downtimeMs: null,
          durationMs: Date.parse(job.finishedAt) - Date.parse(job.startedAt),
          error: 'host lost power',
        };
      }
    }
  }

  listJobs(): Job[] {
    return [...this.jobs.values()].map(({ job }) => structuredClone(job));
  }

  getJob(jobId: string): Job {
    const job = this.jobs.get(jobId);
    if (!job) throw new DriverError(404, `No job ${jobId} on host ${this.host.hostname}`);
    return structuredClone(job.job);
  }

  /**
   * Live migration, source side. The destination is asked first (it checks CPU, bridges, memory
   * and storage and reserves room, or refuses with its reason); then RAM (and, shared-nothing, the
   * local disks) is copied by the pre-copy model while the VM keeps running; at switch-over the
   * destination starts the VM. Whatever goes wrong before that, the VM keeps running here.
   */
  async migrate(vmId: string, destination: PeerRef, options: MigrationOptions): Promise<Job> {
    const record = this.host.record(vmId);
    const { vm } = record;
    if (options.live && vm.state !== 'running' && vm.state !== 'paused') {
      throw new DriverError(409, `VM ${vm.name} is ${vm.state}; live migration needs it running or paused`);
    }
    if (vm.state === 'migrating') throw new DriverError(409, `VM ${vm.name} is already migrating`);
    if (this.hasRunningJob(vmId)) {
      throw new DriverError(409, `VM ${vm.name} already has a running job`);
    }
    // Snapshots (memory ones too) move with the VM: the destination redefines them. A definition
    // kept here would share their storage with the one there, so that combination is refused.
    if (record.snapshots.length && !options.undefineSource) {
      throw new DriverError(
        422,
        `VM ${vm.name} has ${record.snapshots.length} snapshots, which move with it: migrate it with undefineSource, or delete them first`,
      );
    }
    const localDisks = vm.disks.filter((disk) => this.host.pool(disk.poolId).type === 'local');
    if (localDisks.length && !options.copyStorage) {
      throw new DriverError(
        409,
        `VM ${vm.name} has disks on local storage (${localDisks.map((d) => d.id).join(', ')}); migrate with copy storage (shared-nothing)`,
      );
    }
    const peer = new VaporClient(
      { baseUrl: destination.url, token: destination.token, fingerprint: destination.fingerprint },
      { timeoutMs: 10_000 },
    );
    let reservation: IncomingMigration;
    try {
      reservation = await peer.prepareIncoming({
        vm: structuredClone(vm),
        options,
        sourceHostUuid: this.host.uuid,
        sourceCpu: { model: this.host.cpu.model, features: [...this.host.cpu.features] },
        snapshots: this.host.listSnapshots(vmId),
      });
    } catch (error) {
      if (error instanceof VaporRequestError && error.status < 500)
        throw new DriverError(409, `Destination refused: ${error.message}`);
      throw new DriverError(502, `Destination ${new URL(destination.url).host} unreachable: ${(error as Error).message}`);
    }

    const profile = PROFILES[record.profile];
    const model = new PreCopy({
      ramBytes: vm.state === 'shutoff' || vm.state === 'crashed' ? 0 : vm.memoryMiB * MiB, // a stopped VM moves only its definition and disks
      // Offline (not live): the guest is paused for the whole copy, so nothing is dirtied.
      dirtyBytesPerSecond: vm.state === 'running' && options.live ? profile.dirtyPages * 4096 : 0,
      bandwidthBytesPerSecond: options.maxBandwidthMBps ? options.maxBandwidthMBps * MiB : LINK_BYTES_PER_SECOND,
      downtimeLimitMs: options.downtimeLimitMs,
      autoConverge: options.autoConverge,
      diskBytes: localDisks.reduce((sum, disk) => sum + disk.allocatedBytes, 0),
      diskWriteBytesPerSecond: vm.state === 'running' ? profile.diskBps * 0.3 : 0,
    });
    const job = this.newJob('migration', vmId, model.totalBytes, options.maxBandwidthMBps);
    const resumeState = vm.state;
    const destinationName = `host ${reservation.hostname ?? new URL(destination.url).host}`;
    this.host.setState(record, 'migrating', `migrating to ${new URL(destination.url).host}`);
    const failAt = this.failNextMigrationAt;
    this.failNextMigrationAt = null;

    let finished = false;
    /** From the moment the destination is asked to start the VM until it answers: too late to cancel. */
    let switchingOver = false;
    let simulatedSeconds = 0;
    let last = Date.now();
    let lastProgress = 0;
    let lastKeepalive = Date.now();
    const stop = () => {
      finished = true;
      clearInterval(tick);
      this.host.timers.delete(tick);
    };
    const fail = (reason: string, state: 'failed' | 'cancelled') => {
      if (finished && state === 'failed') return;
      stop();
      void peer.abortIncoming(reservation.id).catch(() => undefined);
      if (this.host.vms.get(vmId) === record)
        this.host.setState(record, resumeState, state === 'cancelled' ? 'migration cancelled' : `migration failed: ${reason}`);
      this.finishJob(job, state, state === 'failed' ? reason : null, null);
    };
    const publish = () => {
      job.progress = {
        phase: model.phase === 'completed' ? 'stop-and-copy' : model.phase,
        transferredBytes: Math.round(model.transferredBytes),
        remainingBytes: model.remainingBytes,
        totalBytes: model.totalBytes,
        dirtyPagesRate: Math.round(model.dirtyPagesRate),
        throughputMBps: Math.round(model.throughputMBps * 10) / 10,
        expectedDowntimeMs: Math.round(model.expectedDowntimeMs),
        iteration: model.iteration,
        cpuThrottlePercent: model.throttle,
      };
    };
    const tick = setInterval(() => {
      if (finished) return;
      const now = Date.now();
      const dt = ((now - last) / 1000) * this.host.world.timeScale;
      simulatedSeconds += dt;
      if (this.stalled) model.idle();
      else model.step(dt);
      last = now;
      publish();
      if (failAt !== null && model.transferredBytes >= failAt * model.totalBytes) {
        fail('injected fault: the migration stream broke', 'failed');
        return;
      }
      if (now - lastKeepalive >= KEEPALIVE_MS) {
        lastKeepalive = now;
        peer
          .keepIncoming(reservation.id)
          .catch((error: unknown) => fail(`lost the destination: ${(error as Error).message}`, 'failed'));
      }
      if (model.phase === 'completed') {
        stop();
        switchingOver = true;
        this.host.emit({ type: 'job.progress', data: { job: structuredClone(job) } });
        const moved: Vm = {
          ...structuredClone(record.vm),
          state: resumeState,
          generation: record.vm.generation + 1,
          updatedAt: new Date().toISOString(),
        };
        peer.completeIncoming(reservation.id, moved).then(
          () => {
            if (options.undefineSource) {
              for (const disk of localDisks) this.host.pool(disk.poolId).usedBytes -= disk.allocatedBytes;
              for (const snapshot of record.snapshots)
                this.host.release(snapshot.storage.filter((entry) => this.host.pool(entry.poolId).type === 'local'));
              this.host.vms.delete(vmId);
              this.host.emit({ type: 'vm.deleted', data: { vmId } });
            } else {
              this.host.setState(record, 'shutoff', 'migrated away; definition kept');
            }
            // Offline, the guest was paused from the first byte to the switch-over.
            this.finishJob(job, 'completed', null, options.live ? model.downtimeMs : Math.round(simulatedSeconds * 1000));
          },
          (error: unknown) => {
            switchingOver = false;
            finished = false;
            fail(`switch-over refused by the destination: ${(error as Error).message}`, 'failed');
          },
        );
      } else if (now - lastProgress >= PROGRESS_EVERY_MS) {
        lastProgress = now;
        this.host.emit({ type: 'job.progress', data: { job: structuredClone(job) } });
      }
    }, 50);
    this.host.timers.add(tick);
    // Once the destination may be running the VM, the source must not resume it: cancel is refused then.
    const tooLate = (what: string) => {
      if (switchingOver) throw new DriverError(409, `VM ${vm.name} is switching over to ${destinationName}; ${what}`);
    };
    this.jobs.set(job.id, {
      job,
      cancel: () => {
        tooLate('the migration can no longer be cancelled');
        fail('cancelled', 'cancelled');
      },
      setBandwidth: (maxBandwidthMBps) => {
        tooLate('its bandwidth no longer matters');
        model.setBandwidth(maxBandwidthMBps ? maxBandwidthMBps * MiB : LINK_BYTES_PER_SECOND);
      },
    });
    publish();
    this.host.emit({ type: 'job.progress', data: { job: structuredClone(job) } });
    return structuredClone(job);
  }

  /**
   * Moves one disk to another pool while the VM runs, as QEMU's blockdev-mirror does: copy
   * everything, keep copying what the guest writes meanwhile, pivot once in sync, then delete the
   * source. The target space is reserved up front; cancel or failure gives it back.
   */
  async migrateStorage(
    vmId: string,
    diskId: string,
    targetPoolId: string,
    options: { maxBandwidthMBps: number | null; deleteSource: boolean },
  ): Promise<Job> {
    const record = this.host.record(vmId);
    const disk = record.vm.disks.find((candidate) => candidate.id === diskId);
    if (!disk) throw new DriverError(404, `VM ${record.vm.name} has no disk "${diskId}"`);
    const target = this.host.pool(targetPoolId);
    const source = this.host.pool(disk.poolId);
    if (target === source)
      throw new DriverError(409, `Disk ${diskId} of VM ${record.vm.name} is already on pool "${targetPoolId}"`);
    if (record.vm.state === 'migrating') throw new DriverError(409, `VM ${record.vm.name} is migrating`);
    if (this.hasRunningJob(vmId)) {
      throw new DriverError(409, `VM ${record.vm.name} already has a running job`);
    }
    // A block mirror copies the disk's active layer only: its snapshots would be lost.
    if (record.snapshots.length)
      throw new DriverError(
        409,
        `VM ${record.vm.name} has ${record.snapshots.length} snapshots, which a storage migration would lose; delete them first`,
      );
    const free = target.capacityBytes - target.usedBytes;
    if (free < disk.allocatedBytes) {
      throw new DriverError(
        409,
        `Storage pool "${targetPoolId}" has ${free} bytes free, disk ${diskId} needs ${disk.allocatedBytes}`,
      );
    }
    target.usedBytes += disk.allocatedBytes;
    const rate = (maxBandwidthMBps: number | null) => (maxBandwidthMBps ? maxBandwidthMBps * MiB : STORAGE_BYTES_PER_SECOND);
    let bandwidth = rate(options.maxBandwidthMBps); // bytes per simulated second
    const job = this.newJob('storage-migration', vmId, disk.allocatedBytes, options.maxBandwidthMBps);
    job.progress.phase = 'copying-disks';
    let remaining = disk.allocatedBytes;
    let last = Date.now();
    let lastProgress = 0;
    const tick = setInterval(() => {
      const now = Date.now();
      const dt = ((now - last) / 1000) * this.host.world.timeScale;
      last = now;
      if (this.stalled) {
        job.progress.throughputMBps = 0;
      } else {
        const running = record.vm.state === 'running';
        const dirtied = running ? PROFILES[record.profile].diskBps * 0.3 * dt : 0;
        const sent = Math.min(remaining + dirtied, bandwidth * dt);
        remaining = Math.max(0, remaining + dirtied - sent);
        job.progress.transferredBytes += Math.round(sent);
        job.progress.remainingBytes = Math.round(remaining);
        job.progress.throughputMBps = dt > 0 ? sent / dt / MiB : 0;
      }
      if (remaining <= 0) {
        clearInterval(tick);
        this.host.timers.delete(tick);
        job.progress.phase = 'pivot';
        this.host.emit({ type: 'job.progress', data: { job: structuredClone(job) } });
        if (options.deleteSource) source.usedBytes -= disk.allocatedBytes;
        disk.poolId = target.id;
        this.host.touch(record);
        this.host.emit({ type: 'vm.updated', data: { vm: structuredClone(record.vm) } });
        this.finishJob(job, 'completed', null, 0);
      } else if (now - lastProgress >= PROGRESS_EVERY_MS) {
        lastProgress = now;
        this.host.emit({ type: 'job.progress', data: { job: structuredClone(job) } });
      }
    }, 50);
    this.host.timers.add(tick);
    this.jobs.set(job.id, {
      job,
      cancel: () => {
        clearInterval(tick);
        this.host.timers.delete(tick);
        target.usedBytes -= disk.allocatedBytes;
      },
      setBandwidth: (maxBandwidthMBps) => {
        bandwidth = rate(maxBandwidthMBps);
      },
    });
    this.host.emit({ type: 'job.progress', data: { job: structuredClone(job) } });
    return structuredClone(job);
  }

  async cancelJob(jobId: string): Promise<Job> {
    const entry = this.jobs.get(jobId);
    if (!entry) throw new DriverError(404, `No job ${jobId} on host ${this.host.hostname}`);
    if (entry.job.state !== 'running') throw new DriverError(409, `Job ${jobId} already ${entry.job.state}`);
    entry.cancel();
    // A migration's cancel finishes the job itself (one job.finished event, not two).
    if (entry.job.state === 'running') this.finishJob(entry.job, 'cancelled', null, null);
    return structuredClone(entry.job);
  }

  /** A running job copies at the new limit from its next step; 409 once it finished (or is switching over). */
  async setJobBandwidth(jobId: string, maxBandwidthMBps: number | null): Promise<Job> {
    const entry = this.jobs.get(jobId);
    if (!entry) throw new DriverError(404, `No job ${jobId} on host ${this.host.hostname}`);
    if (entry.job.state !== 'running')
      throw new DriverError(409, `Job ${jobId} already ${entry.job.state}; its bandwidth can no longer be changed`);
    entry.setBandwidth(maxBandwidthMBps);
    entry.job.maxBandwidthMBps = maxBandwidthMBps;
    this.host.emit({ type: 'job.progress', data: { job: structuredClone(entry.job) } });
    return structuredClone(entry.job);
  }

  private newJob(type: Job['type'], vmId: string, totalBytes: number, maxBandwidthMBps: number | null): Job {
    return {
      id: this.host.rng.uuid(),
      type,
      vmId,
      state: 'running',
      maxBandwidthMBps,
      progress: {
        phase: 'setup',
        transferredBytes: 0,
        remainingBytes: totalBytes,
        totalBytes,
        dirtyPagesRate: 0,
        throughputMBps: 0,
        expectedDowntimeMs: 0,
        iteration: 0,
        cpuThrottlePercent: 0,
      },
      startedAt: new Date().toISOString(),
      finishedAt: null,
      result: null,
    };
  }

  private finishJob(
    job: Job,
    state: 'completed' | 'failed' | 'cancelled',
    error: string | null,
    downtimeMs: number | null,
  ): void {
    job.state = state;
    job.progress.phase = state;
    job.finishedAt = new Date().toISOString();
    job.result = { downtimeMs, durationMs: Date.parse(job.finishedAt) - Date.parse(job.startedAt), error };
    this.host.emit({ type: 'job.finished', data: { job: structuredClone(job) } });
  }
}
