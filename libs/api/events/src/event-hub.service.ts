import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { createAdapter } from '@socket.io/postgres-adapter';
import type { IncomingHttpHeaders } from 'node:http';
import pg from 'pg';
import { Server, type Socket } from 'socket.io';
import type { AppConfig } from '@cockpit/api-config';
import { APP_CONFIG, OriginPolicy, UnitOfWork, type Principal } from '@cockpit/api-core';
import { AccessChanges, AccessService, objectOfScope } from '@cockpit/api-access';
import { AuditService } from '@cockpit/api-audit';
import { PrincipalService, type Credentials } from '@cockpit/api-auth';
import {
  CockpitEvent,
  SubscribeMessage,
  parseContract,
  type CockpitEventData,
  type CockpitEventType,
  type ScopePath,
} from '@cockpit/contracts';
import { chainOf, roomsFor, roomsOf, type EventBody } from './rooms.js';
import { EventStore, type PendingEvent } from './event-store.js';
import { TokenBucket } from './token-bucket.js';

interface SocketState {
  principal: Principal;
  credentials: Credentials;
  /** Scopes subscribed to, and the rooms each joined. */
  subscriptions: Map<ScopePath, string[]>;
  /** Subscriptions cost a permission check each and replays a query: limited per socket. */
  allowance: TokenBucket;
}

type HubSocket = Socket<Record<string, never>, Record<string, (...args: unknown[]) => void>, Record<string, never>, SocketState>;

/** A client whose unsent backlog passes this is not reading: disconnect it before it costs unbounded memory. */
const MAX_BACKLOG_PACKETS = 5_000;
const MAX_BACKLOG_BYTES = 8 * 1024 * 1024;
const RECHECK_MS = 30_000;
/** Access changes arriving within this window are re-checked in one round. */
const ACCESS_DEBOUNCE_MS = 200;
/** Per socket: a burst of 20 messages, then 2 per second; a replay (`since`) costs 5. */
const SOCKET_BURST = 20;
const SOCKET_PER_SECOND = 2;
const REPLAY_COST = 5;
const MAX_QUEUE = 100_000;

/**
 * The event hub: every change Cockpit learns of becomes a small event with a global sequence,
 * stored for an hour (stats frames excepted) and delivered over socket.io to the rooms of its object
 * and ancestors, on every api instance: each batch crosses instances as one adapter message
 * through PostgreSQL NOTIFY (@socket.io/postgres-adapter), and each instance delivers to its own
 * clients' rooms.
 * Clients authenticate at the handshake (session cookie or API token; Origin checked), subscribe to
 * scopes they may view, and resume after a reconnect from their last sequence.
 */
@Injectable()
export class EventHubService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Events');
  private io?: Server;
  private pool?: pg.Pool;
  private queue: PendingEvent[] = [];
  private flushing?: Promise<void>;
  private readonly timers: NodeJS.Timeout[] = [];
  /** In-process listeners (the SSE endpoint and tests use the table; this is for same-instance consumers). */
  private readonly listeners = new Set<(event: CockpitEvent) => void>();
  dropped = 0;
  private readonly accessListeners = new Set<(users: ReadonlySet<string> | 'everyone') => void>();
  private pendingAccess: Set<string> | 'everyone' | undefined;
  private accessTimer?: NodeJS.Timeout;
  private stopAccessChanges?: () => void;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly store: EventStore,
    private readonly principals: PrincipalService,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly unitOfWork: UnitOfWork,
    private readonly origins: OriginPolicy,
    private readonly access: AccessService,
    private readonly accessChanges: AccessChanges,
  ) {}

  isConnected(socketId: string): boolean {
    return this.io?.sockets.sockets.get(socketId)?.connected ?? false;
  }

  /** The rooms a socket on this instance is in (what it receives), e.g. to see a revocation take effect. */
  roomsOfSocket(socketId: string): string[] {
    return [...(this.io?.sockets.sockets.get(socketId)?.rooms ?? [])].filter((room) => room !== socketId).sort();
  }

  /** Sockets connected to this instance. */
  connectedClients(): number {
    return this.io?.sockets.sockets.size ?? 0;
  }

  onLocalEvent(listener: (event: CockpitEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onApplicationBootstrap(): void {
    const httpServer = this.adapterHost.httpAdapter.getHttpServer() as import('node:http').Server;
    this.pool = new pg.Pool({ connectionString: this.config.databaseUrl, max: 4, application_name: 'cockpit-events' });
    this.pool.on('error', (error) => this.logger.warn(`Event pool: ${error.message}`));
    // The adapter's LISTEN client is checked out for good and has no error listener of its own: a
    // database restart would crash the process. Log it; the adapter reconnects on `end`.
    this.pool.on('connect', (client) => client.on('error', (error) => this.logger.warn(`Event connection: ${error.message}`)));
    const io = new Server(httpServer, {
      path: '/socket.io',
      serveClient: false,
      // Other WebSocket paths (the console proxy's) are answered by their own handlers, not ended here.
      destroyUpgrade: false,
      maxHttpBufferSize: 64 * 1024,
      // Browsers always send Origin: it must be ours. Clients without one authenticate anyway.
      allowRequest: (request, callback) => callback(null, this.origins.allows(request.headers.origin)),
    });
    io.adapter(createAdapter(this.pool, { errorHandler: (error) => this.logger.warn(`Event adapter: ${error.message}`) }));
    io.use((socket, next) => {
      const credentials = this.credentialsOf(socket.handshake.headers, socket.handshake.auth as Record<string, unknown>);
      this.principals
        .resolve(credentials)
        .then((principal) => {
          if (!principal) return next(new Error('Sign in first: send the session cookie or an API token'));
          Object.assign(socket.data, {
            principal,
            credentials,
            subscriptions: new Map(),
            allowance: new TokenBucket(SOCKET_BURST, SOCKET_PER_SECOND),
          } satisfies SocketState);
          next();
        })
        .catch((error: Error) => next(error));
    });
    io.on('connection', (socket: HubSocket) => this.onConnection(socket));
    io.on('access-changed', (users: unknown) =>
      this.accessChanged(Array.isArray(users) ? users.filter((u): u is string => typeof u === 'string') : 'everyone', true),
    );
    io.on('events', (events: CockpitEvent[]) => {
      for (const event of events) io.local.to(roomsOf(event as EventBody)).emit('event', event);
    });
    this.io = io;
    // Auth says whose access changed (sessions, tokens, roles, bindings, groups) once it commits.
    this.stopAccessChanges = this.accessChanges.onChanged((users) => this.accessChanged(users));
    this.audit.onRecorded((record) => {
      this.publish('audit.created', { id: record.id, action: record.action, actor: record.actor.name, outcome: record.result });
    });
    this.timers.push(
      setInterval(() => this.disconnectSlowClients(), 1_000),
      setInterval(() => void this.recheck('everyone'), RECHECK_MS),
      setInterval(() => void this.store.prune(), 60_000),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    clearTimeout(this.accessTimer);
    this.stopAccessChanges?.();
    await this.flush();
    // Not io.close(): that would close the HTTP server Nest owns.
    this.io?.disconnectSockets(true);
    this.io?.engine.close();
    await Promise.resolve(this.io?.of('/').adapter.close()).catch(() => undefined);
    // After a database restart the adapter may still hold a client; never let that hold up shutdown.
    await Promise.race([this.pool?.end().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
  }

  /**
   * Announce a change. Delivery is asynchronous and batched (a few ms); order per instance is kept.
   * Inside a request's unit of work the event waits for the commit: a change that rolls back is
   * never announced.
   */
  publish<T extends CockpitEventType>(type: T, data: CockpitEventData<T>): void {
    this.unitOfWork.afterCommit(() => this.enqueue(type, data));
  }

  private enqueue<T extends CockpitEventType>(type: T, data: CockpitEventData<T>): void {
    if (this.queue.length >= MAX_QUEUE) {
      this.dropped += 1;
      return;
    }
    const body = { type, data } as EventBody;
    this.queue.push({ type, data: data as Record<string, unknown>, rooms: roomsOf(body) });
    if (this.queue.length === 1) setImmediate(() => void this.flush());
  }

  flush(): Promise<void> {
    this.flushing ??= this.flushQueue().finally(() => {
      this.flushing = undefined;
      if (this.queue.length) setImmediate(() => void this.flush());
    });
    return this.flushing;
  }

  private async flushQueue(): Promise<void> {
    const batch = this.queue;
    this.queue = [];
    if (!batch.length) return;
    let events: CockpitEvent[];
    try {
      events = await this.store.append(batch);
    } catch (error) {
      // The database is away: keep them for the next round (bounded by MAX_QUEUE).
      this.queue = batch.concat(this.queue).slice(0, MAX_QUEUE);
      this.logger.warn(`Publishing ${batch.length} event(s) failed, will retry: ${(error as Error).message}`);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      return;
    }
    events.forEach((event, i) => {
      if (this.config.nodeEnv !== 'production') {
        const checked = CockpitEvent.safeParse(event);
        if (!checked.success) {
          // A publisher broke the contract: a bug to see in tests, never a reason to stop the others.
          this.logger.error({ event, issues: checked.error.issues }, 'Event does not match its contract');
          return;
        }
      }
      this.io?.local.to(batch[i]?.rooms ?? []).emit('event', event);
      for (const listener of this.listeners) listener(event);
    });
    // The other instances get the whole batch in one adapter message (one NOTIFY; over 8000 bytes
    // the adapter stores it in socket_io_attachments), then deliver it to their own clients' rooms.
    // Stats frames (ephemeral, the bulk of the bytes) cross only when another instance is known.
    const alone = (await this.io?.of('/').adapter.serverCount()) === 1;
    const crossing = alone ? events.filter((event) => event.type !== 'stats') : events;
    for (let i = 0; i < crossing.length; i += 500) this.io?.serverSideEmit('events', crossing.slice(i, i + 500));
  }

  private onConnection(socket: HubSocket): void {
    const refuse = (message: string) => {
      socket.emit('error', { message });
      return { error: message };
    };
    const overLimit = (cost: number) =>
      !socket.data.allowance.take(cost)
        ? refuse(`Too many subscription messages: at most ${SOCKET_BURST} at once, then ${SOCKET_PER_SECOND} per second`)
        : undefined;
    socket.on('subscribe', (raw: unknown, ack?: unknown) => {
      const answer = (reply: unknown) => {
        if (typeof ack === 'function') (ack as (reply: unknown) => void)(reply);
      };
      const wantsReplay = (raw as { since?: unknown } | null | undefined)?.since !== undefined;
      const limited = overLimit(wantsReplay ? REPLAY_COST : 1);
      if (limited) return answer(limited);
      this.subscribe(socket, raw).then(answer, (error: Error) => {
        this.logger.warn(`Subscription of ${socket.id} failed: ${error.message}`);
        answer(refuse('The subscription could not be completed (the server could not reach its database); try again'));
      });
    });
    socket.on('unsubscribe', (raw: unknown) => {
      if (overLimit(1)) return;
      const scopes = parseContract(SubscribeMessage.shape.scopes, (raw as { scopes?: unknown } | undefined)?.scopes);
      if (!scopes.success) {
        refuse('unsubscribe needs { scopes: [...] }');
        return;
      }
      for (const scope of scopes.data) this.leave(socket, scope);
    });
  }

  /** Validates the whole message, checks every scope, then joins, replays and confirms. */
  private async subscribe(socket: HubSocket, raw: unknown): Promise<unknown> {
    const parsed = parseContract(SubscribeMessage, raw);
    if (!parsed.success) {
      const message = `Malformed subscription: ${parsed.issues[0]?.path.join('.') || 'message'}: ${parsed.issues[0]?.message ?? 'invalid'}`;
      socket.emit('error', { message });
      return { error: message };
    }
    const { scopes, since } = parsed.data;
    const planned = new Map<ScopePath, string[]>();
    for (const scope of scopes) {
      const rooms = await this.roomsForScope(socket.data.principal, scope);
      if (!rooms.length) {
        const message = `You may not view ${scope} (or it does not exist); nothing was subscribed`;
        socket.emit('error', { message });
        return { error: message };
      }
      planned.set(scope, rooms);
    }
    for (const [scope, rooms] of planned) {
      socket.data.subscriptions.set(scope, rooms);
      await socket.join(rooms);
    }
    const replay = since === undefined ? { events: [], resync: false } : await this.store.replay(since, [...socket.rooms]);
    if (replay.resync)
      socket.emit('resync', {
        reason: 'Events since that sequence are no longer kept: reload over REST',
        seq: await this.store.currentSeq(),
      });
    for (const event of replay.events) socket.emit('event', event);
    const reply = {
      scopes: [...socket.data.subscriptions.keys()],
      seq: await this.store.currentSeq(),
      replayed: replay.events.length,
    };
    socket.emit('subscribed', reply);
    return reply;
  }

  private async roomsForScope(principal: Principal, scope: ScopePath): Promise<string[]> {
    // A VM's chain comes from the inventory, through the access seam (a grant on its host covers it).
    const object = objectOfScope(scope);
    const chain = object ? await this.access.chainOf(object.kind, object.id) : undefined;
    return roomsFor(principal.grants, scope, chain ?? chainOf(scope), principal.userId);
  }

  private leave(socket: HubSocket, scope: ScopePath): void {
    const rooms = socket.data.subscriptions.get(scope) ?? [];
    socket.data.subscriptions.delete(scope);
    const stillWanted = new Set([...socket.data.subscriptions.values()].flat());
    for (const room of rooms) if (!stillWanted.has(room)) void socket.leave(room);
  }

  /** Listeners told whose access may have changed (open SSE streams re-check themselves). */
  onAccessChanged(listener: (users: ReadonlySet<string> | 'everyone') => void): () => void {
    this.accessListeners.add(listener);
    return () => this.accessListeners.delete(listener);
  }

  /**
   * Someone's access may have changed: their sockets on every instance are re-checked, debounced
   * (a burst of changes costs one round) and limited to the users named ('everyone' when unknown).
   */
  accessChanged(users: readonly string[] | 'everyone', fromPeer = false): void {
    if (!fromPeer) this.io?.serverSideEmit('access-changed', users === 'everyone' ? 'everyone' : [...users]);
    this.pendingAccess =
      users === 'everyone' || this.pendingAccess === 'everyone' ? 'everyone' : new Set([...(this.pendingAccess ?? []), ...users]);
    this.accessTimer ??= setTimeout(() => {
      const affected = this.pendingAccess ?? 'everyone';
      this.pendingAccess = undefined;
      this.accessTimer = undefined;
      for (const listener of this.accessListeners) listener(affected);
      void this.recheck(affected);
    }, ACCESS_DEBOUNCE_MS);
  }

  /**
   * Re-resolves the credentials and grants of local sockets (of the users named): revoked sessions
   * go, lost rooms are left. A re-check never touches a session's idle clock, and a database error
   * leaves the socket as it is until the next round.
   */
  async recheck(users: ReadonlySet<string> | 'everyone'): Promise<void> {
    const sockets = (await this.io?.local.fetchSockets().catch(() => [])) ?? [];
    for (const remote of sockets) {
      const socket = this.io?.sockets.sockets.get(remote.id) as HubSocket | undefined;
      if (!socket) continue;
      if (users !== 'everyone' && !users.has(socket.data.principal.userId)) continue;
      let principal: Principal | undefined;
      try {
        principal = await this.principals.resolve(socket.data.credentials, { touch: false });
      } catch (error) {
        this.logger.warn(`Re-checking ${socket.id} failed, kept until the next round: ${(error as Error).message}`);
        continue;
      }
      if (!principal) {
        socket.emit('error', { message: 'Your session ended or your token was revoked' });
        socket.disconnect(true);
        continue;
      }
      socket.data.principal = principal;
      for (const [scope, rooms] of [...socket.data.subscriptions]) {
        const allowed = new Set(await this.roomsForScope(principal, scope));
        const kept = rooms.filter((room) => allowed.has(room));
        if (kept.length === rooms.length) continue;
        if (kept.length) socket.data.subscriptions.set(scope, kept);
        else socket.data.subscriptions.delete(scope);
        const stillWanted = new Set([...socket.data.subscriptions.values()].flat());
        for (const room of rooms) if (!stillWanted.has(room)) await socket.leave(room);
      }
    }
  }

  private disconnectSlowClients(): void {
    for (const socket of this.io?.sockets.sockets.values() ?? []) {
      const conn = socket.conn as unknown as { writeBuffer?: unknown[]; transport?: { socket?: { bufferedAmount?: number } } };
      const packets = conn.writeBuffer?.length ?? 0;
      const bytes = conn.transport?.socket?.bufferedAmount ?? 0;
      if (packets > MAX_BACKLOG_PACKETS || bytes > MAX_BACKLOG_BYTES) {
        this.logger.warn(
          `Disconnecting ${socket.id} (${(socket.data as SocketState).principal.name}): it is not reading its events`,
        );
        socket.disconnect(true);
      }
    }
  }

  private credentialsOf(headers: IncomingHttpHeaders, auth: Record<string, unknown> | undefined): Credentials {
    const token = typeof auth?.['token'] === 'string' ? auth['token'] : headers.authorization;
    return token ? { bearer: token } : { cookie: headers.cookie };
  }
}
