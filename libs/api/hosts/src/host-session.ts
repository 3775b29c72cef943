import type { Logger } from '@nestjs/common';
import {
  checkStatsRows,
  type HostState,
  type StatsRejection,
  type VaporEvent,
  type VaporStreamControl,
} from '@cockpit/contracts';
import type { EventHubService } from '@cockpit/api-events';
import type { MetricsStore, Sample } from '@cockpit/api-metrics';
import {
  CertificateMismatchError,
  fetchPeerCertificate,
  VaporProtocolError,
  VaporRequestError,
  type VaporClient,
} from '@cockpit/vapor-client';
import type { HostEntity } from './entities/host.entity.js';
import type { HostConnections } from './host-connections.js';
import type { InventoryService } from './inventory.service.js';

export const PROBE_INTERVAL_MS = 3_000;
const REQUEST_TIMEOUT_MS = 3_000;
const SYNC_TIMEOUT_MS = 15_000;
const BACKOFF_BASE_MS = 1_000;
const BACKOFF_MAX_MS = 30_000;
/** A sample stamped further than this from our clock is re-stamped with our clock (a host with a wrong clock). */
const MAX_CLOCK_SKEW_MS = 5 * 60_000;

/** Exponential backoff with equal jitter: half fixed, half random, capped. */
export function backoffDelay(attempt: number, random = Math.random): number {
  const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** attempt);
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** The host as stored: its token still sealed (HostConnections opens it). */
export type SessionHost = Pick<HostEntity, 'id' | 'url' | 'token' | 'fingerprint'>;

export interface SessionSink {
  /** This api instance (the agent records who follows its event stream). */
  instanceId: string;
  /** The one way to reach a host: the session's clients come from here. */
  connections: Pick<HostConnections, 'clientForHost'>;
  /** True while this instance must not act (its heartbeat is stale): events are dropped, nothing is written. */
  fenced(): boolean;
  inventory: InventoryService;
  metrics: MetricsStore;
  logger: Logger;
  /** Records the host's state (the collector writes it only when it changes). */
  setState(hostId: string, state: HostState, reason: string | null): Promise<void>;
  /**
   * The host's latest frame (no host sample when its row was bad): the collector keeps the last one
   * per host and writes the figures the lists show in batches.
   */
  latest(hostId: string, host: Sample | undefined, vms: readonly Sample[]): void;
  /** Announce a change on the event hub (after it is written). */
  publish: EventHubService['publish'];
}

/**
 * The owning instance's live session with one host: a full sync of hardware and VMs, then the
 * event stream, resumed by sequence after a reconnect (a gap or an agent restart means a full
 * resync). Events are applied one at a time, in order. A ping every 3 s catches a host that
 * stops answering while its stream stays open. Nothing here blocks another host's session.
 */
export class HostSession {
  private readonly client: VaporClient;
  /** The same host with a longer timeout, for the full sync's large answers. */
  private readonly syncClient: VaporClient;
  private stream?: { close(): void; terminate(): void };
  private streamId?: string;
  private lastSeq = 0;
  private attempts = 0;
  private stopping = false;
  private connected = false;
  private reconnectTimer?: NodeJS.Timeout;
  private readonly probeTimer: NodeJS.Timeout;
  /** Events and resyncs, applied strictly in order. */
  private queue: Promise<void> = Promise.resolve();
  /** The vm.state batch queued last and not yet started (more state changes join it). */
  private openStateBatch?: Extract<VaporEvent, { type: 'vm.state' }>[];
  private lastRejectionLog = 0;
  /** No stats frame stored yet by this session: the first one is written at once (collecting again after a takeover). */
  private firstStats = true;
  /** Why we cut the stream ourselves (the close handler reports it). */
  private cutReason?: { state: HostState; reason: string };

  constructor(
    readonly host: SessionHost,
    private readonly sink: SessionSink,
  ) {
    // Throws (before any timer starts) when the host's token cannot be opened.
    this.client = sink.connections.clientForHost(host, { timeoutMs: REQUEST_TIMEOUT_MS, instance: sink.instanceId });
    this.syncClient = sink.connections.clientForHost(host, { timeoutMs: SYNC_TIMEOUT_MS, instance: sink.instanceId });
    this.probeTimer = setInterval(() => void this.probe(), PROBE_INTERVAL_MS);
    void this.connect();
  }

  /** True once stopped (by the collector, or by itself for a host that is no longer trusted). */
  get stopped(): boolean {
    return this.stopping;
  }

  stop(): void {
    this.stopping = true;
    clearInterval(this.probeTimer);
    clearTimeout(this.reconnectTimer);
    this.stream?.terminate();
    this.stream = undefined;
  }

  private async connect(): Promise<void> {
    if (this.stopping) return;
    try {
      const stream = await this.client.events(this.streamId ? { since: this.lastSeq, stream: this.streamId } : {}, {
        onControl: (control) => this.onControl(control),
        onEvent: (event) => this.onEvent(event),
        onClose: (error) => this.onClose(error),
      });
      if (this.stopping) stream.terminate();
      else this.stream = stream;
    } catch (error) {
      await this.failed(error as Error);
    }
  }

  private onControl(control: VaporStreamControl): void {
    // Resumed: the replay (fromSeq, currentSeq] follows, lastSeq advances as it arrives.
    // Fresh or gap: we re-read everything, then follow from currentSeq.
    const resync = this.streamId === undefined || control.type === 'gap';
    this.streamId = control.streamId;
    if (resync) this.lastSeq = control.currentSeq;
    this.enqueue(async () => {
      if (resync) await this.fullSync();
      this.attempts = 0;
      this.connected = true;
      await this.sink.setState(this.host.id, 'connected', null);
    });
  }

  private async fullSync(): Promise<void> {
    const info = await this.syncClient.host();
    const vms = await this.syncClient.listVms();
    await this.sink.inventory.syncHost(this.host.id, info, vms);
    this.sink.publish('host.changed', { hostId: this.host.id, reason: 'inventory' });
  }

  private onEvent(event: VaporEvent): void {
    if (this.stopping) return;
    // A fenced instance (woken after a freeze, heartbeat stale) may read what was buffered while it
    // slept before its watchdog runs: none of it may be acted on, another instance may own the host
    // by now. Stop; if the fence lifts, the collector starts a fresh session (full resync).
    if (this.sink.fenced()) {
      this.stop();
      return;
    }
    this.lastSeq = Math.max(this.lastSeq, event.seq);
    if (event.type === 'stats') {
      this.recordStats(event);
      return;
    }
    if (event.type === 'vm.state') {
      // A burst of state changes becomes one UPDATE: join the batch queued last, if it has not started.
      if (this.openStateBatch) {
        this.openStateBatch.push(event);
        return;
      }
      const batch = [event];
      this.openStateBatch = batch;
      this.enqueue(() => {
        if (this.openStateBatch === batch) this.openStateBatch = undefined;
        return this.applyStates(batch);
      });
      return;
    }
    this.openStateBatch = undefined;
    this.enqueue(() => this.apply(event));
  }

  private async applyStates(batch: Extract<VaporEvent, { type: 'vm.state' }>[]): Promise<void> {
    const hostId = this.host.id;
    const updated = await this.sink.inventory.setVmStates(
      hostId,
      batch.map((event) => ({ vmId: event.data.vmId, state: event.data.state, generation: event.data.generation })),
    );
    for (const event of batch) {
      if (!updated.has(event.data.vmId)) continue;
      this.sink.publish('vm.state', {
        vmId: event.data.vmId,
        hostId,
        state: event.data.state,
        previous: event.data.previous,
        at: Date.parse(event.ts),
      });
    }
  }

  private async apply(event: Exclude<VaporEvent, { type: 'stats' }>): Promise<void> {
    const { inventory, publish } = this.sink;
    const hostId = this.host.id;
    switch (event.type) {
      case 'vm.state':
        await this.applyStates([event]);
        return;
      case 'vm.created':
      case 'vm.updated':
        await inventory.upsertVm(hostId, event.data.vm);
        if (event.type === 'vm.created') publish('vm.created', { vmId: event.data.vm.id, hostId, name: event.data.vm.name });
        else publish('vm.updated', { vmId: event.data.vm.id, hostId });
        return;
      case 'vm.deleted':
        await inventory.deleteVm(hostId, event.data.vmId);
        publish('vm.deleted', { vmId: event.data.vmId, hostId });
        return;
      case 'host.changed':
        await inventory.syncHardware(hostId, await this.client.host());
        publish('host.changed', { hostId, reason: 'inventory' });
        return;
      case 'job.progress':
      case 'job.finished': {
        const { job } = event.data;
        const { transferredBytes, totalBytes } = job.progress;
        publish('vm.job', {
          jobId: job.id,
          hostId,
          vmId: job.vmId,
          kind: job.type,
          state: job.state,
          phase: job.progress.phase,
          percent: job.state === 'completed' ? 100 : totalBytes > 0 ? Math.min(100, (transferredBytes / totalBytes) * 100) : 0,
        });
        return;
      }
    }
  }

  /**
   * One stats frame: each row is checked on its own (finite, non-negative, within the contract's
   * bounds); a bad row is dropped and counted, the rest of the frame is kept.
   */
  private recordStats(event: Extract<VaporEvent, { type: 'stats' }>): void {
    const now = Date.now();
    const stamped = Date.parse(event.ts);
    const ts = new Date(Math.abs(stamped - now) > MAX_CLOCK_SKEW_MS ? now : stamped);
    const { host, vms, rejected } = checkStatsRows(event.data);
    if (rejected.length) this.rejectedRows(rejected, now);
    const hostSample: Sample | undefined = host && { id: this.host.id, ts, ...host };
    // One object per row, shared by the history buffer, the latest figures and the live frame.
    const vmSamples: Sample[] = new Array<Sample>(vms.length);
    const tuples: [string, number, number, number, number, number, number][] = new Array(vms.length);
    for (let i = 0; i < vms.length; i++) {
      const vm = vms[i] as (typeof vms)[number];
      vmSamples[i] = {
        id: vm.vmId,
        ts,
        cpuPercent: vm.cpuPercent,
        memoryUsedMiB: vm.memoryUsedMiB,
        diskReadBps: vm.diskReadBps,
        diskWriteBps: vm.diskWriteBps,
        netRxBps: vm.netRxBps,
        netTxBps: vm.netTxBps,
      };
      tuples[i] = [vm.vmId, vm.cpuPercent, vm.memoryUsedMiB, vm.diskReadBps, vm.diskWriteBps, vm.netRxBps, vm.netTxBps];
    }
    if (hostSample) this.sink.metrics.record('host', [hostSample]);
    this.sink.metrics.record('vm', vmSamples);
    if (this.firstStats) {
      this.firstStats = false;
      this.sink.metrics.flushSoon();
    }
    this.sink.latest(this.host.id, hostSample, vmSamples);
    // One compact frame per host per tick (not one event per VM); it needs the host's own figures.
    if (!hostSample) return;
    this.sink.publish('stats', {
      hostId: this.host.id,
      at: ts.getTime(),
      host: [
        hostSample.cpuPercent,
        hostSample.memoryUsedMiB,
        hostSample.diskReadBps,
        hostSample.diskWriteBps,
        hostSample.netRxBps,
        hostSample.netTxBps,
      ],
      vms: tuples,
    });
  }

  /** Counts rejected rows; says so in the log at most once a minute per host. */
  private rejectedRows(rejected: StatsRejection[], now: number): void {
    for (const { kind, reason } of rejected) this.sink.metrics.reject(kind, reason);
    if (now - this.lastRejectionLog < 60_000) return;
    this.lastRejectionLog = now;
    const first = rejected[0];
    this.sink.logger.warn(
      `Host ${this.host.id} sent ${rejected.length} stats row(s) out of bounds, dropped (first: ${first?.kind} ${first?.field} ${first?.reason})`,
    );
  }

  /** Serialises work on this host. A step that fails (database down, host error) forces a clean resync. */
  private enqueue(step: () => Promise<void>): void {
    this.queue = this.queue.then(async () => {
      if (this.stopping) return;
      if (this.sink.fenced()) {
        this.stop();
        return;
      }
      try {
        await step();
      } catch (error) {
        if (this.stopping) return;
        this.streamId = undefined; // whatever we missed, a full resync repairs
        this.cut(this.classify(error as Error));
      }
    });
  }

  private async probe(): Promise<void> {
    if (this.stopping || !this.connected || !this.stream) return;
    try {
      await this.client.ping();
    } catch (error) {
      this.cut(this.classify(error as Error));
    }
  }

  private cut(reason: { state: HostState; reason: string }): void {
    this.cutReason = reason;
    const stream = this.stream;
    if (stream) stream.terminate();
    else void this.failed(new Error(reason.reason), reason);
  }

  private onClose(error?: Error): void {
    this.stream = undefined;
    if (this.stopping) return;
    const reason = this.cutReason ?? this.classify(error ?? new Error('The host closed its event stream'));
    this.cutReason = undefined;
    void this.failed(error ?? new Error(reason.reason), reason);
  }

  private classify(error: Error): { state: HostState; reason: string } {
    if (error instanceof CertificateMismatchError)
      return {
        state: 'untrusted',
        reason: `The host now presents certificate ${error.actual}, not the pinned ${error.expected}. Check it, then trust the new one to resume.`,
      };
    if (error instanceof VaporProtocolError) return { state: 'error', reason: error.message };
    if (error instanceof VaporRequestError && error.status === 401)
      return { state: 'error', reason: 'The host refused our token (was the agent re-installed?)' };
    return { state: 'unreachable', reason: error.message };
  }

  /** Record why, then try again later (not at all for a changed certificate: an administrator must look). */
  private async failed(error: Error, known?: { state: HostState; reason: string }): Promise<void> {
    if (this.stopping) return;
    this.connected = false;
    let { state, reason } = known ?? this.classify(error);
    if (state === 'unreachable') {
      // A pinned connection to a host with a new certificate fails TLS verification, which looks
      // like any other failure: ask the host which certificate it presents now.
      const presented = await fetchPeerCertificate(this.host.url, REQUEST_TIMEOUT_MS).catch(() => undefined);
      if (presented && presented.fingerprint !== this.host.fingerprint)
        ({ state, reason } = this.classify(new CertificateMismatchError(this.host.fingerprint, presented.fingerprint)));
      if (this.stopping) return;
    }
    await this.sink.setState(this.host.id, state, reason.slice(0, 500)).catch(() => undefined);
    if (state === 'untrusted') {
      this.stop();
      return;
    }
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => void this.connect(), backoffDelay(this.attempts++));
  }
}
