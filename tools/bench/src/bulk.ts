/**
 * bench:bulk — start 1,000 VMs across 100 simulated hosts with at most 4 at once per host,
 * through the REST API of a real api instance (the production build, its own PostgreSQL):
 * `POST /api/vms/bulk-actions` with the VMs' ids, then the job is watched at `/api/jobs/{id}`.
 * Seconds from the POST until the job has finished AND every VM runs on its agent.
 *
 * The fleet (tools/bench/src/observed-fleet.ts) is the real agent, one per host on its own port,
 * over a simulation whose every VM action takes `--action-ms` (a hypervisor's time to start a VM)
 * and is counted inside the driver: the most actions at once per host (exact, every action passes
 * there), the actions that began while the limit was already running (limit_exceeded), and the
 * actions per VM (a VM asked twice is a double). Lost: targets without a result, or VMs not running
 * on their agent at the end.
 *
 * Baseline, same run, same fleet: the same 1,000 starts sent straight to the agents by this
 * process with the same per-host concurrency (4 workers per host, VaporClient over pinned TLS).
 *
 * Usage: npm run bench:bulk [-- --hosts 100 --vms-per-host 10 --limit 4 --action-ms 250 --rounds 1]
 * Last line: {"bench":"bulk","vms":1000,"seconds":…,"limit_exceeded":0,"lost":0,…}
 */
import { fork } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { VaporClient } from '@cockpit/vapor-client';
import { insertHosts, ROOT, scratchDir, startApi, startPostgres, stopProcess } from './cluster.js';
import type { ActionReport, ObservedFleetMessage, ObservedFleetOptions, ObservedFleetReply } from './observed-fleet.js';
import { statementsReset, topStatements } from './collector-window.js';
import { cpuSeconds, round, serverCpuSeconds, sleep, waitFor } from './proc.js';
import { Session } from './session.js';

const { values } = parseArgs({
  options: {
    hosts: { type: 'string', default: '100' },
    'vms-per-host': { type: 'string', default: '10' },
    limit: { type: 'string', default: '4' },
    'action-ms': { type: 'string', default: '250' },
    rounds: { type: 'string', default: '1' },
    /** Print the statements PostgreSQL spent most time on during the api run (pg_stat_statements). */
    'pg-stats': { type: 'boolean', default: false },
    /** Write a V8 CPU profile of the api process into this directory. */
    'cpu-prof': { type: 'string' },
  },
});
const hostCount = Number(values.hosts);
const vmsPerHost = Number(values['vms-per-host']);
const limit = Number(values.limit);
const actionMs = Number(values['action-ms']);
const rounds = Number(values.rounds);
const vmCount = hostCount * vmsPerHost;
const say = (line: string) => process.stdout.write(`${line}\n`);
const PASSWORD = 'bulk-bench-admin-password';

/** The observed fleet process and its IPC. */
async function startObservedFleet(dir: string, options: Omit<ObservedFleetOptions, 'dataDir'>) {
  const dataDir = path.join(dir, 'observed-fleet');
  await mkdir(dataDir, { recursive: true });
  const child = fork(path.join(ROOT, 'tools/bench/dist/observed-fleet.js'), [JSON.stringify({ ...options, dataDir })], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const next = <T extends ObservedFleetReply['type']>(type: T) =>
    new Promise<Extract<ObservedFleetReply, { type: T }>>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`observed fleet exited with ${code}`));
      const onMessage = (reply: ObservedFleetReply) => {
        if (reply.type !== type) return;
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(reply as Extract<ObservedFleetReply, { type: T }>);
      };
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  const ask = async <T extends ObservedFleetReply['type']>(message: ObservedFleetMessage, answer: T) => {
    const reply = next(answer);
    child.send(message);
    return reply;
  };
  const ready = await next('ready');
  return {
    process: child,
    manifest: ready.manifest,
    stop: () => stopProcess(child),
    reset: () => ask({ type: 'reset' }, 'reset'),
    report: async () => (await ask({ type: 'report' }, 'report')).report,
    states: async () => (await ask({ type: 'states' }, 'states')).states,
    powerOffAll: async () => (await ask({ type: 'power-off-all' }, 'powered-off')).count,
  };
}

interface Job {
  id: string;
  state: string;
  attempts: number;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  progress: { total: number; done: number; succeeded: number; failed: number };
}
interface Target {
  targetId: string;
  state: string;
  message: string | null;
}

/** What the driver counts said about one run. */
function judge(report: ActionReport, states: Record<string, string>, vmIds: readonly string[]) {
  const asked = vmIds.map((id) => report.actionsPerVm[id] ?? 0);
  return {
    maxInFlight: Math.max(0, ...Object.values(report.maxInFlight)),
    exceeded: report.exceeded,
    doubles: asked.filter((count) => count > 1).length,
    unasked: asked.filter((count) => count === 0).length,
    notRunning: vmIds.filter((id) => states[id] !== 'running').length,
    refused: report.refused,
  };
}

interface Cpu {
  api: number;
  postgres: number;
  fleet: number;
  bench: number;
}
const cpuSpent = (before: Cpu, after: Cpu) => ({
  api: round(after.api - before.api, 2),
  postgres: round(after.postgres - before.postgres, 2),
  fleet: round(after.fleet - before.fleet, 2),
  bench: round(after.bench - before.bench, 2),
});
const cpuText = (cpu: Cpu) => `CPU s: api ${cpu.api}, PostgreSQL ${cpu.postgres}, fleet ${cpu.fleet}, this process ${cpu.bench}`;

const scratch = await scratchDir('bench-bulk');
const postgres = await startPostgres(
  scratch.dir,
  values['pg-stats'] ? { shared_preload_libraries: 'pg_stat_statements', 'pg_stat_statements.track': 'all' } : undefined,
);
const fleet = await startObservedFleet(scratch.dir, { hosts: hostCount, vmsPerHost, seed: 42, actionMs, limit });
const databaseUrl = postgres.url();
const db = new pg.Client({ connectionString: databaseUrl });
let api: Awaited<ReturnType<typeof startApi>> | undefined;
let failed = false;
try {
  await fleet.powerOffAll();
  api = await startApi(
    { DATABASE_URL: databaseUrl, INSTANCE_ID: 'bulk-a', DATA_DIR: scratch.dir, COCKPIT_ADMIN_PASSWORD: PASSWORD },
    values['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', path.resolve(values['cpu-prof'])] : [],
  );
  await db.connect();
  await insertHosts(db, fleet.manifest);
  const inventoryOff = async () =>
    Number((await db.query("SELECT count(*)::int AS n FROM vms WHERE state = 'shutoff'")).rows[0]?.n ?? 0) === vmCount;
  await waitFor(
    async () =>
      Number((await db.query("SELECT count(*)::int AS n FROM hosts WHERE state = 'connected'")).rows[0]?.n ?? 0) === hostCount &&
      (await inventoryOff()),
    120_000,
    'every host connected and every VM in the inventory',
  );
  const vmIds = ((await db.query('SELECT id FROM vms ORDER BY name')).rows as { id: string }[]).map((row) => row.id);
  const hostOfVm = new Map(
    (
      (await db.query('SELECT v.id, h.host_uuid FROM vms v JOIN hosts h ON h.id = v.host_id')).rows as {
        id: string;
        host_uuid: string;
      }[]
    ).map((row) => [row.id, row.host_uuid]),
  );
  const apiPid = api.process.pid ?? 0;
  const cpuNow = async (): Promise<Cpu> => {
    const own = process.cpuUsage();
    return {
      api: await cpuSeconds(apiPid),
      postgres: await serverCpuSeconds(postgres.pid ?? 0),
      fleet: await cpuSeconds(fleet.process.pid ?? 0),
      bench: (own.user + own.system) / 1e6,
    };
  };
  const session = new Session(api.url);
  await session.login('admin', PASSWORD);
  say(
    `bench:bulk: ${vmCount} VMs on ${hostCount} hosts, start with at most ${limit} at once per host, each action ${actionMs} ms at the hypervisor (ideal ${round((Math.ceil(vmsPerHost / limit) * actionMs) / 1000, 2)} s)`,
  );

  /** Straight to the agents: `limit` workers per host, each taking the host's next VM. */
  const direct = async () => {
    await fleet.reset();
    const cpuBefore = await cpuNow();
    const started = performance.now();
    await Promise.all(
      fleet.manifest.hosts.map(async (host) => {
        const client = new VaporClient({ baseUrl: host.url, token: host.token, fingerprint: host.fingerprint });
        const queue = vmIds.filter((id) => hostOfVm.get(id) === host.uuid);
        await Promise.all(
          Array.from({ length: limit }, async () => {
            for (let id = queue.shift(); id; id = queue.shift()) await client.act(id, 'start');
          }),
        );
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const cpu = cpuSpent(cpuBefore, await cpuNow());
    return { seconds, cpu, ...judge(await fleet.report(), await fleet.states(), vmIds), lost: 0 };
  };

  /** Through Cockpit: one bulk job, watched until it has finished and the agents run every VM. */
  const viaApi = async () => {
    await fleet.reset();
    if (values['pg-stats']) await statementsReset(db);
    const cpuBefore = await cpuNow();
    const started = performance.now();
    const answer = await session.call('POST', '/api/vms/bulk-actions', { action: 'start', vmIds, perHost: limit });
    const submitMs = performance.now() - started;
    if (answer.status !== 202) throw new Error(`bulk action answered ${answer.status}: ${JSON.stringify(answer.json)}`);
    const jobId = (answer.json as Job).id;
    let job = answer.json as Job;
    let states: Record<string, string> = {};
    const deadline = Date.now() + 600_000;
    for (;;) {
      job = (await session.call('GET', `/api/jobs/${jobId}`)).json as Job;
      if (['succeeded', 'failed', 'cancelled'].includes(job.state)) {
        states = await fleet.states();
        if (vmIds.every((id) => states[id] === 'running') || job.state !== 'succeeded') break;
      }
      if (Date.now() > deadline) throw new Error(`job ${jobId} not finished within 10 minutes`);
      await sleep(50);
    }
    const seconds = (performance.now() - started) / 1000;
    const cpu = cpuSpent(cpuBefore, await cpuNow());
    if (values['pg-stats']) for (const line of await topStatements(db, 12)) say(`  pg: ${line}`);
    let page = (await session.call('GET', `/api/jobs/${jobId}/targets?limit=1000`)).json as {
      items: Target[];
      nextCursor: string | null;
    };
    const all: Target[] = [...page.items];
    while (page.nextCursor) {
      page = (await session.call('GET', `/api/jobs/${jobId}/targets?limit=1000&cursor=${page.nextCursor}`)).json as typeof page;
      all.push(...page.items);
    }
    const withResult = new Set(
      all.filter((target) => target.state === 'succeeded' || target.state === 'failed').map((t) => t.targetId),
    );
    const judged = judge(await fleet.report(), states, vmIds);
    return {
      seconds,
      ...judged,
      lost: vmIds.filter((id) => !withResult.has(id)).length + judged.notRunning,
      jobState: job.state,
      failedTargets: job.progress.failed,
      submitMs,
      queuedMs: Date.parse(job.startedAt ?? '') - Date.parse(job.createdAt),
      runMs: Date.parse(job.finishedAt ?? '') - Date.parse(job.startedAt ?? ''),
      cpu,
    };
  };

  const results: { api: Awaited<ReturnType<typeof viaApi>>; direct: Awaited<ReturnType<typeof direct>> }[] = [];
  for (let index = 0; index < rounds; index++) {
    const base = await direct();
    say(
      `round ${index + 1}: direct to the agents ${round(base.seconds, 2)} s (most at once on a host ${base.maxInFlight}, exceeded ${base.exceeded}, not running ${base.notRunning}; ${cpuText(base.cpu)})`,
    );
    await fleet.powerOffAll();
    await waitFor(inventoryOff, 60_000, 'the inventory shows every VM off again');
    const run = await viaApi();
    say(
      `round ${index + 1}: through the api ${round(run.seconds, 2)} s (POST answered in ${round(run.submitMs)} ms, queued ${run.queuedMs} ms, job ran ${round(run.runMs / 1000, 2)} s; ${cpuText(run.cpu)}); job ${run.jobState}, most at once on a host ${run.maxInFlight}, exceeded ${run.exceeded}, VMs asked twice ${run.doubles}, never asked ${run.unasked}, lost ${run.lost}`,
    );
    results.push({ api: run, direct: base });
    await fleet.powerOffAll();
    await waitFor(inventoryOff, 60_000, 'the inventory shows every VM off again');
  }
  const best = results.reduce((a, b) => (b.api.seconds < a.api.seconds ? b : a));
  const worst = results.reduce((a, b) => (b.api.seconds > a.api.seconds ? b : a));
  const exceeded = results.reduce((sum, r) => sum + r.api.exceeded, 0);
  const lost = results.reduce((sum, r) => sum + r.api.lost, 0);
  const doubles = results.reduce((sum, r) => sum + r.api.doubles, 0);
  const ratio = best.api.seconds / best.direct.seconds;
  say(
    `through the api: ${round(best.api.seconds, 2)} s${rounds > 1 ? ` (best of ${rounds}; worst ${round(worst.api.seconds, 2)} s)` : ''}; direct: ${round(best.direct.seconds, 2)} s; ratio ${round(ratio, 2)}x; limit exceeded ${exceeded}, lost ${lost}, doubles ${doubles}`,
  );
  failed = exceeded > 0 || lost > 0 || doubles > 0;
  say(
    JSON.stringify({
      bench: 'bulk',
      vms: vmCount,
      seconds: round(best.api.seconds, 2),
      limit_exceeded: exceeded,
      lost,
      hosts: hostCount,
      limit,
      action_ms: actionMs,
      max_in_flight_per_host: Math.max(...results.map((r) => r.api.maxInFlight)),
      doubles,
      baseline_seconds: round(best.direct.seconds, 2),
      ratio_to_baseline: round(ratio, 2),
      ideal_seconds: round((Math.ceil(vmsPerHost / limit) * actionMs) / 1000, 2),
      submit_ms: round(best.api.submitMs),
      queued_ms: best.api.queuedMs,
      cpu_s: best.api.cpu,
      baseline_cpu_s: best.direct.cpu,
      rounds,
    }),
  );
} finally {
  await db.end().catch(() => undefined);
  if (api && values['cpu-prof']) {
    // Disconnecting makes the api close and exit by itself, which is when V8 writes the profile.
    const exited = new Promise((resolve) => api?.process.once('exit', resolve));
    api.process.disconnect();
    const stopped = await Promise.race([exited.then(() => true), sleep(30_000).then(() => false)]);
    say(stopped ? `api CPU profile in ${path.resolve(values['cpu-prof'])}` : 'the api did not exit within 30 s: no CPU profile');
  }
  await api?.stop();
  await fleet.stop();
  await postgres.stop();
  await scratch.remove();
}
if (failed) process.exitCode = 1;
