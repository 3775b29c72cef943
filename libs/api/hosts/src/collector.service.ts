import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import pg from 'pg';
import { Gauge } from 'prom-client';
import { In, IsNull, Not, Repository } from 'typeorm';
import type { AppConfig } from '@cockpit/api-config';
import { APP_CONFIG } from '@cockpit/api-core';
import { EventHubService } from '@cockpit/api-events';
import { MetricsStore } from '@cockpit/api-metrics';
import { MetricsService } from '@cockpit/api-system';
import type { HostState } from '@cockpit/contracts';
import { ApiInstanceEntity } from './entities/api-instance.entity.js';
import { HostEntity } from './entities/host.entity.js';
import { HostSession } from './host-session.js';
import { HostConnections } from './host-connections.js';
import { InventoryService } from './inventory.service.js';
import { LatestFigures } from './latest-figures.js';

const TICK_MS = 2_000;
const HEARTBEAT_MS = 1_000;
/** An instance whose heartbeat is older than this is dead: its hosts are up for grabs. */
const INSTANCE_TTL_MS = 6_000;
/**
 * Give up ownership when our own heartbeat has failed this long. Shorter than the time the server
 * takes to drop a silent lock connection (keepalives: 2 s idle + 3 probes 1 s apart), so a
 * partitioned instance stops before anyone else can lock its hosts.
 */
const SELF_FENCE_MS = 3_500;
/**
 * An instance whose heartbeat is this old but whose lock connection lingers is hung: end that
 * connection. Longer than SELF_FENCE_MS (a live instance has stopped acting by then) and than the
 * agents take to drop a follower that stopped answering their pings (about 5 s).
 */
const HUNG_MS = 6_000;
/**
 * Between rounds, this cheap check looks for an instance that died (its lock connection is gone) or
 * hangs, and runs a round at once: a dead instance's hosts are taken over within about a second.
 */
const WATCH_MS = 500;
/**
 * Hosts taken in one round at most (the next round follows at once): each new session connects and
 * reads the host's whole inventory, and thousands at once starve everything else for seconds.
 */
const MAX_TAKE_PER_ROUND = 250;
const LOCK_NAMESPACE = 7140;
/** application_name of the lock connection (PostgreSQL keeps 63 characters of it). */
const LOCK_APPLICATION = 'cockpit-locks';

/** A stable 32-bit advisory lock key per host. */
export function hostLockKey(hostId: string): number {
  return createHash('sha256').update(hostId).digest().readInt32BE(0);
}

interface Owned {
  hostId: string;
  /** How we reach the host; a change (new token, re-pinned certificate) restarts the session. */
  endpoint: string;
  session: HostSession;
}

const endpointOf = (host: HostEntity) => `${host.url} ${host.fingerprint} ${host.token}`;

/**
 * Host ownership across api instances: each enabled, trusted host is owned by exactly one instance,
 * through a session-level advisory lock held on one dedicated connection (so a dead instance's
 * locks die with its connection). Instances heartbeat, take at most their fair share and release
 * the surplus when others join. An instance that cannot heartbeat stops acting before anyone else
 * could take over (it fences itself after 3.5 s, SELF_FENCE_MS; others wait 6 s).
 *
 * What an owner does with each host is a HostSession: inventory sync, the event stream, stats.
 */
@Injectable()
export class CollectorService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Collector');
  private lockClient?: pg.Client;
  private readonly owned = new Map<string, Owned>();
  private timer?: NodeJS.Timeout;
  private lastHeartbeatOk = Date.now();
  private ticking = false;
  private stopped = false;
  /** The state we last wrote per owned host (to write only changes). */
  private readonly written = new Map<string, { state: HostState; reason: string | null }>();
  private readonly latest = new LatestFigures();
  private latestTimer?: NodeJS.Timeout;
  private beatTimer?: NodeJS.Timeout;
  private watchdogTimer?: NodeJS.Timeout;
  private watchTimer?: NodeJS.Timeout;
  private side?: pg.Client;
  private sideChain: Promise<unknown> = Promise.resolve();
  private watching = false;
  /** Lock connections seen by the last check (a change means an instance came or went). */
  private lockConnections = -1;
  private beating = false;

  constructor(
    @InjectRepository(HostEntity) private readonly hosts: Repository<HostEntity>,
    @InjectRepository(ApiInstanceEntity) private readonly instances: Repository<ApiInstanceEntity>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly inventory: InventoryService,
    private readonly metrics: MetricsStore,
    private readonly connections: HostConnections,
    private readonly events: EventHubService,
    prometheus: MetricsService,
  ) {
    const owned: Gauge = new Gauge({
      name: 'cockpit_collector_hosts_owned',
      help: 'Hosts this api instance holds the ownership lock of',
      registers: [prometheus.registry],
      collect: () => owned.set(this.owned.size),
    });
  }

  get instanceId(): string {
    return this.config.instanceId;
  }

  ownedHosts(): string[] {
    return [...this.owned.keys()].sort();
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.instances.upsert({ id: this.instanceId, startedAt: new Date(), heartbeatAt: new Date() }, ['id']);
    this.timer = setInterval(() => void this.tick(), TICK_MS);
    this.beatTimer = setInterval(() => void this.beat(), HEARTBEAT_MS);
    // Checks the time only: it fences even while a heartbeat query hangs (a network partition).
    this.watchdogTimer = setInterval(() => this.watchdog(), HEARTBEAT_MS / 2);
    this.latestTimer = setInterval(() => void this.flushLatest(), TICK_MS);
    this.watchTimer = setInterval(() => void this.watch(), WATCH_MS);
    void this.tick();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    clearInterval(this.beatTimer);
    clearInterval(this.watchdogTimer);
    clearInterval(this.watchTimer);
    clearInterval(this.latestTimer);
    await this.releaseAll();
    await this.flushLatest(true);
    await this.instances.delete({ id: this.instanceId }).catch(() => undefined);
    await this.sideChain;
    await this.side?.end().catch(() => undefined);
  }

  /**
   * Heartbeats and the 500 ms check, one at a time on a connection of their own: never waiting
   * behind a pool busy with thousands of full syncs (a heartbeat stuck there fenced a healthy
   * instance taking 2,500 hosts at once), nor overlapping a round's queries on the lock connection.
   */
  private sideQuery(text: string, values: unknown[]): Promise<pg.QueryResult> {
    const run = this.sideChain.then(async () => {
      if (!this.side) {
        const client = new pg.Client({
          connectionString: this.config.databaseUrl,
          application_name: `cockpit-heartbeat ${this.instanceId}`.slice(0, 63),
          keepAlive: true,
          connectionTimeoutMillis: 3000,
          query_timeout: 3000,
        });
        client.on('error', () => {
          if (this.side === client) this.side = undefined;
          void client.end().catch(() => undefined);
        });
        await client.connect();
        this.side = client;
      }
      return this.side.query(text, values);
    });
    this.sideChain = run.catch(() => undefined);
    return run;
  }

  /** True while our heartbeat is stale: others may be taking our hosts over, so nothing may be done. */
  fenced(): boolean {
    return Date.now() - this.lastHeartbeatOk > SELF_FENCE_MS;
  }

  private async beat(): Promise<void> {
    if (this.beating || this.stopped) return;
    this.beating = true;
    try {
      // The time it was sent, as the others see it: an answer that arrives late (after a freeze)
      // must not make a stale heartbeat look fresh.
      const sentAt = Date.now();
      await this.sideQuery('UPDATE api_instances SET heartbeat_at = $1 WHERE id = $2', [new Date(sentAt), this.instanceId]);
      this.lastHeartbeatOk = Math.max(this.lastHeartbeatOk, sentAt);
    } catch {
      // the watchdog decides
    } finally {
      this.beating = false;
    }
  }

  /**
   * Stop acting on every host once our heartbeat has not got through for SELF_FENCE_MS: by then the
   * database may be about to drop our lock connection (keepalives give up after 5 s), and others
   * would take the hosts over.
   */
  private watchdog(): void {
    if (!this.fenced() || !this.owned.size) return;
    this.logger.warn(`No heartbeat for ${SELF_FENCE_MS / 1000} s; giving up ${this.owned.size} host(s)`);
    void this.releaseAll();
  }

  /** Runs a round at once when a lock connection came or went, or an instance with one hangs. */
  private async watch(): Promise<void> {
    if (this.watching || this.ticking || this.stopped || !this.lockClient || this.fenced()) return;
    this.watching = true;
    try {
      const [row] = (
        await this.sideQuery(
          `SELECT (SELECT count(*)::int FROM pg_stat_activity WHERE application_name LIKE '${LOCK_APPLICATION} %') AS locks,
             (SELECT count(*)::int FROM api_instances i WHERE i.heartbeat_at < now() - make_interval(secs => $1)
                AND EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.application_name = left('${LOCK_APPLICATION} ' || i.id, 63))) AS hung`,
          [HUNG_MS / 1000],
        )
      ).rows as [{ locks: number; hung: number }];
      const changed = this.lockConnections !== -1 && row.locks !== this.lockConnections;
      this.lockConnections = row.locks;
      if (changed || row.hung > 0) void this.tick();
    } catch {
      // the round and the watchdog deal with a database that is away
    } finally {
      this.watching = false;
    }
  }

  /** One round: take or give up hosts to reach the fair share. */
  async tick(): Promise<void> {
    if (this.ticking || this.stopped) return;
    if (this.fenced()) return; // until the heartbeat gets through
    this.ticking = true;
    let more = false;
    try {
      const client = await this.lockConnection();
      // A hung instance (event loop stuck, process stopped) keeps its connection, and its locks, as
      // the kernel still answers keepalives: end its lock connection so its hosts move. Should it
      // wake up, its watchdog fences it before it does anything (its heartbeat is long stale).
      await client.query(
        `SELECT pg_terminate_backend(a.pid) FROM pg_stat_activity a JOIN api_instances i
           ON a.application_name = left('${LOCK_APPLICATION} ' || i.id, 63)
         WHERE i.heartbeat_at < now() - make_interval(secs => $1) AND i.id <> $2`,
        [HUNG_MS / 1000, this.instanceId],
      );
      // Live: a recent heartbeat and a lock connection. A killed instance's connection (and with it
      // its locks) is gone at once, so its hosts are shared out on the next round, not after the TTL.
      const live = await this.instances
        .createQueryBuilder('i')
        .where('i.heartbeat_at > :since', { since: new Date(Date.now() - INSTANCE_TTL_MS) })
        .andWhere(`EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.application_name = left('${LOCK_APPLICATION} ' || i.id, 63))`)
        .getCount();
      // Hosts waiting for an administrator's trust are nobody's until then.
      const candidates = await this.hosts.find({
        where: { enabled: true, state: Not(In(['pending-trust', 'untrusted'])), hostUuid: Not(IsNull()) },
        order: { id: 'ASC' },
      });
      const ids = new Set(candidates.map((h) => h.id));
      // Hosts we keep whose endpoint changed, or whose session gave up (untrusted, then re-trusted): start afresh.
      for (const host of candidates) {
        const owned = this.owned.get(host.id);
        if (owned && (owned.endpoint !== endpointOf(host) || owned.session.stopped)) {
          owned.session.stop();
          this.own(host);
        }
      }
      // Hosts that were removed or disabled: let go.
      for (const hostId of [...this.owned.keys()]) if (!ids.has(hostId)) await this.release(client, hostId);
      const fairShare = Math.ceil(candidates.length / Math.max(1, live));
      // Give up the surplus (newest-taken last) so a joining instance gets its share; no thrashing:
      // we only release above the fair share and only take below it.
      while (this.owned.size > fairShare) await this.release(client, [...this.owned.keys()].at(-1) ?? '');
      let taken = 0;
      for (const host of candidates) {
        if (this.owned.size >= fairShare) break;
        if (this.owned.has(host.id)) continue;
        if (taken >= MAX_TAKE_PER_ROUND) {
          more = true;
          break;
        }
        const [{ locked }] = (
          await client.query('SELECT pg_try_advisory_lock($1, $2) AS locked', [LOCK_NAMESPACE, hostLockKey(host.id)])
        ).rows as [{ locked: boolean }];
        if (locked) {
          this.own(host);
          taken += 1;
        }
      }
    } catch (error) {
      this.logger.warn(`Collector round failed: ${(error as Error).message}`);
    } finally {
      this.ticking = false;
    }
    // More to take than one round may: the next round in a moment, once these sessions got going.
    if (more) setTimeout(() => void this.tick(), 500).unref();
  }

  private async lockConnection(): Promise<pg.Client> {
    if (this.lockClient) return this.lockClient;
    const client = new pg.Client({
      connectionString: this.config.databaseUrl,
      application_name: `${LOCK_APPLICATION} ${this.instanceId}`.slice(0, 63),
      keepAlive: true,
      keepAliveInitialDelayMillis: 1000,
      // The server drops a silent peer after about 5 s, so its locks free up for the others.
      options:
        '-c tcp_user_timeout=5000 -c tcp_keepalives_idle=2 -c tcp_keepalives_interval=1 -c tcp_keepalives_count=3 -c idle_session_timeout=0',
    });
    client.on('error', (error) => {
      this.logger.warn(`Lock connection lost: ${error.message}`);
      this.dropOwnership();
    });
    await client.connect();
    this.lockClient = client;
    return client;
  }

  private own(host: HostEntity): void {
    let session: HostSession;
    try {
      session = new HostSession(
        { id: host.id, url: host.url, token: host.token, fingerprint: host.fingerprint },
        {
          instanceId: this.instanceId,
          connections: this.connections,
          fenced: () => this.fenced(),
          inventory: this.inventory,
          metrics: this.metrics,
          logger: this.logger,
          setState: (hostId, state, reason) => this.setState(hostId, state, reason),
          publish: (type, data) => this.events.publish(type, data),
          latest: (hostId, hostSample, vmSamples) => this.latest.frame(hostId, hostSample, vmSamples),
        },
      );
    } catch (error) {
      // Its token was sealed with another key: nothing this instance can do with the host; say so and let go.
      this.logger.error(`Host ${host.id}: ${(error as Error).message}`);
      void this.lockClient
        ?.query('SELECT pg_advisory_unlock($1, $2)', [LOCK_NAMESPACE, hostLockKey(host.id)])
        .catch(() => undefined);
      return;
    }
    this.owned.set(host.id, { hostId: host.id, endpoint: endpointOf(host), session });
  }

  /** Writes a host's state when it changes; only while we own it (a fenced owner writes nothing). */
  private async setState(hostId: string, state: HostState, reason: string | null): Promise<void> {
    if (!this.owned.has(hostId)) return;
    const previous = this.written.get(hostId);
    if (previous && previous.state === state && previous.reason === reason) return;
    await this.hosts.update(
      { id: hostId },
      {
        state,
        stateReason: reason,
        ownerInstance: state === 'untrusted' ? null : this.instanceId,
        ...(state === 'connected' ? { lastSeenAt: new Date() } : {}),
      },
    );
    this.written.set(hostId, { state, reason });
    this.events.publish('host.status', {
      hostId,
      state,
      stateReason: reason,
      ownerInstance: state === 'untrusted' ? null : this.instanceId,
    });
    if (state !== 'connected') this.logger.log(`Host ${hostId} is ${state}${reason ? `: ${reason}` : ''}`);
  }

  /** The latest figures that are due, one batch (see LatestFigures). */
  private async flushLatest(force = false): Promise<void> {
    const { hosts, vms } = this.latest.due(force);
    if (!hosts.length && !vms.length) return;
    await this.inventory.writeLatestStats(hosts, vms).catch((error: Error) => {
      this.logger.warn(`Writing latest stats failed: ${error.message}`);
    });
  }

  private async release(client: pg.Client, hostId: string): Promise<void> {
    this.owned.get(hostId)?.session.stop();
    this.owned.delete(hostId);
    this.written.delete(hostId);
    this.latest.forget(hostId);
    await client.query('SELECT pg_advisory_unlock($1, $2)', [LOCK_NAMESPACE, hostLockKey(hostId)]).catch(() => undefined);
  }

  /** Stop acting on every host at once; closing the lock connection frees the locks server-side. */
  private dropOwnership(): void {
    for (const owned of this.owned.values()) owned.session.stop();
    this.owned.clear();
    this.written.clear();
    this.latest.forget();
    const client = this.lockClient;
    this.lockClient = undefined;
    void client?.end().catch(() => undefined);
  }

  private async releaseAll(): Promise<void> {
    const hostIds = [...this.owned.keys()];
    this.dropOwnership();
    if (hostIds.length)
      await this.hosts
        .update({ id: In(hostIds), ownerInstance: this.instanceId }, { ownerInstance: null })
        .catch(() => undefined);
  }
}
