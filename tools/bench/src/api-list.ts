/**
 * bench:api-list — the VMs list at fleet size: 100,000 VMs (one disk and one NIC each) on 5,000
 * hosts, written straight into the real schema (the api's migrations ran first), then
 * `GET /api/vms?state=running&limit=100` through the built api in production mode, over HTTP:
 *  - as the administrator (everything visible),
 *  - as a user bound to the Viewer role on 50 hosts (the access filter in SQL),
 * first pages and pages further on (following nextCursor), p50/p95 each. Baseline in the same run:
 * the cheapest route through the same stack (`GET /api/info`). Goal: p95 < 20 ms.
 *
 * Usage: npm run bench:api-list [-- --hosts 5000 --vms-per-host 20 --requests 300]
 * Last line: {"bench":"api-list","vms":100000,"p95_ms":…,"scoped_p95_ms":…}
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { SecretBox } from '@cockpit/api-core';
import { BENCH_SECRET_KEY, scratchDir, startApi, startPostgres, type ApiProcess } from './cluster.js';
import { statementsReset, topStatements } from './collector-window.js';
import { percentile, round } from './proc.js';
import { Session } from './session.js';

const { values } = parseArgs({
  options: {
    hosts: { type: 'string', default: '5000' },
    'vms-per-host': { type: 'string', default: '20' },
    requests: { type: 'string', default: '300' },
    'scoped-hosts': { type: 'string', default: '50' },
    /** Print the statements PostgreSQL spent most time on during the measured rounds (pg_stat_statements). */
    'pg-stats': { type: 'boolean', default: false },
    /** Write a V8 CPU profile of the api process into this directory. */
    'cpu-prof': { type: 'string' },
  },
});
const hostCount = Number(values.hosts);
const vmsPerHost = Number(values['vms-per-host']);
const requests = Number(values.requests);
const scopedHosts = Number(values['scoped-hosts']);
const say = (line: string) => process.stdout.write(`${line}\n`);
const PASSWORD = 'api-list-admin-password';
const USER_PASSWORD = 'api-list-user-password-1';
const VIEWER_ROLE = '00000000-0000-4000-8000-00000000a004';

interface Page {
  items: { hostId: string; state: string }[];
  total: number;
  nextCursor: string | null;
}

/** Milliseconds per request, one at a time; checks every answer. */
async function timed(session: Session, paths: readonly string[], check: (page: Page) => void): Promise<number[]> {
  const times: number[] = [];
  for (const path of paths) {
    const started = performance.now();
    const answer = await session.call('GET', path);
    times.push(performance.now() - started);
    if (answer.status !== 200) throw new Error(`GET ${path} answered ${answer.status}`);
    check(answer.json as Page);
  }
  return times;
}

/** The request paths: first pages, and pages further on (their cursors collected beforehand). */
async function listPaths(session: Session, query: string): Promise<string[]> {
  const cursors: string[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 10; page++) {
    const answer = await session.call('GET', `/api/vms?${query}${cursor ? `&cursor=${cursor}` : ''}`);
    cursor = (answer.json as Page).nextCursor;
    if (!cursor) break;
    cursors.push(cursor);
  }
  return Array.from({ length: requests }, (_, i) =>
    i % 2 === 0 || !cursors.length ? `/api/vms?${query}` : `/api/vms?${query}&cursor=${cursors[i % cursors.length] ?? ''}`,
  );
}

const summary = (times: number[]) => {
  const sorted = [...times].sort((a, b) => a - b);
  return { p50: round(percentile(sorted, 50), 2), p95: round(percentile(sorted, 95), 2) };
};

const scratch = await scratchDir('bench-api-list');
const postgres = await startPostgres(
  scratch.dir,
  values['pg-stats'] ? { shared_preload_libraries: 'pg_stat_statements', 'pg_stat_statements.track': 'all' } : undefined,
);
const db = new pg.Client({ connectionString: postgres.url() });
let api: ApiProcess | undefined;
try {
  // The api migrates the empty database at start; then the fleet goes straight into its tables.
  api = await startApi(
    { DATABASE_URL: postgres.url(), DATA_DIR: scratch.dir, COCKPIT_ADMIN_PASSWORD: PASSWORD },
    values['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', path.resolve(values['cpu-prof'])] : [],
  );
  await db.connect();
  const started = performance.now();
  const token = new SecretBox(BENCH_SECRET_KEY).seal('benchmark-agent-token-not-used');
  // Disabled: nobody collects from these hosts (they do not exist), the lists show them all the same.
  await db.query(
    `INSERT INTO hosts (id, url, name, token, fingerprint, state, enabled, host_uuid)
     SELECT gen_random_uuid(), 'https://10.0.' || (n / 250) || '.' || (n % 250) || ':9443', 'host-' || lpad(n::text, 5, '0'),
       $2, 'AA:BB', 'disabled', false, gen_random_uuid()
     FROM generate_series(1, $1) AS n`,
    [hostCount, token],
  );
  // Most VMs run; the rest are shut off, paused or crashed, spread over every host.
  await db.query(
    `INSERT INTO vms (id, host_id, name, state, vcpus, memory_mib, cpu_model, cpu_features, generation, created_at, updated_at,
       cpu_percent, memory_used_mib, stats_at)
     SELECT gen_random_uuid(), h.id, h.name || '-vm' || lpad(k::text, 2, '0'),
       (ARRAY['running','running','running','running','running','running','running','running','shutoff','paused'])[1 + (hash % 10)],
       2, 4096, 'host-passthrough', ARRAY['vmx','avx2'], 1, now() - make_interval(mins => hash % 100000), now(),
       (hash % 100)::real, 2048, now()
     FROM (SELECT id, name, row_number() OVER (ORDER BY name) AS i FROM hosts) h,
          generate_series(1, $1) AS k,
          LATERAL (SELECT abs(hashtext(h.id::text || k))::int AS hash) x`,
    [vmsPerHost],
  );
  await db.query(
    `INSERT INTO vm_disks (vm_id, disk_id, pool_id, size_bytes, allocated_bytes, format, bus)
     SELECT id, 'vda', 'ceph-a', 42949672960, 10737418240, 'qcow2', 'virtio' FROM vms`,
  );
  await db.query(
    `INSERT INTO vm_nics (vm_id, nic_id, network_id, mac, model)
     SELECT id, 'net0', 'br-prod', '52:54:00:' || substr(md5(id::text), 1, 2) || ':' || substr(md5(id::text), 3, 2) || ':' ||
       substr(md5(id::text), 5, 2), 'virtio' FROM vms`,
  );
  await db.query('ANALYZE');
  const vms = Number(((await db.query('SELECT count(*)::int AS n FROM vms')).rows[0] as { n: number }).n);
  say(`api-list: ${vms} VMs on ${hostCount} hosts written in ${round((performance.now() - started) / 1000)} s`);

  const admin = new Session(api.url);
  await admin.login('admin', PASSWORD);
  const created = await admin.call('POST', '/api/users', { username: 'scoped', password: USER_PASSWORD });
  if (created.status !== 201) throw new Error(`creating the scoped user answered ${created.status}`);
  const userId = (created.json as { id: string }).id;
  const bound = ((await db.query('SELECT id FROM hosts ORDER BY random() LIMIT $1', [scopedHosts])).rows as { id: string }[]).map(
    (r) => r.id,
  );
  for (const hostId of bound) {
    const binding = await admin.call('POST', '/api/role-bindings', {
      subjectType: 'user',
      subjectId: userId,
      roleId: VIEWER_ROLE,
      scope: `/hosts/${hostId}`,
    });
    if (binding.status !== 201) throw new Error(`binding the scoped user answered ${binding.status}`);
  }
  const scoped = new Session(api.url);
  await scoped.login('scoped', USER_PASSWORD);
  const mine = new Set(bound);
  const query = 'state=running&limit=100';
  const adminPaths = await listPaths(admin, query);
  const scopedPaths = await listPaths(scoped, query);

  // Warm-up, then the measured runs, interleaved in rounds so both see the same machine.
  await timed(admin, adminPaths.slice(0, 20), () => undefined);
  await timed(scoped, scopedPaths.slice(0, 20), () => undefined);
  if (values['pg-stats']) await statementsReset(db);
  const adminTimes: number[] = [];
  const scopedTimes: number[] = [];
  const baseTimes: number[] = [];
  let adminTotal = 0;
  let scopedTotal = 0;
  for (let i = 0; i < requests; i += 50) {
    adminTimes.push(
      ...(await timed(admin, adminPaths.slice(i, i + 50), (page) => {
        adminTotal = page.total;
        if (page.items.length !== 100 || page.items.some((vm) => vm.state !== 'running'))
          throw new Error('not a page of running VMs');
      })),
    );
    scopedTimes.push(
      ...(await timed(scoped, scopedPaths.slice(i, i + 50), (page) => {
        scopedTotal = page.total;
        if (page.items.some((vm) => !mine.has(vm.hostId) || vm.state !== 'running')) throw new Error('a VM the user may not see');
      })),
    );
    for (let j = 0; j < 50; j++) {
      const t0 = performance.now();
      await admin.call('GET', '/api/info');
      baseTimes.push(performance.now() - t0);
    }
  }
  if (values['pg-stats']) for (const line of await topStatements(db, 12)) say(`  pg: ${line}`);
  const a = summary(adminTimes);
  const s = summary(scopedTimes);
  const b = summary(baseTimes);
  say(`admin: GET /api/vms?${query} (${adminTotal} match): p50 ${a.p50} ms, p95 ${a.p95} ms over ${adminTimes.length} requests`);
  say(`user bound on ${scopedHosts} hosts (${scopedTotal} match): p50 ${s.p50} ms, p95 ${s.p95} ms`);
  say(
    `baseline GET /api/info: p50 ${b.p50} ms, p95 ${b.p95} ms; ratio p95 ${round(a.p95 / b.p95, 1)}x (admin), ` +
      `${round(s.p95 / b.p95, 1)}x (scoped); goal p95 < 20 ms`,
  );
  say(
    JSON.stringify({
      bench: 'api-list',
      vms,
      hosts: hostCount,
      p50_ms: a.p50,
      p95_ms: a.p95,
      scoped_p50_ms: s.p50,
      scoped_p95_ms: s.p95,
      scoped_hosts: scopedHosts,
      baseline_p95_ms: b.p95,
      ratio_to_baseline: round(a.p95 / b.p95, 1),
      requests: adminTimes.length,
    }),
  );
} finally {
  if (api && values['cpu-prof']) {
    // Disconnecting makes the api close and exit by itself, which is when V8 writes the profile.
    const exited = new Promise((resolve) => api?.process.once('exit', resolve));
    api.process.disconnect();
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 30_000))]);
  }
  await api?.stop();
  await db.end().catch(() => undefined);
  await postgres.stop();
  await scratch.remove();
}
