/**
 * bench:collector — one api instance collecting from a fleet of 500 hosts x 20 VMs with stats
 * every 5 s (2,100 samples/s). Measures over a window: the api's CPU (share of one core), the rows
 * of stats it wrote per second, and the time its batched inserts took. The baseline, in the same
 * run, on the same PostgreSQL and under the same load (fleet and api still running): one raw
 * `COPY` of exactly the rows written in the window into identically partitioned scratch tables.
 * Goal: ingest within 2x of COPY.
 *
 * Usage: npm run bench:collector [-- --seconds 30 --hosts 500 --vms-per-host 20]
 * Last line: {"bench":"collector","rows_per_s":…,"api_cpu_pct":…,"ratio_to_copy":…}
 */
import { parseArgs } from 'node:util';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { scrape, scratchDir, startApi, startFleet, startPostgres } from './cluster.js';
import { cpuSeconds, round, rssMb, sleep, waitFor } from './proc.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '30' },
    hosts: { type: 'string', default: '500' },
    'vms-per-host': { type: 'string', default: '20' },
    warmup: { type: 'string', default: '15' },
  },
});
const seconds = Number(values.seconds);
const hosts = Number(values.hosts);
const vmsPerHost = Number(values['vms-per-host']);
const warmup = Number(values.warmup);
const say = (line: string) => process.stdout.write(`${line}\n`);

const scratch = await scratchDir('bench-collector');
const postgres = await startPostgres(scratch.dir);
const fleet = await startFleet(scratch.dir, { hosts, vmsPerHost, statsIntervalMs: 5000 });
const databaseUrl = postgres.url();
const db = new pg.Client({ connectionString: databaseUrl });
try {
  say(`collector: ${hosts} hosts x ${vmsPerHost} VMs, stats every 5 s; enrolling…`);
  const api = await startApi({
    DATABASE_URL: databaseUrl,
    DATA_DIR: scratch.dir,
    DEMO_FLEET_MANIFEST: fleet.manifestFile,
    INSTANCE_ID: 'bench-collector',
  });
  await db.connect();
  const connected = async () =>
    Number((await db.query("SELECT count(*) AS n FROM hosts WHERE state = 'connected'")).rows[0]?.n ?? 0);
  const took = await waitFor(async () => (await connected()) >= hosts, 180_000, `${hosts} hosts connected`);
  say(`all ${hosts} hosts connected ${round(took / 1000)} s after the api was ready; warming up ${warmup} s`);
  await sleep(warmup * 1000);

  const pid = api.process.pid ?? 0;
  const windowStart = new Date();
  const [cpu0, written0, writeSeconds0, t0] = [
    await cpuSeconds(pid),
    await scrape(api.url, 'cockpit_metrics_samples_written_total'),
    await scrape(api.url, 'cockpit_metrics_write_seconds_total'),
    performance.now(),
  ];
  await sleep(seconds * 1000);
  const [cpu1, written1, writeSeconds1, t1] = [
    await cpuSeconds(pid),
    await scrape(api.url, 'cockpit_metrics_samples_written_total'),
    await scrape(api.url, 'cockpit_metrics_write_seconds_total'),
    performance.now(),
  ];
  const windowEnd = new Date();
  const elapsed = (t1 - t0) / 1000;
  const apiCpuPct = ((cpu1 - cpu0) / elapsed) * 100;
  const rows = written1 - written0;
  const ingestSeconds = writeSeconds1 - writeSeconds0;
  const apiRss = await rssMb(pid);
  // Stats cover each host and its running VMs.
  const running = Number((await db.query("SELECT count(*) AS n FROM vms WHERE state = 'running'")).rows[0]?.n ?? 0);

  // Baseline: COPY the rows of the window (as the api stored them) into identical partitioned
  // tables, while the fleet and the api keep running, so both see the same load on the machine.
  let copied = 0;
  let copySeconds = 0;
  for (const table of ['host_samples', 'vm_samples']) {
    const scratchTable = `copy_${table}`;
    await db.query(`CREATE TABLE ${scratchTable} (LIKE ${table} INCLUDING ALL) PARTITION BY RANGE (ts)`);
    const partitions = (
      await db.query(
        `SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound FROM pg_inherits i
         JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = $1`,
        [table],
      )
    ).rows as { name: string; bound: string }[];
    for (const partition of partitions)
      await db.query(`CREATE TABLE copy_${partition.name} PARTITION OF ${scratchTable} ${partition.bound}`);
    // Export first (not timed), then time only the COPY into PostgreSQL.
    const chunks: Buffer[] = [];
    const source = db.query(
      copyTo(
        `COPY (SELECT * FROM ${table} WHERE ts >= '${windowStart.toISOString()}' AND ts < '${windowEnd.toISOString()}') TO STDOUT`,
      ),
    );
    for await (const chunk of source) chunks.push(chunk as Buffer);
    const started = performance.now();
    const sink = db.query(copyFrom(`COPY ${scratchTable} FROM STDIN`));
    await pipeline(async function* () {
      yield* chunks;
    }, sink);
    copySeconds += (performance.now() - started) / 1000;
    copied += Number((await db.query(`SELECT count(*) AS n FROM ${scratchTable}`)).rows[0]?.n ?? 0);
  }
  await api.stop();
  // Compare per row: the window's edges may hold a batch more or less than the api's counter.
  const ingestPerRowUs = (ingestSeconds / Math.max(1, rows)) * 1e6;
  const copyPerRowUs = (copySeconds / Math.max(1, copied)) * 1e6;
  const ratio = copyPerRowUs > 0 ? ingestPerRowUs / copyPerRowUs : 0;
  say(
    `api: ${round(apiCpuPct)}% of one core, ${round(apiRss)} MB RSS; wrote ${rows} rows in ${round(elapsed)} s ` +
      `(${round(rows / elapsed)} rows/s, expected ${round((hosts + running) / 5)}/s for ${hosts} hosts and ${running} running VMs)`,
  );
  say(
    `ingest: ${round(ingestSeconds * 1000)} ms in batched inserts (${round(ingestPerRowUs, 2)} µs/row); ` +
      `baseline COPY of the same ${copied} rows: ${round(copySeconds * 1000)} ms (${round(copyPerRowUs, 2)} µs/row); ` +
      `ratio ${round(ratio, 2)}x (goal ≤ 2x)`,
  );
  say(
    JSON.stringify({
      bench: 'collector',
      hosts,
      vms: hosts * vmsPerHost,
      rows_per_s: round(rows / elapsed),
      api_cpu_pct: round(apiCpuPct),
      api_rss_mb: round(apiRss),
      ingest_us_per_row: round(ingestPerRowUs, 2),
      copy_us_per_row: round(copyPerRowUs, 2),
      ratio_to_copy: round(ratio, 2),
      seconds,
    }),
  );
} finally {
  await db.end().catch(() => undefined);
  await fleet.stop();
  await postgres.stop();
  await scratch.remove();
}
