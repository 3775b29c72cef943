import {
  BadRequestException,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { Counter, Gauge } from 'prom-client';
import { DataSource, type EntityManager, type QueryRunner } from 'typeorm';
import type { AppConfig } from '@cockpit/api-config';
import { APP_CONFIG } from '@cockpit/api-core';
import { MetricsService } from '@cockpit/api-system';
import { METRIC_NAMES, type MetricsQuery, type MetricsSeries } from '@cockpit/contracts';
import {
  keyColumn,
  partitionEnd,
  partitionFor,
  partitionsBetween,
  RESOLUTION_SECONDS,
  RESOLUTIONS,
  SERIES_KINDS,
  tableName,
  type Resolution,
  type SeriesKind,
} from './partitions.js';
import { storable, type Sample } from './sample.js';

/**
 * Larger batches cost less per row (COPY has a fixed cost per statement); a crash loses at most
 * this much of samples (see README). Live charts do not wait for it: they follow stats events.
 */
const FLUSH_MS = 5_000;
const FLUSH_ROWS = 20_000;
/** While PostgreSQL is away samples wait in memory, up to this many; beyond it the oldest are dropped (and counted). */
export const MAX_BUFFERED_SAMPLES = 1_000_000;
const MAINTAIN_MS = 60_000;
/**
 * Rollups recompute this much recent history each round (late samples within it are counted; a
 * batch older than that rolls its own range up when it is written). Each round scans every raw
 * sample of the window: at 100,000 VMs every 5 s, 15 minutes were 18 million rows a minute.
 */
const ROLLUP_WINDOW_MS = 2 * 60_000;
/**
 * Scheduled rounds recompute the current hour's 1-hour rollup (from its 1-minute rows, up to 60
 * per series) this often, and once more after the hour ends; 1-hour points serve ranges of
 * weeks, where a few minutes of lag cannot be seen.
 */
const HOURLY_EVERY_MS = 10 * 60_000;
const MAINTENANCE_LOCK = 7_140_241_003;
const MAX_POINTS = 10_000;
const COLUMNS = ['cpu_percent', 'memory_used_mib', 'disk_read_bps', 'disk_write_bps', 'net_rx_bps', 'net_tx_bps'] as const;

/**
 * Stats history in PostgreSQL: samples are buffered and written in batches (one COPY per table
 * per flush, never row by row) into hourly partitions; one instance at a time
 * rolls them up to 1-minute and 1-hour tables and drops partitions past retention.
 * The metrics tables are plain SQL (see the MetricsTables migration): TypeORM entities cannot
 * express declarative partitioning.
 */
@Injectable()
export class MetricsStore implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Metrics');
  private buffers: Record<SeriesKind, Sample[]> = { host: [], vm: [] };
  private readonly knownPartitions = new Set<string>();
  private flushTimer?: NodeJS.Timeout;
  private soonTimer?: NodeJS.Timeout;
  private maintainTimer?: NodeJS.Timeout;
  private flushing?: Promise<void>;
  /** When the scheduled rounds last recomputed the 1-hour rollups. */
  private hourlyAt = 0;
  /** Samples dropped because the buffer overflowed during an outage. */
  dropped = 0;
  /** Rows written since start. */
  written = 0;
  /** Milliseconds spent in batch inserts since start. */
  writeMs = 0;
  private readonly rejected: Counter<'kind' | 'reason'>;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    prometheus: MetricsService,
  ) {
    const registers = [prometheus.registry];
    // Read at scrape time from the fields above, so the write path stays a few additions.
    const total = (name: string, help: string, read: () => number) => {
      const counter: Counter = new Counter({
        name,
        help,
        registers,
        collect: () => {
          counter.reset();
          counter.inc(read());
        },
      });
    };
    total('cockpit_metrics_samples_written_total', 'Stats samples written to PostgreSQL', () => this.written);
    total('cockpit_metrics_write_seconds_total', 'Time spent in batch inserts of stats samples', () => this.writeMs / 1000);
    total(
      'cockpit_metrics_samples_dropped_total',
      'Stats samples dropped because the buffer overflowed while PostgreSQL was unavailable',
      () => this.dropped,
    );
    this.rejected = new Counter({
      name: 'cockpit_stats_rows_rejected_total',
      help: 'Stats rows from hosts dropped because a figure was out of bounds (NaN, negative, too large...), by kind and reason',
      labelNames: ['kind', 'reason'] as const,
      registers,
    });
    const buffered: Gauge = new Gauge({
      name: 'cockpit_metrics_samples_buffered',
      help: 'Stats samples waiting to be written',
      registers,
      collect: () => buffered.set(this.pending()),
    });
  }

  onApplicationBootstrap(): void {
    this.flushTimer = setInterval(() => void this.flush(), FLUSH_MS);
    this.maintainTimer = setInterval(
      () =>
        void this.maintain(new Date(), { scheduled: true }).catch((e: Error) =>
          this.logger.warn(`Maintenance failed: ${e.message}`),
        ),
      MAINTAIN_MS,
    );
    void this.maintain().catch((e: Error) => this.logger.warn(`Maintenance failed: ${e.message}`));
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.flushTimer);
    clearInterval(this.maintainTimer);
    clearTimeout(this.soonTimer);
    await this.flush();
  }

  /** Count a stats row from a host that was dropped (the collector checks each row against the contract). */
  reject(kind: SeriesKind, reason: string): void {
    this.rejected.inc({ kind, reason });
  }

  /**
   * Queue samples; they reach PostgreSQL within five seconds (or when the batch is full). A sample
   * no column can hold is dropped and counted here: one bad row must never fail a whole batch.
   */
  record(kind: SeriesKind, samples: readonly Sample[]): void {
    const buffer = this.buffers[kind];
    for (const sample of samples) {
      if (storable(sample)) buffer.push(sample);
      else this.reject(kind, 'unstorable');
    }
    const total = this.buffers.host.length + this.buffers.vm.length;
    if (total > MAX_BUFFERED_SAMPLES) {
      const excess = total - MAX_BUFFERED_SAMPLES;
      const fromVm = Math.min(excess, this.buffers.vm.length);
      this.buffers.vm.splice(0, fromVm);
      this.buffers.host.splice(0, excess - fromVm);
      this.dropped += excess;
    }
    if (buffer.length >= FLUSH_ROWS) void this.flush();
  }

  pending(): number {
    return this.buffers.host.length + this.buffers.vm.length;
  }

  /** The hosts with a sample waiting for the next write (what a test of a database outage waits for). */
  pendingHosts(): Set<string> {
    return new Set(this.buffers.host.map((sample) => sample.id));
  }

  /**
   * Write what is buffered within `ms` instead of at the next round: a host that just changed
   * owner (its first samples tell that it is collected again). Calls within the delay share a write.
   */
  flushSoon(ms = 100): void {
    if (this.soonTimer) return;
    this.soonTimer = setTimeout(() => {
      this.soonTimer = undefined;
      void this.flush();
    }, ms);
  }

  /** Write everything buffered. Failed batches go back to the buffer and are retried. */
  flush(): Promise<void> {
    this.flushing ??= this.flushOnce().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  private async flushOnce(): Promise<void> {
    const batch = this.buffers;
    if (!batch.host.length && !batch.vm.length) return;
    this.buffers = { host: [], vm: [] };
    const started = performance.now();
    let runner: QueryRunner | undefined;
    for (const kind of SERIES_KINDS) {
      const samples = batch[kind];
      if (!samples.length) continue;
      try {
        runner ??= this.dataSource.createQueryRunner();
        await this.insert(kind, samples, (await runner.connect()) as pg.PoolClient);
      } catch (error) {
        // Keep them (ahead of newer ones) for the next round; the cap bounds memory.
        this.buffers[kind] = samples.concat(this.buffers[kind]);
        this.logger.warn(`Writing ${samples.length} ${kind} samples failed, will retry: ${(error as Error).message}`);
      }
    }
    await runner?.release().catch(() => undefined);
    this.writeMs += performance.now() - started;
  }

  private async insert(kind: SeriesKind, samples: Sample[], client: pg.PoolClient): Promise<void> {
    const oldestKept = Date.now() - this.config.metricsRetention.rawMs;
    const rows = samples.filter((sample) => sample.ts.getTime() > oldestKept);
    if (!rows.length) return;
    let min = rows[0]?.ts ?? new Date();
    let max = min;
    const lines: string[] = [];
    // Every sample of one stats frame shares its timestamp: format each once.
    const stamps = new Map<number, string>();
    for (const row of rows) {
      if (row.ts < min) min = row.ts;
      if (row.ts > max) max = row.ts;
      const time = row.ts.getTime();
      let stamp = stamps.get(time);
      if (stamp === undefined) stamps.set(time, (stamp = row.ts.toISOString()));
      lines.push(
        `${row.id}\t${stamp}\t${row.cpuPercent}\t${row.memoryUsedMiB}\t${row.diskReadBps}\t${row.diskWriteBps}\t${row.netRxBps}\t${row.netTxBps}\n`,
      );
    }
    await this.ensurePartitions(kind, 'raw', min, max);
    // COPY: the fastest way into PostgreSQL, one stream per table per batch.
    await pipeline(
      Readable.from([lines.join('')]),
      client.query(copyFrom(`COPY ${tableName(kind, 'raw')} (${keyColumn(kind)}, ts, ${COLUMNS.join(', ')}) FROM STDIN`)),
    );
    this.written += rows.length;
    // Samples that waited out an outage land behind the rollup window: roll their range up now.
    if (Date.now() - min.getTime() > ROLLUP_WINDOW_MS - 60_000) await this.rollup(kind, min, new Date());
  }

  /** Creates the partitions covering [from, to] that this instance has not seen yet. */
  async ensurePartitions(kind: SeriesKind, resolution: Resolution, from: Date, to: Date, manager?: EntityManager): Promise<void> {
    for (const partition of partitionsBetween(kind, resolution, from, to)) {
      if (this.knownPartitions.has(partition.name)) continue;
      try {
        await (manager ?? this.dataSource).query(
          `CREATE TABLE IF NOT EXISTS ${partition.name} PARTITION OF ${tableName(kind, resolution)}
           FOR VALUES FROM ('${partition.from.toISOString()}') TO ('${partition.to.toISOString()}')`,
        );
        // Rollups read the last minutes of an hourly partition: without an index on ts that is a scan
        // of the whole partition (60 million rows by the end of an hour at 100,000 VMs). BRIN: a few
        // pages, nearly free to keep up on append-only data.
        if (resolution === 'raw')
          await (manager ?? this.dataSource).query(
            `CREATE INDEX IF NOT EXISTS ${partition.name}_ts ON ${partition.name} USING brin (ts) WITH (pages_per_range = 16, autosummarize = on)`,
          );
      } catch (error) {
        // Another instance created it at the same moment.
        if (!/already exists/.test((error as Error).message)) throw error;
      }
      this.knownPartitions.add(partition.name);
    }
  }

  /**
   * One maintenance round, on one instance at a time: roll recent samples up, drop partitions past
   * retention. `now` is a parameter so tests can look into the future. A scheduled round skips the
   * 1-hour rollups unless HOURLY_EVERY_MS passed or the hour changed since they were last done.
   */
  async maintain(now = new Date(), options: { scheduled?: boolean } = {}): Promise<{ dropped: string[] } | undefined> {
    // A session lock on one connection, statements in autocommit: a partition DROP locks its
    // parent table only for that statement, never for the whole round.
    const runner = this.dataSource.createQueryRunner();
    try {
      const [{ locked }] = (await runner.query('SELECT pg_try_advisory_lock($1) AS locked', [MAINTENANCE_LOCK])) as [
        { locked: boolean },
      ];
      if (!locked) return undefined;
      try {
        const hour = (ms: number) => Math.floor(ms / 3_600_000);
        const hourly =
          !options.scheduled || now.getTime() - this.hourlyAt >= HOURLY_EVERY_MS || hour(now.getTime()) !== hour(this.hourlyAt);
        const from = new Date(now.getTime() - ROLLUP_WINDOW_MS);
        for (const kind of SERIES_KINDS) await this.rollup(kind, from, now, runner.manager, { hourly });
        if (hourly) this.hourlyAt = now.getTime();
        return { dropped: await this.dropExpired(now, runner.manager) };
      } finally {
        await runner.query('SELECT pg_advisory_unlock($1)', [MAINTENANCE_LOCK]);
      }
    } finally {
      await runner.release();
    }
  }

  /** Recomputes the 1-minute rollups of [from, to] from raw samples, then (unless told not to) the 1-hour ones from those. Idempotent. */
  async rollup(
    kind: SeriesKind,
    from: Date,
    to: Date,
    manager: EntityManager = this.dataSource.manager,
    options: { hourly?: boolean } = {},
  ): Promise<void> {
    const key = keyColumn(kind);
    const minuteFrom = new Date(Math.floor(from.getTime() / 60_000) * 60_000);
    const hourFrom = new Date(Math.floor(from.getTime() / 3_600_000) * 3_600_000);
    await this.ensurePartitions(kind, '1m', minuteFrom, to, manager);
    await this.ensurePartitions(kind, '1h', hourFrom, to, manager);
    // Summarise the BRIN ranges filled since the last round, so the scan below skips all but the window.
    await this.ensurePartitions(kind, 'raw', minuteFrom, to, manager);
    for (const partition of partitionsBetween(kind, 'raw', minuteFrom, to))
      await manager.query(`SELECT brin_summarize_new_values(to_regclass($1))`, [`${partition.name}_ts`]).catch(() => undefined); // still being created by another instance: the scan is only slower
    const averages = COLUMNS.map((c) => `avg(${c})`).join(', ');
    const updates = ['samples', 'cpu_percent_max', ...COLUMNS].map((c) => `${c} = EXCLUDED.${c}`).join(', ');
    await manager.query(
      `INSERT INTO ${tableName(kind, '1m')} (${key}, ts, samples, cpu_percent_max, ${COLUMNS.join(', ')})
       SELECT ${key}, date_trunc('minute', ts), count(*), max(cpu_percent), ${averages}
       FROM ${tableName(kind, 'raw')} WHERE ts >= $1 AND ts < $2 GROUP BY 1, 2
       ON CONFLICT (${key}, ts) DO UPDATE SET ${updates}`,
      [minuteFrom.toISOString(), to.toISOString()],
    );
    if (options.hourly === false) return;
    const weighted = COLUMNS.map((c) => `sum(${c} * samples) / sum(samples)`).join(', ');
    await manager.query(
      `INSERT INTO ${tableName(kind, '1h')} (${key}, ts, samples, cpu_percent_max, ${COLUMNS.join(', ')})
       SELECT ${key}, date_trunc('hour', ts), sum(samples), max(cpu_percent_max), ${weighted}
       FROM ${tableName(kind, '1m')} WHERE ts >= $1 AND ts < $2 GROUP BY 1, 2
       ON CONFLICT (${key}, ts) DO UPDATE SET ${updates}`,
      [hourFrom.toISOString(), to.toISOString()],
    );
  }

  /** Drops every partition that ends before its resolution's retention. */
  async dropExpired(now: Date, manager: EntityManager = this.dataSource.manager): Promise<string[]> {
    const retention: Record<Resolution, number> = {
      raw: this.config.metricsRetention.rawMs,
      '1m': this.config.metricsRetention.oneMinuteMs,
      '1h': this.config.metricsRetention.oneHourMs,
    };
    const dropped: string[] = [];
    for (const kind of SERIES_KINDS) {
      for (const resolution of RESOLUTIONS) {
        const children = (await manager.query(
          `SELECT c.relname AS name FROM pg_inherits i
           JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
           WHERE p.relname = $1`,
          [tableName(kind, resolution)],
        )) as { name: string }[];
        for (const { name } of children) {
          const end = partitionEnd(kind, resolution, name);
          if (end && end.getTime() <= now.getTime() - retention[resolution]) {
            await manager.query(`DROP TABLE IF EXISTS ${name}`);
            this.knownPartitions.delete(name);
            dropped.push(name);
          }
        }
      }
    }
    return dropped.sort();
  }

  /** Points over [from, to] at the step asked for, from the finest resolution that still holds that range. */
  async series(kind: SeriesKind, id: string, query: MetricsQuery, now = new Date()): Promise<MetricsSeries> {
    const to = query.to ? new Date(query.to) : now;
    const from = query.from ? new Date(query.from) : new Date(to.getTime() - 3_600_000);
    const rangeSeconds = (to.getTime() - from.getTime()) / 1000;
    if (rangeSeconds <= 0) throw new BadRequestException('`from` must be before `to`');
    const wanted = query.step ?? Math.max(1, Math.ceil(rangeSeconds / 360));
    const age = now.getTime() - from.getTime();
    const resolution: Resolution =
      wanted < 60 && age <= this.config.metricsRetention.rawMs
        ? 'raw'
        : wanted < 3600 && age <= this.config.metricsRetention.oneMinuteMs
          ? '1m'
          : '1h';
    const step = Math.max(wanted, RESOLUTION_SECONDS[resolution]);
    if (rangeSeconds / step > MAX_POINTS) {
      throw new BadRequestException(
        `That is ${Math.ceil(rangeSeconds / step)} points; ask for at most ${MAX_POINTS} (a larger step or a shorter range)`,
      );
    }
    const values =
      resolution === 'raw'
        ? COLUMNS.map((c) => `avg(${c})::float8 AS ${c}`)
        : COLUMNS.map((c) => `(sum(${c} * samples) / sum(samples))::float8 AS ${c}`);
    const rows = (await this.dataSource.query(
      `SELECT (extract(epoch FROM date_bin(make_interval(secs => $4), ts, TIMESTAMPTZ 'epoch')) * 1000)::float8 AS t, ${values.join(', ')}
       FROM ${tableName(kind, resolution)} WHERE ${keyColumn(kind)} = $1 AND ts >= $2 AND ts < $3
       GROUP BY 1 ORDER BY 1`,
      [id, from.toISOString(), to.toISOString(), step],
    )) as Record<string, number>[];
    const series = Object.fromEntries(METRIC_NAMES.map((name) => [name, [] as number[]])) as MetricsSeries['series'];
    const timestamps: number[] = [];
    for (const row of rows) {
      timestamps.push(row['t'] ?? 0);
      METRIC_NAMES.forEach((name, i) => series[name].push(Math.round((row[COLUMNS[i] ?? ''] ?? 0) * 100) / 100));
    }
    return { resolution, stepSeconds: step, from: from.toISOString(), to: to.toISOString(), timestamps, series };
  }

  /** Partitions that exist now (tests and the README's retention story). */
  async partitions(kind: SeriesKind, resolution: Resolution): Promise<string[]> {
    const rows = (await this.dataSource.query(
      `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
       WHERE p.relname = $1 ORDER BY 1`,
      [tableName(kind, resolution)],
    )) as { name: string }[];
    return rows.map((r) => r.name);
  }

  /** Used by the ingest path to name the partition of a sample (tests). */
  static partitionOf(kind: SeriesKind, at: Date): string {
    return partitionFor(kind, 'raw', at).name;
  }
}
