/**
 * chaos:takeover — three api instances on one PostgreSQL share a fleet of 60 hosts. Each round
 * kill -9s the instance holding the most hosts and times how long until every one of its hosts is
 * collected again: until a survivor has *stored* a sample of it (the samples table, by commit
 * timestamp), not until some instance says it owns it. Goal < 3 s. Then it restarts the victim and
 * waits for the rebalance. Freeze rounds do the same with SIGSTOP (hung, not dead, its connections
 * still open) and SIGCONT once the hosts are collected again; goal < 8 s.
 *
 * The double-owner oracle is the agents': every Vapor agent records which Cockpit instances follow
 * each host's event stream (the collector names itself in X-Cockpit-Instance) and every time two
 * did at once, however briefly (GET /followers on its loopback admin). Any overlap is a double owner.
 *
 * Usage: npm run chaos:takeover [-- --rounds 5 --freeze-rounds 2 --hosts 60 --instances 3]
 * Last line: {"bench":"takeover","oracle":"agent","max_takeover_s":…,"max_freeze_takeover_s":…,"double_owner":0,…}
 */
import { parseArgs } from 'node:util';
import pg from 'pg';
import type { FollowersReport } from '@cockpit/vapor-agent';
import { freePort, insertHosts, scratchDir, startApi, startFleet, startPostgres, type ApiProcess } from './cluster.js';
import { round, sleep, waitFor } from './proc.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    hosts: { type: 'string', default: '60' },
    instances: { type: 'string', default: '3' },
    'freeze-rounds': { type: 'string', default: '2' },
  },
});
const rounds = Number(values.rounds);
const hostCount = Number(values.hosts);
const instanceCount = Number(values.instances);
const freezeRounds = Number(values['freeze-rounds']);
const say = (line: string) => process.stdout.write(`${line}\n`);
const PASSWORD = 'chaos-admin-password';
const KILL_GOAL_S = 3;
const FREEZE_GOAL_S = 8;

const scratch = await scratchDir('chaos-takeover');
const postgres = await startPostgres(scratch.dir, { track_commit_timestamp: 'on' });
const adminPort = await freePort();
const fleet = await startFleet(scratch.dir, { hosts: hostCount, vmsPerHost: 2, adminPort });
const databaseUrl = postgres.url();
const db = new pg.Client({ connectionString: databaseUrl });
const instances = new Map<string, ApiProcess>();
let cookie = '';

const launch = (id: string) =>
  startApi({ DATABASE_URL: databaseUrl, DATA_DIR: scratch.dir, INSTANCE_ID: id, COCKPIT_ADMIN_PASSWORD: PASSWORD });

/** The agents' record of who followed each host's event stream, and every overlap. */
async function oracle(): Promise<FollowersReport> {
  const response = await fetch(`http://127.0.0.1:${adminPort}/followers`, {
    headers: { Authorization: `Bearer ${fleet.manifest.hosts[0]?.token ?? ''}`, 'Content-Type': 'application/json' },
  });
  if (!response.ok) throw new Error(`the fleet's followers oracle answered ${response.status}`);
  return (await response.json()) as FollowersReport;
}

/** Each live instance's own answer: which hosts it collects from. Unanswered (dead, frozen) instances own nothing. */
async function views(): Promise<Map<string, Set<string>>> {
  const result = new Map<string, Set<string>>();
  await Promise.all(
    [...instances.values()].map(async (api) => {
      try {
        const response = await fetch(`${api.url}/api/collector/ownership`, {
          headers: { Cookie: cookie },
          signal: AbortSignal.timeout(2000),
        });
        if (response.ok) result.set(api.instanceId, new Set(((await response.json()) as { hosts: string[] }).hosts));
      } catch {
        // killed, frozen or not up yet
      }
    }),
  );
  return result;
}

/**
 * Seconds from `since` until each host had a sample committed after it (commit timestamps: the
 * moment it became durable), once every host has one; a dead or frozen owner commits nothing.
 */
async function collectedAgain(hostIds: readonly string[], since: Date, what: string): Promise<number> {
  let seconds = 0;
  await waitFor(
    async () => {
      const rows = (
        await db.query(
          `SELECT host_id, extract(epoch FROM min(pg_xact_commit_timestamp(xmin)) - $2::timestamptz) AS s FROM host_samples
           WHERE host_id = ANY($1::uuid[]) AND ts > $2::timestamptz - interval '30 seconds'
             AND pg_xact_commit_timestamp(xmin) > $2::timestamptz GROUP BY host_id`,
          [hostIds, since.toISOString()],
        )
      ).rows as { host_id: string; s: string }[];
      seconds = Math.max(0, ...rows.map((r) => Number(r.s)));
      return rows.length === hostIds.length;
    },
    30_000,
    what,
  );
  return seconds;
}

const busiest = async () => {
  const [id, hosts] = [...(await views()).entries()].sort((a, b) => b[1].size - a[1].size)[0] ?? ['', new Set<string>()];
  const api = instances.get(id);
  if (!api) throw new Error('no instance to break');
  return { id, api, hosts: [...hosts] };
};

try {
  await db.connect();
  for (let i = 1; i <= instanceCount; i++) instances.set(`chaos-${i}`, await launch(`chaos-${i}`));
  await insertHosts(db, fleet.manifest);
  const first = [...instances.values()][0];
  const login = await fetch(`${first?.url ?? ''}/api/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: PASSWORD }),
  });
  cookie = (login.headers.getSetCookie()[0] ?? '').split(';')[0] ?? '';
  const fairShare = Math.ceil(hostCount / instanceCount);
  const balanced = async () => {
    const v = await views();
    const owned = [...v.values()].reduce((sum, hosts) => sum + hosts.size, 0);
    return v.size === instanceCount && owned === hostCount && [...v.values()].every((hosts) => hosts.size <= fairShare);
  };
  await waitFor(balanced, 60_000, 'hosts spread over the instances');
  await sleep(6000); // every host has stored samples under its first owner
  say(`chaos: ${instanceCount} api instances share ${hostCount} hosts; ${rounds} rounds of kill -9, ${freezeRounds} of SIGSTOP`);

  const takeovers: number[] = [];
  for (let n = 1; n <= rounds; n++) {
    const victim = await busiest();
    const killedAt = new Date();
    victim.api.process.kill('SIGKILL');
    instances.delete(victim.id);
    const seconds = await collectedAgain(victim.hosts, killedAt, `samples from ${victim.id}'s hosts after kill -9`);
    takeovers.push(seconds);
    say(
      `round ${n}: killed ${victim.id} (${victim.hosts.length} hosts); every one collected again (a sample stored) in ${round(seconds, 2)} s`,
    );
    instances.set(victim.id, await launch(victim.id));
    await waitFor(balanced, 60_000, 'rebalance after restart');
    await sleep(2000);
  }
  const freezes: number[] = [];
  for (let n = 1; n <= freezeRounds; n++) {
    const victim = await busiest();
    const frozenAt = new Date();
    victim.api.process.kill('SIGSTOP');
    let seconds: number;
    try {
      seconds = await collectedAgain(victim.hosts, frozenAt, `samples from frozen ${victim.id}'s hosts`);
    } finally {
      victim.api.process.kill('SIGCONT');
    }
    freezes.push(seconds);
    say(`freeze ${n}: stopped ${victim.id} (${victim.hosts.length} hosts); collected again in ${round(seconds, 2)} s; woken up`);
    await waitFor(balanced, 60_000, 'rebalance after waking');
    await sleep(2000);
  }
  await sleep(1000);
  const report = await oracle();
  const streams = Object.values(report.hosts).reduce((sum, host) => sum + host.streams.length, 0);
  const followed = Object.values(report.hosts).filter((host) => Object.keys(host.now).length === 1).length;
  for (const overlap of report.overlaps)
    say(
      `DOUBLE OWNER: host ${overlap.hostUuid} followed by ${overlap.instances.join(' and ')} for ${overlap.ms} ms from ${overlap.startedAt}`,
    );
  const sorted = [...takeovers].sort((a, b) => a - b);
  const max = sorted.at(-1) ?? 0;
  const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
  const maxFreeze = Math.max(0, ...freezes);
  say(
    `oracle (the agents): ${streams} event streams opened over the run, ${followed}/${hostCount} hosts followed by exactly one instance now; ` +
      `overlaps of two instances on one host: ${report.overlaps.length} (${report.overlapMs} ms in all; must be 0)`,
  );
  say(
    `collecting again after kill -9: median ${round(median, 2)} s, max ${round(max, 2)} s (goal < ${KILL_GOAL_S} s); ` +
      `after a freeze: max ${round(maxFreeze, 2)} s (goal < ${FREEZE_GOAL_S} s)`,
  );
  say(
    JSON.stringify({
      bench: 'takeover',
      oracle: 'agent',
      rounds,
      hosts: hostCount,
      instances: instanceCount,
      max_takeover_s: round(max, 2),
      median_takeover_s: round(median, 2),
      freeze_rounds: freezeRounds,
      max_freeze_takeover_s: round(maxFreeze, 2),
      double_owner: report.overlaps.length,
      overlap_ms: report.overlapMs,
    }),
  );
  if (report.overlaps.length > 0 || max >= KILL_GOAL_S || maxFreeze >= FREEZE_GOAL_S) process.exitCode = 1;
} finally {
  await Promise.all([...instances.values()].map((api) => api.stop()));
  await db.end().catch(() => undefined);
  await fleet.stop();
  await postgres.stop();
  await scratch.remove();
}
