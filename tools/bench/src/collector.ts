/**
 * bench:collector — the whole stats pipeline, end to end: simulated Vapor fleets (their own
 * processes) → api instances (two by default, sharing the hosts, the socket.io PostgreSQL adapter
 * carrying every stats frame to the other instance) → PostgreSQL. It ramps through the host counts
 * given (each step adds a fleet process; hosts are written into the hosts table directly, trusted
 * and pinned), and at each step, after the hosts are connected and a warm-up, measures a window:
 *  - CPU of every api process and of the whole PostgreSQL server (all its processes) per stored sample;
 *  - the baseline in the same run: one raw COPY of exactly the rows stored in the window into
 *    identically partitioned and indexed scratch tables (CPU of that backend and of the feeding
 *    client) → `ratio_to_copy`;
 *  - how old each sample was when it became durable (commit timestamp minus the agent's stamp), p50/p99;
 *  - per instance: CPU (% of one core), peak RSS, and whether it kept up (every expected sample
 *    stored, nothing dropped, no growing buffer).
 * Then (unless --no-solo) it stops all instances but one, lets that one take every host and
 * measures it alone: the single-instance capacity.
 *
 * Usage: npm run bench:collector -- [--hosts 500,2500,5000] [--vms-per-host 20] [--instances 2]
 *        [--seconds 60] [--warmup 15] [--no-solo] [--pg-stats] [--cpu-prof DIR]
 * Last line: {"bench":"collector","instances":2,"ratio_to_copy":…,"sample_age_p99_ms":…,"steps":[…]}
 */
import { parseArgs } from 'node:util';
import pg from 'pg';
import { copyBaseline, peakRss, reading, statementsReset, stored, topStatements } from './collector-window.js';
import { insertHosts, scratchDir, startApi, startFleet, startPostgres, type ApiProcess, type Fleet } from './cluster.js';
import { round, sleep, waitFor } from './proc.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '60' },
    hosts: { type: 'string', default: '500' },
    'vms-per-host': { type: 'string', default: '20' },
    instances: { type: 'string', default: '2' },
    warmup: { type: 'string', default: '15' },
    'no-solo': { type: 'boolean', default: false },
    /** Write a V8 CPU profile of each api process into this directory (read it with Chrome DevTools). */
    'cpu-prof': { type: 'string' },
    /** Print the statements PostgreSQL spent most time on in each window (pg_stat_statements). */
    'pg-stats': { type: 'boolean', default: false },
  },
});
const seconds = Number(values.seconds);
const steps = values.hosts.split(',').map(Number);
const vmsPerHost = Number(values['vms-per-host']);
const instanceCount = Number(values.instances);
const warmup = Number(values.warmup);
const STATS_MS = 5000;
/** After a window, rows stamped in it may still sit in a batch: wait this long before counting them. */
const SETTLE_MS = 12_000;
if (steps.some((n, i) => !Number.isInteger(n) || n <= (steps[i - 1] ?? 0)))
  throw new Error('--hosts: increasing counts, e.g. 500,2500,5000');
const say = (line: string) => process.stdout.write(`${line}\n`);

const scratch = await scratchDir('bench-collector');
// Commit timestamps tell when each sample became durable.
const postgres = await startPostgres(scratch.dir, {
  track_commit_timestamp: 'on',
  ...(values['pg-stats'] ? { shared_preload_libraries: 'pg_stat_statements', 'pg_stat_statements.track': 'all' } : {}),
});
const databaseUrl = postgres.url();
const db = new pg.Client({ connectionString: databaseUrl });
const fleets: Fleet[] = [];
const apis: ApiProcess[] = [];
const count = async (sql: string) => Number(((await db.query(sql)).rows[0] as { n: string } | undefined)?.n ?? 0);

interface Step {
  hosts: number;
  vms: number;
  instances: number;
  running_vms: number;
  connect_s: number;
  rows_per_s: number;
  expected_rows_per_s: number;
  api_cpu_pct: number[];
  api_rss_mb: number[];
  api_heap_mb: number[];
  api_external_mb: number[];
  postgres_cpu_pct: number;
  fleet_cpu_pct: number;
  pipeline_us_per_sample: number;
  copy_us_per_row: number;
  ratio_to_copy: number;
  sample_age_p50_ms: number;
  sample_age_p99_ms: number;
  buffered_start: number[];
  buffered_end: number[];
  kept_up: boolean;
}

async function waitConnected(hosts: number, instances: number): Promise<number> {
  const share = Math.ceil(hosts / instances);
  const states = async () =>
    ((await db.query('SELECT state, owner_instance AS owner, count(*)::int AS n FROM hosts GROUP BY 1, 2')).rows as object[])
      .map((r) => JSON.stringify(r))
      .join(' ');
  const progress = setInterval(() => void states().then((s) => say(`  waiting: ${s}`)), 60_000);
  return waitFor(
    async () =>
      (await count("SELECT count(*) AS n FROM hosts WHERE state = 'connected'")) >= hosts &&
      (await count('SELECT count(*) AS n FROM vms')) >= hosts * vmsPerHost &&
      (await count('SELECT count(*) AS n FROM hosts WHERE owner_instance IS NULL')) === 0 &&
      (await count('SELECT count(DISTINCT owner_instance) AS n FROM hosts')) === instances &&
      (await count(`SELECT coalesce(max(n), 0) AS n FROM (SELECT count(*) AS n FROM hosts GROUP BY owner_instance) o`)) <= share,
    15 * 60_000,
    `${hosts} hosts connected and shared by ${instances} instance(s)`,
  ).finally(() => clearInterval(progress));
}

async function measure(hosts: number, tag: string): Promise<Step> {
  const live = apis.filter((api) => api.process.exitCode === null && api.process.signalCode === null);
  const fleetPids = fleets.map((f) => f.process.pid ?? 0);
  const postmaster = postgres.pid ?? 0;
  const runningVms = await count("SELECT count(*) AS n FROM vms WHERE state IN ('running', 'migrating')");
  if (values['pg-stats']) await statementsReset(db);
  const r0 = await reading(live, postmaster, fleetPids);
  const window = sleep(seconds * 1000);
  const rss = await peakRss(live, window);
  const r1 = await reading(live, postmaster, fleetPids);
  const elapsed = (r1.at - r0.at) / 1000;
  if (values['pg-stats']) for (const line of await topStatements(db)) say(`    pg: ${line}`);
  await sleep(SETTLE_MS);
  const rows = await stored(db, r0.wall, r1.wall);
  const copy = await copyBaseline(db, r0.wall, r1.wall, tag);
  const apiCpu = r1.apiCpu.map((cpu, i) => cpu - (r0.apiCpu[i] ?? 0));
  const pipelineCpu = apiCpu.reduce((a, b) => a + b, 0) + (r1.serverCpu - r0.serverCpu);
  const pipelineUs = (pipelineCpu / Math.max(1, rows.rows)) * 1e6;
  const copyUs = (copy.cpuSeconds / Math.max(1, copy.rows)) * 1e6;
  const expected = (hosts + runningVms) / (STATS_MS / 1000);
  const rowsPerS = rows.rows / elapsed;
  const dropped = r1.dropped.reduce((a, b) => a + b, 0) - r0.dropped.reduce((a, b) => a + b, 0);
  // Kept up: (nearly) every expected sample stored, none dropped, the buffers not growing past one
  // flush's worth, and samples durable within three stats intervals.
  const grew = r1.buffered.some((b, i) => b - (r0.buffered[i] ?? 0) > expected * 5);
  const keptUp = rowsPerS >= expected * 0.97 && dropped === 0 && !grew && rows.ageP99Ms < 3 * STATS_MS;
  return {
    hosts,
    vms: hosts * vmsPerHost,
    instances: live.length,
    running_vms: runningVms,
    connect_s: 0,
    rows_per_s: round(rowsPerS),
    expected_rows_per_s: round(expected),
    api_cpu_pct: apiCpu.map((cpu) => round((cpu / elapsed) * 100)),
    api_rss_mb: rss.map((mb) => round(mb)),
    api_heap_mb: r1.heapMb.map((mb) => round(mb)),
    api_external_mb: r1.externalMb.map((mb) => round(mb)),
    postgres_cpu_pct: round(((r1.serverCpu - r0.serverCpu) / elapsed) * 100),
    fleet_cpu_pct: round(((r1.fleetCpu - r0.fleetCpu) / elapsed) * 100),
    pipeline_us_per_sample: round(pipelineUs, 2),
    copy_us_per_row: round(copyUs, 2),
    ratio_to_copy: round(copyUs > 0 ? pipelineUs / copyUs : 0, 2),
    sample_age_p50_ms: round(rows.ageP50Ms),
    sample_age_p99_ms: round(rows.ageP99Ms),
    buffered_start: r0.buffered,
    buffered_end: r1.buffered,
    kept_up: keptUp,
  };
}

function report(step: Step): void {
  const cpu = step.api_cpu_pct
    .map((c, i) => `${c}% / ${step.api_rss_mb[i]} MB (heap ${step.api_heap_mb[i]}, external ${step.api_external_mb[i]})`)
    .join(', ');
  say(
    `  ${step.hosts} hosts x ${vmsPerHost} VMs (${step.running_vms} running) on ${step.instances} instance(s): ` +
      `api ${cpu} (CPU of one core / peak RSS); PostgreSQL ${step.postgres_cpu_pct}%; fleet ${step.fleet_cpu_pct}%`,
  );
  say(
    `  stored ${step.rows_per_s} samples/s (expected ${step.expected_rows_per_s}); durable after p50 ${step.sample_age_p50_ms} ms, ` +
      `p99 ${step.sample_age_p99_ms} ms; kept up: ${step.kept_up ? 'yes' : 'NO'}`,
  );
  say(
    `  pipeline ${step.pipeline_us_per_sample} µs CPU per sample (api + PostgreSQL) vs raw COPY ${step.copy_us_per_row} µs/row: ` +
      `ratio ${step.ratio_to_copy}x (goal ≤ 3x)`,
  );
}

const results: Step[] = [];
try {
  await db.connect();
  const env = { DATABASE_URL: databaseUrl, DATA_DIR: scratch.dir };
  const profile = values['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', values['cpu-prof']] : [];
  for (let i = 1; i <= instanceCount; i++) apis.push(await startApi({ ...env, INSTANCE_ID: `collector-${i}` }, profile));
  say(
    `collector: ${instanceCount} api instance(s), steps ${steps.join(' → ')} hosts x ${vmsPerHost} VMs, stats every 5 s, ${seconds} s windows`,
  );
  let hosts = 0;
  for (const [index, target] of steps.entries()) {
    const fleet = await startFleet(scratch.dir, {
      hosts: target - hosts,
      vmsPerHost,
      statsIntervalMs: STATS_MS,
      seed: 42 + index,
      name: `f${index + 1}`,
    });
    fleets.push(fleet);
    const started = performance.now();
    await insertHosts(db, fleet.manifest);
    hosts = target;
    await waitConnected(hosts, instanceCount);
    const connectS = (performance.now() - started) / 1000;
    say(`step ${index + 1}: ${hosts} hosts connected and synced in ${round(connectS)} s; warming up ${warmup} s`);
    await sleep(warmup * 1000);
    const step = { ...(await measure(hosts, `s${index + 1}`)), connect_s: round(connectS) };
    report(step);
    results.push(step);
  }
  if (instanceCount > 1 && !values['no-solo']) {
    const started = performance.now();
    for (const api of apis.slice(1)) await api.stop();
    await waitConnected(hosts, 1);
    const connectS = (performance.now() - started) / 1000;
    say(`solo: the other instances stopped; collector-1 took every host over in ${round(connectS)} s; warming up ${warmup} s`);
    await sleep(warmup * 1000);
    const step = { ...(await measure(hosts, 'solo')), connect_s: round(connectS) };
    report(step);
    results.push(step);
  }
  const main = results.filter((s) => s.instances === instanceCount).at(-1) ?? results.at(-1);
  const solo = results.filter((s) => s.instances === 1).at(-1);
  say(
    `whole pipeline at ${main?.hosts} hosts on ${instanceCount} instance(s): ${main?.ratio_to_copy}x raw COPY (goal ≤ 3x), ` +
      `samples durable p99 ${main?.sample_age_p99_ms} ms` +
      (solo
        ? `; one instance with ${solo.hosts} hosts: ${solo.api_cpu_pct[0]}% of one core, ${solo.api_rss_mb[0]} MB ` +
          `(goal < 50%, < 1024 MB), kept up: ${solo.kept_up ? 'yes' : 'NO'}`
        : ''),
  );
  say(
    JSON.stringify({
      bench: 'collector',
      instances: instanceCount,
      hosts: main?.hosts,
      vms: main?.vms,
      ratio_to_copy: main?.ratio_to_copy,
      sample_age_p99_ms: main?.sample_age_p99_ms,
      solo_hosts: solo?.hosts,
      solo_api_cpu_pct: solo?.api_cpu_pct[0],
      solo_api_rss_mb: solo?.api_rss_mb[0],
      solo_kept_up: solo?.kept_up,
      seconds,
      steps: results.map((s) => ({
        hosts: s.hosts,
        instances: s.instances,
        api_cpu_pct: s.api_cpu_pct,
        api_rss_mb: s.api_rss_mb,
        postgres_cpu_pct: s.postgres_cpu_pct,
        rows_per_s: s.rows_per_s,
        expected_rows_per_s: s.expected_rows_per_s,
        ratio_to_copy: s.ratio_to_copy,
        sample_age_p99_ms: s.sample_age_p99_ms,
        kept_up: s.kept_up,
      })),
    }),
  );
} finally {
  await Promise.all(apis.map((api) => api.stop()));
  await db.end().catch(() => undefined);
  for (const fleet of fleets) await fleet.stop();
  await postgres.stop();
  await scratch.remove();
}
