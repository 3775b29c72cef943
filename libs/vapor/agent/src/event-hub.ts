import { randomUUID } from 'node:crypto';
import type { VaporEvent } from '@cockpit/contracts';
import type { DriverEvent, HypervisorDriver } from '@cockpit/vapor-driver';

export type Replay =
  { kind: 'resumed'; events: VaporEvent[]; currentSeq: number } | { kind: 'gap'; oldestSeq: number; currentSeq: number };

/**
 * Numbers a host's events (seq +1 each), keeps the last `capacity` of them, and fans them out.
 * A client that reconnects asks for what followed the last seq it saw; if that is older than the
 * buffer it gets an explicit gap and must re-read the full state.
 */
export class EventHub {
  /** Identifies this numbering; a restarted agent starts a new stream at seq 0. */
  readonly streamId = randomUUID();
  private seq = 0;
  private readonly buffer: (VaporEvent | undefined)[];
  private readonly subscribers = new Set<(event: VaporEvent) => void>();
  private readonly detach: () => void;

  constructor(
    driver: HypervisorDriver,
    private readonly capacity = 10_000,
  ) {
    this.buffer = new Array<VaporEvent | undefined>(capacity);
    this.detach = driver.onEvent((event) => this.publish(event));
  }

  get currentSeq(): number {
    return this.seq;
  }

  private publish(event: DriverEvent): void {
    this.seq += 1;
    const numbered = { seq: this.seq, ts: new Date().toISOString(), type: event.type, data: event.data } as VaporEvent;
    this.buffer[this.seq % this.capacity] = numbered;
    for (const subscriber of this.subscribers) subscriber(numbered);
  }

  /** Events after `since`, or a gap when some of them are no longer buffered. */
  replay(since: number, streamId?: string): Replay {
    const oldestSeq = Math.max(1, this.seq - this.capacity + 1);
    if ((streamId !== undefined && streamId !== this.streamId) || since > this.seq)
      return { kind: 'gap', oldestSeq, currentSeq: this.seq };
    if (since + 1 < oldestSeq) return { kind: 'gap', oldestSeq, currentSeq: this.seq };
    const events: VaporEvent[] = [];
    for (let seq = since + 1; seq <= this.seq; seq++) {
      const event = this.buffer[seq % this.capacity];
      if (event) events.push(event);
    }
    return { kind: 'resumed', events, currentSeq: this.seq };
  }

  subscribe(listener: (event: VaporEvent) => void): () => void {
    this.subscribers.add(listener);
    return () => this.subscribers.delete(listener);
  }

  close(): void {
    this.detach();
    this.subscribers.clear();
  }
}
