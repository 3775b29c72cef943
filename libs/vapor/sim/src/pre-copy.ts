/**
 * QEMU's pre-copy live migration, as a model: (for shared-nothing) mirror the local disks first,
 * then send all of RAM, then repeatedly send what the guest dirtied during the previous pass,
 * until the rest can be sent within the downtime limit; then pause the guest and send that rest
 * (the downtime). With auto-converge, a pass that does not shrink the dirty set throttles the vCPUs
 * (20% first, +10% per pass, at most 99%, QEMU's cpu-throttle-initial/increment/max defaults).
 * The bandwidth limit may change while it runs (QEMU's migrate-set-parameters max-bandwidth).
 */
export interface PreCopyParams {
  ramBytes: number;
  /** Guest RAM writes per second at 0% throttle (4 KiB pages x pages/s). */
  dirtyBytesPerSecond: number;
  bandwidthBytesPerSecond: number;
  downtimeLimitMs: number;
  autoConverge: boolean;
  /** Local disks to mirror first (shared-nothing), with the rate the guest writes to them. */
  diskBytes?: number;
  diskWriteBytesPerSecond?: number;
}

export type PreCopyPhase = 'copying-disks' | 'copying-ram' | 'iterating' | 'completed';

const PAGE = 4096;
const SWITCHOVER_OVERHEAD_MS = 3;

export class PreCopy {
  phase: PreCopyPhase;
  iteration = 0;
  throttle = 0;
  transferredBytes = 0;
  downtimeMs: number | null = null;
  private diskRemaining: number;
  private passRemaining: number;
  private dirtiedThisPass = 0;
  private previousPassBytes: number;
  private lastThroughput = 0;
  private bandwidth: number;

  constructor(private readonly params: PreCopyParams) {
    this.bandwidth = params.bandwidthBytesPerSecond;
    this.diskRemaining = params.diskBytes ?? 0;
    this.phase = this.diskRemaining > 0 ? 'copying-disks' : 'copying-ram';
    this.passRemaining = params.ramBytes;
    this.previousPassBytes = params.ramBytes;
  }

  get bandwidthBytesPerSecond(): number {
    return this.bandwidth;
  }

  /** A new bandwidth limit, used from the next step on (the pass under way continues at it). */
  setBandwidth(bytesPerSecond: number): void {
    if (!(bytesPerSecond > 0)) throw new RangeError(`bandwidth must be more than 0 bytes/s, got ${bytesPerSecond}`);
    this.bandwidth = bytesPerSecond;
  }

  get totalBytes(): number {
    return (this.params.diskBytes ?? 0) + this.params.ramBytes;
  }

  get remainingBytes(): number {
    return Math.round(this.diskRemaining + (this.phase === 'completed' ? 0 : this.passRemaining + this.dirtiedThisPass));
  }

  get dirtyPagesRate(): number {
    return (this.params.dirtyBytesPerSecond * (1 - this.throttle / 100)) / PAGE;
  }

  get throughputMBps(): number {
    return this.lastThroughput / (1024 * 1024);
  }

  /** What switching over now would cost, as QEMU's expected-downtime estimates it. */
  get expectedDowntimeMs(): number {
    return ((this.passRemaining + this.dirtiedThisPass) / this.bandwidth) * 1000;
  }

  isCompleted(): boolean {
    return this.phase === 'completed';
  }

  /** Advance by `seconds` of simulated time (any step size: passes end exactly where they end). */
  step(seconds: number): void {
    if (this.phase === 'completed' || seconds <= 0) return;
    const bandwidth = this.bandwidth;
    const sentBefore = this.transferredBytes;
    let left = seconds;
    while (left > 1e-9 && !this.isCompleted()) {
      if (this.phase === 'copying-disks') {
        const writes = this.params.diskWriteBytesPerSecond ?? 0;
        // Time to catch up with the disk while the guest keeps writing to it.
        const need = bandwidth > writes ? this.diskRemaining / (bandwidth - writes) : Infinity;
        const used = Math.min(left, need);
        this.transferredBytes += bandwidth * used;
        this.diskRemaining = Math.max(0, this.diskRemaining + writes * used - bandwidth * used);
        left -= used;
        if (used === need) {
          this.diskRemaining = 0;
          this.phase = 'copying-ram';
        }
        continue;
      }
      const need = this.passRemaining / bandwidth;
      const used = Math.min(left, need);
      this.passRemaining -= bandwidth * used;
      this.transferredBytes += bandwidth * used;
      this.dirtiedThisPass = Math.min(this.params.ramBytes, this.dirtiedThisPass + this.dirtyPagesRate * PAGE * used);
      left -= used;
      if (used === need) this.endPass();
    }
    this.lastThroughput = (this.transferredBytes - sentBefore) / seconds;
  }

  /** Time passes and not a byte moves (the migration stream is stuck): only the throughput changes, to 0. */
  idle(): void {
    this.lastThroughput = 0;
  }

  /** What was dirtied during a pass is the next pass, unless it fits the downtime limit. */
  private endPass(): void {
    const next = this.dirtiedThisPass;
    this.dirtiedThisPass = 0;
    this.iteration += 1;
    this.phase = 'iterating';
    const downtime = (next / this.bandwidth) * 1000;
    if (downtime <= this.params.downtimeLimitMs) {
      this.transferredBytes += next;
      this.passRemaining = 0;
      this.downtimeMs = Math.round((downtime + SWITCHOVER_OVERHEAD_MS) * 10) / 10;
      this.phase = 'completed';
      return;
    }
    if (this.params.autoConverge && next > this.previousPassBytes * 0.5) {
      this.throttle = this.throttle === 0 ? 20 : Math.min(99, this.throttle + 10);
    }
    this.previousPassBytes = next;
    this.passRemaining = next;
  }
}
