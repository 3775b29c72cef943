/**
 * The measurements of bench:collector: CPU of the whole pipeline over a window (every api process
 * and the whole PostgreSQL server), what got stored, how old each sample was when its transaction
 * committed (track_commit_timestamp), and the baseline: one raw COPY of exactly those rows.
 */
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { scrapeAll, type ApiProcess } from './cluster.js';
import { cpuSeconds, rssMb, serverCpuSeconds } from './proc.js';

export const SAMPLE_TABLES = ['host_samples', 'vm_samples'] as const;

export interface Reading {
  at: number;
  wall: Date;
  apiCpu: number[];
  serverCpu: number;
  fleetCpu: number;
  buffered: number[];
  dropped: number[];
  /** V8 heap in use and memory outside it (buffers, TLS), MB. */
  heapMb: number[];
  externalMb: number[];
}

export async function reading(
  apis: readonly ApiProcess[],
  postmasterPid: number,
  fleetPids: readonly number[],
): Promise<Reading> {
  const wall = new Date();
  const at = performance.now();
  const [apiCpu, serverCpu, fleetCpu, scraped] = await Promise.all([
    Promise.all(apis.map((api) => cpuSeconds(api.process.pid ?? 0))),
    serverCpuSeconds(postmasterPid),
    Promise.all(fleetPids.map((pid) => cpuSeconds(pid))).then((all) => all.reduce((a, b) => a + b, 0)),
    Promise.all(apis.map((api) => scrapeAll(api.url))),
  ]);
  return {
    at,
    wall,
    apiCpu,
    serverCpu,
    fleetCpu,
    buffered: scraped.map((m) => m.get('cockpit_metrics_samples_buffered') ?? NaN),
    dropped: scraped.map((m) => m.get('cockpit_metrics_samples_dropped_total') ?? NaN),
    heapMb: scraped.map((m) => (m.get('nodejs_heap_size_used_bytes') ?? NaN) / 2 ** 20),
    externalMb: scraped.map((m) => (m.get('nodejs_external_memory_bytes') ?? NaN) / 2 ** 20),
  };
}

/** Peak RSS of each api process, sampled every second until `until` resolves. */
export async function peakRss(apis: readonly ApiProcess[], until: Promise<unknown>): Promise<number[]> {
  const peaks = apis.map(() => 0);
  let done = false;
  void until.finally(() => (done = true));
  while (!done) {
    const now = await Promise.all(apis.map((api) => rssMb(api.process.pid ?? 0).catch(() => 0)));
    now.forEach((value, i) => (peaks[i] = Math.max(peaks[i] ?? 0, value)));
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  return peaks;
}

const between = (from: Date, to: Date) => `ts >= '${from.toISOString()}' AND ts < '${to.toISOString()}'`;

export interface Stored {
  rows: number;
  ageP50Ms: number;
  ageP99Ms: number;
  ageMaxMs: number;
}

/**
 * Rows stamped within [from, to) and how old each was (commit time minus the agent's stamp) when
 * it became durable. Ask once every row of the window has had time to be written.
 */
export async function stored(db: pg.Client, from: Date, to: Date): Promise<Stored> {
  const union = SAMPLE_TABLES.map(
    (table) =>
      `SELECT extract(epoch FROM pg_xact_commit_timestamp(xmin) - ts) * 1000 AS age FROM ${table} WHERE ${between(from, to)}`,
  ).join(' UNION ALL ');
  const [row] = (
    await db.query(
      `SELECT count(*)::int AS rows, percentile_disc(0.5) WITHIN GROUP (ORDER BY age) AS p50,
         percentile_disc(0.99) WITHIN GROUP (ORDER BY age) AS p99, max(age) AS max FROM (${union}) s`,
    )
  ).rows as { rows: number; p50: string | null; p99: string | null; max: string | null }[];
  return {
    rows: row?.rows ?? 0,
    ageP50Ms: Number(row?.p50 ?? NaN),
    ageP99Ms: Number(row?.p99 ?? NaN),
    ageMaxMs: Number(row?.max ?? NaN),
  };
}

export interface CopyBaseline {
  rows: number;
  /** CPU of the backend that ran the COPY plus this process feeding it. */
  cpuSeconds: number;
  wallSeconds: number;
}

/**
 * The baseline: the window's rows, exported first (not counted), then loaded with one raw COPY per
 * table into scratch tables partitioned and indexed like the real ones, while the fleet and the
 * api keep running. Counted: the CPU of the PostgreSQL backend doing it and of this process.
 */
export async function copyBaseline(db: pg.Client, from: Date, to: Date, tag: string): Promise<CopyBaseline> {
  const backend = Number(((await db.query('SELECT pg_backend_pid() AS pid')).rows[0] as { pid: number }).pid);
  let rows = 0;
  let cpu = 0;
  let wall = 0;
  for (const table of SAMPLE_TABLES) {
    const scratch = `copy_${tag}_${table}`;
    await db.query(`CREATE TABLE ${scratch} (LIKE ${table} INCLUDING ALL) PARTITION BY RANGE (ts)`);
    const partitions = (
      await db.query(
        `SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound FROM pg_inherits i
         JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = $1`,
        [table],
      )
    ).rows as { name: string; bound: string }[];
    for (const partition of partitions)
      await db.query(`CREATE TABLE copy_${tag}_${partition.name} PARTITION OF ${scratch} ${partition.bound}`);
    const chunks: Buffer[] = [];
    for await (const chunk of db.query(copyTo(`COPY (SELECT * FROM ${table} WHERE ${between(from, to)}) TO STDOUT`)))
      chunks.push(chunk as Buffer);
    const [backend0, self0, t0] = [await cpuSeconds(backend), process.cpuUsage(), performance.now()];
    await pipeline(
      async function* () {
        yield* chunks;
      },
      db.query(copyFrom(`COPY ${scratch} FROM STDIN`)),
    );
    const self = process.cpuUsage(self0);
    wall += (performance.now() - t0) / 1000;
    cpu += (await cpuSeconds(backend)) - backend0 + (self.user + self.system) / 1e6;
    rows += Number(((await db.query(`SELECT count(*)::int AS n FROM ${scratch}`)).rows[0] as { n: number }).n);
    await db.query(`DROP TABLE ${scratch}`);
  }
  return { rows, cpuSeconds: cpu, wallSeconds: wall };
}

/** With --pg-stats: what PostgreSQL spent its time on over the window (pg_stat_statements). */
export async function statementsReset(db: pg.Client): Promise<void> {
  await db.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
  await db.query('SELECT pg_stat_statements_reset()');
}

export async function topStatements(db: pg.Client, limit = 10): Promise<string[]> {
  const rows = (
    await db.query(
      `SELECT calls, rows, total_exec_time AS ms, regexp_replace(query, '\\s+', ' ', 'g') AS query FROM pg_stat_statements
       WHERE query NOT ILIKE '%pg_stat_statements%' ORDER BY total_exec_time DESC LIMIT $1`,
      [limit],
    )
  ).rows as { calls: string; rows: string; ms: number; query: string }[];
  return rows.map(
    (r) =>
      `${Math.round(r.ms)} ms, ${r.calls} calls (${(r.ms / Number(r.calls)).toFixed(2)} ms each), ${r.rows} rows: ${r.query.slice(0, 160)}`,
  );
}
