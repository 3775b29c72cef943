import { CockpitEvent, Subscribed, type CockpitEventData, type SubscribeMessage } from '@cockpit/contracts';
import { io } from 'socket.io-client';

/**
 * `connecting` until the first subscription, `live` while subscribed, `reconnecting` after losing
 * the connection, `offline` when the server refused it or retrying has kept failing (it goes on).
 */
export type LiveStatus = 'connecting' | 'live' | 'reconnecting' | 'offline';

export interface LiveConnection {
  status: LiveStatus;
  /** Why it is not live, in the server's or the network's words, when known. */
  problem?: string;
}

export type StatsFrame = CockpitEventData<'stats'>;

/**
 * The part of a socket.io client socket the live events use. `active` is socket.io's "will retry by
 * itself"; the tests pass a small fake.
 */
export interface LiveSocket {
  readonly active: boolean;
  on(event: string, listener: (...args: never[]) => void): unknown;
  emit(event: string, ...args: unknown[]): unknown;
  connect(): unknown;
  disconnect(): unknown;
}

export type ConnectLiveSocket = () => LiveSocket;

/** The api's event hub, on the console's own origin (the session cookie authenticates the handshake). */
export const connectToEventHub: ConnectLiveSocket = () =>
  io({ path: '/socket.io', transports: ['websocket'], withCredentials: true });

/** Failed attempts in a row after which the badge says offline rather than "reconnecting". */
const FAILED_ATTEMPTS_BEFORE_OFFLINE = 3;
/**
 * After a reconnect the server replays from 5 s before `since`, so duplicates can be that old: at
 * 2,000 events/s that is 10,000 of them.
 */
const SEQS_REMEMBERED = 20_000;
/** socket.io does not retry a connection the server refused or closed; these delays are ours. */
const FIRST_RETRY_MS = 2_000;
const MAX_RETRY_MS = 60_000;

type Listener<T> = (value: T) => void;

class Channel<T> {
  private readonly listeners = new Set<Listener<T>>();

  listen(listener: Listener<T>): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  send(value: T): void {
    for (const listener of this.listeners) listener(value);
  }

  get idle(): boolean {
    return this.listeners.size === 0;
  }
}

/** The most recent sequence numbers seen, to drop what a replay sends again. */
class RecentSeqs {
  private readonly seqs = new Set<number>();

  constructor(private readonly capacity: number) {}

  /** True the first time a sequence is seen. */
  firstSight(seq: number): boolean {
    if (this.seqs.has(seq)) return false;
    this.seqs.add(seq);
    if (this.seqs.size > this.capacity) {
      // A Set iterates in insertion order: the first is the one seen longest ago.
      const oldest = this.seqs.values().next();
      if (!oldest.done) this.seqs.delete(oldest.value);
    }
    return true;
  }
}

/** The words of a refusal: an Error, an `error` message ({ message }) or a refused subscription ({ error }). */
function problemOf(value: unknown): string | undefined {
  if (value instanceof Error) return value.message;
  if (typeof value !== 'object' || value === null) return undefined;
  const { message, error } = value as { message?: unknown; error?: unknown };
  if (typeof message === 'string') return message;
  return typeof error === 'string' ? error : undefined;
}

/**
 * One connection to the event hub, subscribed to everything the user may see (`/`). It remembers
 * the last sequence so a reconnect resumes where it left off, checks every event against its
 * contract, and drops the duplicates a replay brings.
 */
export class LiveEvents {
  private socket?: LiveSocket;
  private current: LiveConnection = { status: 'connecting' };
  private lastSeq?: number;
  private readonly seen = new RecentSeqs(SEQS_REMEMBERED);
  private failedAttempts = 0;
  /** Whether the connection failed or dropped since start(): REST data loaded before may be stale. */
  private hadTrouble = false;
  private serverMessage?: string;
  private retryTimer?: ReturnType<typeof setTimeout>;
  private retryDelay = FIRST_RETRY_MS;

  private readonly connectionChanges = new Channel<LiveConnection>();
  private readonly events = new Channel<CockpitEvent>();
  private readonly statsByHost = new Map<string, Channel<StatsFrame>>();
  private readonly resyncs = new Channel<void>();
  private readonly resumes = new Channel<void>();

  constructor(private readonly connect: ConnectLiveSocket) {}

  get connection(): LiveConnection {
    return this.current;
  }

  /** For useSyncExternalStore: an arrow, so it can be passed as it is. */
  readonly onConnectionChange = (listener: () => void): (() => void) => this.connectionChanges.listen(listener);

  /** Every new, valid event (stats frames included), in the order received. */
  onEvent(listener: Listener<CockpitEvent>): () => void {
    return this.events.listen(listener);
  }

  /** Stats frames of one host (its VMs' samples are inside). */
  onStats(hostId: string, listener: Listener<StatsFrame>): () => void {
    const channel = this.statsByHost.get(hostId) ?? new Channel<StatsFrame>();
    this.statsByHost.set(hostId, channel);
    const stopListening = channel.listen(listener);
    return () => {
      stopListening();
      if (channel.idle && this.statsByHost.get(hostId) === channel) this.statsByHost.delete(hostId);
    };
  }

  /** What was missed cannot be replayed: everything loaded over REST must be reloaded. */
  onResync(listener: () => void): () => void {
    return this.resyncs.listen(listener);
  }

  /** Subscribed again after losing the connection; missed events have been replayed. */
  onResume(listener: () => void): () => void {
    return this.resumes.listen(listener);
  }

  start(): void {
    if (this.socket) return;
    this.hadTrouble = false;
    this.failedAttempts = 0;
    this.setConnection({ status: 'connecting' });
    const socket = this.connect();
    this.socket = socket;
    const handlers: Record<string, (...args: never[]) => void> = {
      connect: () => this.subscribe(socket),
      event: (raw: unknown) => this.receive(raw),
      resync: () => this.resyncs.send(),
      error: (message: unknown) => (this.serverMessage = problemOf(message)),
      disconnect: (reason: string) => this.lost(socket, reason),
      connect_error: (error: Error) => this.failed(socket, error),
    };
    for (const [event, handler] of Object.entries(handlers)) {
      // A stopped socket can still call back (an ack in flight): only the current one counts.
      socket.on(event, (...args: never[]) => {
        if (this.socket === socket) handler(...args);
      });
    }
  }

  stop(): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const socket = this.socket;
    this.socket = undefined;
    socket?.disconnect();
  }

  private subscribe(socket: LiveSocket): void {
    this.failedAttempts = 0;
    this.retryDelay = FIRST_RETRY_MS;
    this.serverMessage = undefined;
    const since = this.lastSeq;
    const message: SubscribeMessage = since === undefined ? { scopes: ['/'] } : { scopes: ['/'], since };
    socket.emit('subscribe', message, (reply: unknown) => {
      if (this.socket !== socket) return;
      const subscribed = Subscribed.safeParse(reply);
      if (!subscribed.success) {
        this.setConnection({ status: 'offline', problem: problemOf(reply) ?? 'The event hub refused the subscription' });
        return;
      }
      // From here on a reconnect can resume, even if no event came before it.
      this.lastSeq = Math.max(this.lastSeq ?? 0, subscribed.data.seq);
      this.setConnection({ status: 'live' });
      if (since !== undefined) this.resumes.send();
      // Without a position in the stream nothing could be replayed: after a failed start, what
      // was loaded meanwhile (or failed to load) is out of date.
      else if (this.hadTrouble) this.resyncs.send();
    });
  }

  private receive(raw: unknown): void {
    // An event this console does not understand (a newer api's?) is skipped, not fatal.
    const parsed = CockpitEvent.safeParse(raw);
    if (!parsed.success) return;
    const event = parsed.data;
    if (!this.seen.firstSight(event.seq)) return;
    this.lastSeq = Math.max(this.lastSeq ?? 0, event.seq);
    this.events.send(event);
    if (event.type === 'stats') this.statsByHost.get(event.data.hostId)?.send(event.data);
  }

  private lost(socket: LiveSocket, reason: string): void {
    this.hadTrouble = true;
    if (socket.active) {
      this.setConnection({ status: 'reconnecting', problem: reason });
      return;
    }
    // The server closed it and socket.io will not retry. After an `error` (the session ended) we
    // are offline; without one (an api restarting, a backlog it would not keep) it is a reconnect.
    // Either way, try again later: the user may sign in again, the api come back.
    if (this.serverMessage) this.setConnection({ status: 'offline', problem: this.serverMessage });
    else this.setConnection({ status: 'reconnecting', problem: 'The event hub closed the connection' });
    this.retryLater(socket);
  }

  private failed(socket: LiveSocket, error: Error): void {
    this.hadTrouble = true;
    this.failedAttempts += 1;
    if (!socket.active) {
      // Refused at the handshake (signed out, Origin, database down): socket.io will not retry.
      this.setConnection({ status: 'offline', problem: error.message });
      this.retryLater(socket);
    } else if (this.failedAttempts >= FAILED_ATTEMPTS_BEFORE_OFFLINE) {
      this.setConnection({ status: 'offline', problem: error.message });
    } else if (this.current.status !== 'connecting') {
      this.setConnection({ status: 'reconnecting', problem: error.message });
    }
  }

  private retryLater(socket: LiveSocket): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      if (this.socket === socket) socket.connect();
    }, this.retryDelay);
    this.retryDelay = Math.min(this.retryDelay * 2, MAX_RETRY_MS);
  }

  private setConnection(next: LiveConnection): void {
    if (next.status === this.current.status && next.problem === this.current.problem) return;
    this.current = next;
    this.connectionChanges.send(next);
  }
}
