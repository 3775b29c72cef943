import type { StatsCorruption } from '@cockpit/vapor-driver';

/**
 * The next `remaining` requests to the host (to one declared route if `routeId` is set, any route
 * otherwise, event streams included, ping never) wait `delayMs`, then run, or answer `refuse`
 * instead. Counted after the bearer-token check.
 */
export interface NextRequestsFault {
  routeId: string | null;
  remaining: number;
  delayMs: number;
  refuse: { status: number; message: string } | null;
}

/**
 * Fault injection for tests: off unless someone turns it on, and reachable only in-process (the
 * object returned by startAgentServer) or on the loopback admin endpoint of the CLI (--admin-port).
 */
export interface HostFaults {
  /** Requests are accepted and never answered (a hung agent). */
  hang: boolean;
  /** Every answer waits this long. */
  slowMs: number;
  /** JSON answers are replaced by a truncated, invalid body. */
  malformed: boolean;
  /** The host is off: connections are dropped at once. */
  powerLoss: boolean;
  /** Slow or refuse the next few requests (null: none). */
  nextRequests: NextRequestsFault | null;
}

export const NO_FAULTS: HostFaults = Object.freeze({
  hang: false,
  slowMs: 0,
  malformed: false,
  powerLoss: false,
  nextRequests: null,
});

export interface FaultControl {
  get(hostUuid: string): HostFaults;
  set(hostUuid: string, faults: Partial<HostFaults>): HostFaults;
  /** Close every event stream of the host (clients must resume by seq). */
  dropEvents(hostUuid: string): number;
  /** Power the host off: drop everything; VMs that ran are off when it comes back. */
  powerLoss(hostUuid: string): void;
  /** Power back on: a new agent incarnation (new event stream id, seq from 0). */
  powerRestore(hostUuid: string): void;
  /** Make the host's next outgoing migration fail once this share (0..1) of it is done. */
  failNextMigration(hostUuid: string, atFraction: number): void;
  /** Every stats frame of the host carries these values from now on (simulated drivers; `[]` stops it). */
  corruptStats(hostUuid: string, rules: readonly StatsCorruption[]): void;
  /**
   * The guest of one VM ignores (true) or obeys again (false) ACPI shutdown: `shutdown` is
   * answered and the VM keeps running. Simulated drivers only; DriverError 404 for an unknown VM.
   */
  ignoreAcpi(hostUuid: string, vmId: string, ignore: boolean): void;
  /**
   * While `stall` is true the host's outgoing migrations and storage migrations make no progress:
   * no bytes move, the jobs stay running and keep reporting (unchanged transferredBytes,
   * throughput 0), as a stuck migration stream would. Simulated drivers only (DriverError 422).
   */
  stallMigrations(hostUuid: string, stall: boolean): void;
  /** Everything back to normal (stats corruption, ignored ACPI and stalled migrations included). */
  clear(hostUuid: string): void;
}
