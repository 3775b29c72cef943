/**
 * bench:migrations — 50 live migrations at once across a 20-host sim fleet through a real api
 * instance (the production build, its own PostgreSQL) with the default limits on (2 out and 2 in
 * per host, 16 in the fleet), then the evacuation of one host. Every VM really moves between the
 * agents (the sim's pre-copy model at `--bandwidth` MB/s each).
 *
 * Measured: wall seconds from the first POST until every migration has ended; the api process's
 * CPU over that window (the orchestrator: slots, pre-flight, following each host job every 500 ms,
 * progress events); progress event latency (from the moment the driver read the host's job to a
 * socket.io client receiving it) p50/p99, and the longest gap between two progress events of one
 * running migration. Limits, from the agents' side: every 100 ms each source host's running
 * migration jobs are read (outbound and fleet-wide); inbound per host from Cockpit's own table.
 * Unfinished: migrations not ended 5 minutes after the last POST.
 *
 * Baseline, same run, same fleet: the same 50 moves driven straight at the agents by this process
 * (migrate, then getJob every 500 ms) with the same three limits, so the ratio is what the
 * orchestrator costs over a minimal driver.
 *
 * Usage: npm run bench:migrations [-- --hosts 20 --migrations 50 --bandwidth 100]
 * Last line: {"bench":"migrations","migrations":50,"limit_exceeded":0,"unfinished":0,"orchestrator_cpu_pct":…,"progress_p99_ms":…}
 */
import { parseArgs } from 'node:util';
import pg from 'pg';
import { io } from 'socket.io-client';
import { VaporClient } from '@cockpit/vapor-client';
import { insertHosts, scratchDir, startApi, startFleet, startPostgres } from './cluster.js';
import { cpuSeconds, percentile, round, sleep, waitFor } from './proc.js';
import { Session } from './session.js';

const { values } = parseArgs({
  options: {
    hosts: { type: 'string', default: '20' },
    migrations: { type: 'string', default: '50' },
    bandwidth: { type: 'string', default: '100' },
  },
});
const hostCount = Number(values.hosts);
const count = Number(values.migrations);
const bandwidth = Number(values.bandwidth);
const LIMITS = { outbound: 2, inbound: 2, fleet: 16 };
const PASSWORD = 'migrations-bench-password';
const say = (line: string) => process.stdout.write(`${line}\n`);
const GiB = 1024 ** 3;

interface Move {
  vmId: string;
  from: string;
  to: string;
}

const scratch = await scratchDir('bench-migrations');
const postgres = await startPostgres(scratch.dir);
const fleet = await startFleet(scratch.dir, { hosts: hostCount, vmsPerHost: 0, seed: 42 });
const db = new pg.Pool({ connectionString: postgres.url(), max: 4 });
let api: Awaited<ReturnType<typeof startApi>> | undefined;
let failed = false;
try {
  api = await startApi({
    DATABASE_URL: postgres.url(),
    INSTANCE_ID: 'migrations-a',
    DATA_DIR: scratch.dir,
    COCKPIT_ADMIN_PASSWORD: PASSWORD,
  });
  await insertHosts(db, fleet.manifest);
  await waitFor(
    async () =>
      Number((await db.query("SELECT count(*)::int AS n FROM hosts WHERE state = 'connected'")).rows[0]?.n) === hostCount,
    60_000,
    'every host connected',
  );
  const hosts = (await db.query('SELECT id, host_uuid FROM hosts ORDER BY name')).rows as { id: string; host_uuid: string }[];
  const clients = new Map(
    hosts.map((host) => {
      const entry = fleet.manifest.hosts.find((candidate) => candidate.uuid === host.host_uuid);
      if (!entry) throw new Error(`no manifest entry for ${host.host_uuid}`);
      const endpoint = { url: entry.url, token: entry.token, fingerprint: entry.fingerprint };
      return [
        host.id,
        { client: new VaporClient({ baseUrl: entry.url, token: entry.token, fingerprint: entry.fingerprint }), endpoint },
      ];
    }),
  );
  // Hosts that mount the shared pool (the sim leaves it off every seventh): VMs live there.
  const shared: string[] = [];
  for (const host of hosts)
    if ((await clients.get(host.id)?.client.host())?.pools.some((pool) => pool.id === 'ceph-a')) shared.push(host.id);
  const session = new Session(api.url);
  await session.login('admin', PASSWORD);

  // 50 small VMs on shared storage, spread over the hosts; each moves to the next host.
  const vms: { id: string; hostId: string }[] = [];
  for (let index = 0; index < count; index++) {
    const hostId = shared[index % shared.length] as string;
    const answer = await session.call('POST', '/api/vms', {
      name: `mig-${String(index).padStart(3, '0')}`,
      vcpus: 1,
      memoryMiB: 512,
      disks: [{ poolId: 'ceph-a', sizeBytes: 4 * GiB }],
      nics: [{ networkId: 'br-mgmt' }],
      start: true,
      hostId,
    });
    if (answer.status !== 201) throw new Error(`create answered ${answer.status}: ${JSON.stringify(answer.json)}`);
    vms.push({ id: (answer.json as { vm: { id: string } }).vm.id, hostId });
  }
  const plan = (step: number): Move[] =>
    vms.map((vm) => {
      const at = shared.indexOf(vm.hostId);
      return { vmId: vm.id, from: vm.hostId, to: shared[(at + step) % shared.length] as string };
    });
  say(
    `bench:migrations: ${count} live migrations of 512 MiB VMs at ${bandwidth} MB/s each across ${shared.length} hosts, limits ${LIMITS.outbound} out / ${LIMITS.inbound} in per host, ${LIMITS.fleet} in the fleet`,
  );

  /** The agents' view: running outgoing migration jobs per source host; the most seen at once. */
  const watchAgents = () => {
    let stop = false;
    const peak = { outbound: 0, fleet: 0, inbound: 0, exceeded: 0 };
    const done = (async () => {
      while (!stop) {
        let fleetNow = 0;
        await Promise.all(
          [...clients.values()].map(async ({ client }) => {
            const running = (await client.listJobs().catch(() => [])).filter(
              (job) => job.type === 'migration' && job.state === 'running',
            ).length;
            fleetNow += running;
            peak.outbound = Math.max(peak.outbound, running);
            if (running > LIMITS.outbound) peak.exceeded++;
          }),
        );
        const inbound = (
          await db.query(
            `SELECT COALESCE(max(n), 0)::int AS n FROM (SELECT count(*) AS n FROM migrations WHERE state IN ('preflight', 'running', 'completing') GROUP BY target_host_id) x`,
          )
        ).rows[0] as { n: number };
        peak.inbound = Math.max(peak.inbound, inbound.n);
        if (inbound.n > LIMITS.inbound) peak.exceeded++;
        peak.fleet = Math.max(peak.fleet, fleetNow);
        if (fleetNow > LIMITS.fleet) peak.exceeded++;
        await sleep(100);
      }
    })();
    return { peak, stop: async () => ((stop = true), await done) };
  };

  /** Baseline: the same moves straight at the agents, with the same limits. */
  const direct = async (moves: Move[]) => {
    const watch = watchAgents();
    const own = process.cpuUsage();
    const started = performance.now();
    const out = new Map<string, number>();
    const into = new Map<string, number>();
    let active = 0;
    const queue = [...moves];
    const results: string[] = [];
    await new Promise<void>((resolve) => {
      const pump = () => {
        if (!queue.length && active === 0) return resolve();
        for (let index = 0; index < queue.length && active < LIMITS.fleet; index++) {
          const move = queue[index] as Move;
          if ((out.get(move.from) ?? 0) >= LIMITS.outbound || (into.get(move.to) ?? 0) >= LIMITS.inbound) continue;
          queue.splice(index--, 1);
          active++;
          out.set(move.from, (out.get(move.from) ?? 0) + 1);
          into.set(move.to, (into.get(move.to) ?? 0) + 1);
          void (async () => {
            const source = clients.get(move.from)?.client as VaporClient;
            const target = clients.get(move.to)?.endpoint as { url: string; token: string; fingerprint: string };
            let job = await source.migrate({ vmId: move.vmId, destination: target, options: { maxBandwidthMBps: bandwidth } });
            while (job.state === 'running') {
              await sleep(500);
              job = await source.getJob(job.id);
            }
            results.push(job.state);
          })()
            .catch((error: unknown) => results.push(String(error)))
            .finally(() => {
              active--;
              out.set(move.from, (out.get(move.from) ?? 1) - 1);
              into.set(move.to, (into.get(move.to) ?? 1) - 1);
              pump();
            });
        }
      };
      pump();
    });
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(own);
    await watch.stop();
    return { seconds, cpuS: (cpu.user + cpu.system) / 1e6, completed: results.filter((state) => state === 'completed').length };
  };

  // A socket.io client as the admin: progress events and their latency.
  const latencies: number[] = [];
  const lastSeen = new Map<string, number>();
  const gaps: number[] = [];
  const socket = io(api.url, {
    path: '/socket.io',
    transports: ['websocket'],
    extraHeaders: { Cookie: session.cookie },
    reconnection: false,
  });
  socket.on(
    'event',
    (event: { type: string; data: { migration?: { migrationId: string; state: string; progress: { at: string } | null } } }) => {
      const migration = event.type === 'job.progress' ? event.data.migration : undefined;
      if (!migration?.progress || migration.state !== 'running') return;
      const now = Date.now();
      latencies.push(now - Date.parse(migration.progress.at));
      const last = lastSeen.get(migration.migrationId);
      if (last !== undefined) gaps.push(now - last);
      lastSeen.set(migration.migrationId, now);
    },
  );
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  await new Promise((resolve) => socket.emit('subscribe', { scopes: ['/'] }, resolve));

  /** Through Cockpit: one POST per move, then until every migration has ended. */
  const viaApi = async (moves: Move[]) => {
    const watch = watchAgents();
    const apiPid = api?.process.pid ?? 0;
    const cpuBefore = await cpuSeconds(apiPid);
    const started = performance.now();
    const ids: string[] = [];
    for (const move of moves) {
      const answer = await session.call('POST', '/api/migrations', {
        vmId: move.vmId,
        targetHostId: move.to,
        options: { maxBandwidthMBps: bandwidth },
      });
      if (answer.status !== 202) throw new Error(`migration answered ${answer.status}: ${JSON.stringify(answer.json)}`);
      ids.push((answer.json as { id: string }).id);
    }
    const unfinished = async () =>
      Number(
        (
          await db.query(
            `SELECT count(*)::int AS n FROM migrations WHERE id = ANY($1) AND state NOT IN ('succeeded', 'failed', 'cancelled')`,
            [ids],
          )
        ).rows[0]?.n,
      );
    await waitFor(async () => (await unfinished()) === 0, 300_000, 'every migration ended').catch(() => undefined);
    const seconds = (performance.now() - started) / 1000;
    const cpuS = (await cpuSeconds(apiPid)) - cpuBefore;
    await watch.stop();
    const states = (await db.query('SELECT state, count(*)::int AS n FROM migrations WHERE id = ANY($1) GROUP BY state', [ids]))
      .rows as { state: string; n: number }[];
    return {
      seconds,
      cpuS,
      unfinished: await unfinished(),
      states: Object.fromEntries(states.map((row) => [row.state, row.n])),
      peak: watch.peak,
    };
  };

  const baseline = await direct(plan(1));
  say(
    `direct to the agents: ${round(baseline.seconds, 2)} s, ${baseline.completed}/${count} completed, this process ${round(baseline.cpuS, 2)} CPU s`,
  );
  // The inventory follows the agents' events: wait until it shows every VM where the baseline put it.
  for (const move of plan(1)) {
    const vm = vms.find((candidate) => candidate.id === move.vmId);
    if (vm) vm.hostId = move.to;
  }
  await waitFor(
    async () =>
      Number(
        (
          await db.query('SELECT count(*)::int AS n FROM vms WHERE id = ANY($1) AND host_id = ANY($2)', [
            vms.map((vm) => vm.id),
            shared,
          ])
        ).rows[0]?.n,
      ) === count &&
      (
        await Promise.all(
          vms.map(
            async (vm) =>
              (await db.query('SELECT host_id, state FROM vms WHERE id = $1', [vm.id])).rows[0] as
                { host_id: string; state: string } | undefined,
          ),
        )
      ).every((row, index) => row?.host_id === vms[index]?.hostId && row?.state === 'running'),
    60_000,
    'the inventory shows every VM on its new host',
  );
  const run = await viaApi(plan(1));
  say(
    `through the api: ${round(run.seconds, 2)} s, ${JSON.stringify(run.states)}, unfinished ${run.unfinished}; api CPU ${round(run.cpuS, 2)} s (${round((run.cpuS / run.seconds) * 100)}% of one core); agents saw at most ${run.peak.outbound} out per host, ${run.peak.inbound} in per host, ${run.peak.fleet} in the fleet; over the limits ${run.peak.exceeded} times`,
  );

  // Evacuation of the busiest host, through the api.
  const [busiest] = (await db.query('SELECT host_id, count(*)::int AS n FROM vms GROUP BY host_id ORDER BY n DESC LIMIT 1'))
    .rows as { host_id: string; n: number }[];
  const evacStarted = performance.now();
  const evac = await session.call('POST', `/api/hosts/${busiest?.host_id}/evacuation`, {
    dryRun: false,
    options: { maxBandwidthMBps: bandwidth },
  });
  const evacIds = (evac.json as { migrations: string[] }).migrations ?? [];
  await waitFor(
    async () =>
      Number(
        (
          await db.query(
            `SELECT count(*)::int AS n FROM migrations WHERE id = ANY($1) AND state NOT IN ('succeeded', 'failed', 'cancelled')`,
            [evacIds],
          )
        ).rows[0]?.n,
      ) === 0,
    300_000,
    'the evacuation ended',
  ).catch(() => undefined);
  const evacSeconds = (performance.now() - evacStarted) / 1000;
  const left = Number((await db.query('SELECT count(*)::int AS n FROM vms WHERE host_id = $1', [busiest?.host_id])).rows[0]?.n);
  const evacUnfinished = Number(
    (
      await db.query(
        `SELECT count(*)::int AS n FROM migrations WHERE id = ANY($1) AND state NOT IN ('succeeded', 'failed', 'cancelled')`,
        [evacIds],
      )
    ).rows[0]?.n,
  );
  say(
    `evacuation of a host with ${busiest?.n} VMs: ${evacIds.length} moves in ${round(evacSeconds, 2)} s, ${left} VMs left on it, unfinished ${evacUnfinished}`,
  );
  socket.close();

  const sorted = [...latencies].sort((a, b) => a - b);
  const p50 = percentile(sorted, 50);
  const p99 = percentile(sorted, 99);
  const maxGap = Math.max(0, ...gaps);
  say(
    `progress events: ${latencies.length}, latency p50 ${round(p50)} ms, p99 ${round(p99)} ms; longest gap between two of one migration ${maxGap} ms`,
  );
  const unfinished = run.unfinished + evacUnfinished;
  failed = run.peak.exceeded > 0 || unfinished > 0 || (run.states['succeeded'] ?? 0) !== count;
  say(
    JSON.stringify({
      bench: 'migrations',
      migrations: count,
      limit_exceeded: run.peak.exceeded,
      unfinished,
      orchestrator_cpu_pct: round((run.cpuS / run.seconds) * 100),
      progress_p99_ms: round(p99),
      progress_p50_ms: round(p50),
      progress_max_gap_ms: maxGap,
      seconds: round(run.seconds, 2),
      baseline_seconds: round(baseline.seconds, 2),
      ratio_to_baseline: round(run.seconds / baseline.seconds, 2),
      succeeded: run.states['succeeded'] ?? 0,
      peak_out_per_host: run.peak.outbound,
      peak_in_per_host: run.peak.inbound,
      peak_fleet: run.peak.fleet,
      evacuation: { moves: evacIds.length, seconds: round(evacSeconds, 2), left_on_host: left, unfinished: evacUnfinished },
    }),
  );
} finally {
  await db.end().catch(() => undefined);
  await api?.stop();
  await fleet.stop();
  await postgres.stop();
  await scratch.remove();
}
if (failed) process.exitCode = 1;
