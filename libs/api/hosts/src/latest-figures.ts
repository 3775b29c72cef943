import type { Sample } from '@cockpit/api-metrics';
import type { LatestStats } from './inventory.service.js';

/**
 * How often the VMs' latest figures (what lists show before live frames arrive) are written. Each
 * write is an UPDATE of every running VM's row, the costliest statement of the whole stats
 * pipeline at every 5 s (see README, Performance); live views follow the stats frames instead.
 */
const VM_LATEST_MS = 30_000;
/** The same for hosts' figures (and last_seen_at). A host's or VM's first figures are written at the next round. */
const HOST_LATEST_MS = 10_000;

/** The last stats frame per owned host, and which of its figures are due to be written. */
export class LatestFigures {
  private readonly hosts = new Map<string, Sample>();
  private readonly vms = new Map<string, readonly Sample[]>();
  /** Hosts whose host / VM figures were written since we own them (later ones wait for their period). */
  private readonly hostWritten = new Set<string>();
  private readonly vmWritten = new Set<string>();
  private lastHosts = Date.now();
  private lastVms = Date.now();

  frame(hostId: string, host: Sample | undefined, vms: readonly Sample[]): void {
    if (host) this.hosts.set(hostId, host);
    this.vms.set(hostId, vms);
  }

  /** A host we no longer own (or all of them): its next figures count as new. */
  forget(hostId?: string): void {
    if (hostId === undefined) {
      this.hostWritten.clear();
      this.vmWritten.clear();
      return;
    }
    this.hostWritten.delete(hostId);
    this.vmWritten.delete(hostId);
  }

  /** Hosts' figures every HOST_LATEST_MS, VMs' every VM_LATEST_MS, new ones at once, everything when forced. */
  due(force = false): { hosts: LatestStats[]; vms: LatestStats[] } {
    const now = Date.now();
    const hostsDue = force || now - this.lastHosts >= HOST_LATEST_MS;
    const vmsDue = force || now - this.lastVms >= VM_LATEST_MS;
    if (hostsDue) this.lastHosts = now;
    if (vmsDue) this.lastVms = now;
    const latest = (s: Sample): LatestStats => ({ id: s.id, cpuPercent: s.cpuPercent, memoryUsedMiB: s.memoryUsedMiB, at: s.ts });
    const hosts: LatestStats[] = [];
    for (const [hostId, sample] of this.hosts) {
      if (!hostsDue && this.hostWritten.has(hostId)) continue;
      hosts.push(latest(sample));
      this.hosts.delete(hostId);
      this.hostWritten.add(hostId);
    }
    const vms: LatestStats[] = [];
    for (const [hostId, frame] of this.vms) {
      if (!vmsDue && this.vmWritten.has(hostId)) continue;
      for (const sample of frame) vms.push(latest(sample));
      this.vms.delete(hostId);
      this.vmWritten.add(hostId);
    }
    return { hosts, vms };
  }
}
