/**
 * chaos:takeover — three api instances on one PostgreSQL share a fleet of 60 hosts; each round
 * kill -9s the instance holding the most hosts and times how long until every one of its hosts is
 * collected again by a survivor (goal < 10 s), then restarts it and waits for the rebalance.
 * All along, every 250 ms, it checks that no host has two active owners, two ways:
 *  - the instances' own view: no host in two instances' `GET /api/collector/ownership`;
 *  - pg_locks: an instance never claims a host whose advisory lock another instance's connection holds.
 *
 * Then it freezes (SIGSTOP) the busiest instance: hung, not dead, its connections still open. The
 * others end its lock connection once its heartbeat is 8 s old and take over; woken up (SIGCONT),
 * it must fence itself before acting.
 *
 * Usage: npm run chaos:takeover [-- --rounds 5 --freeze-rounds 2 --hosts 60 --instances 3]
 * Last line: {"bench":"takeover","rounds":…,"max_takeover_s":…,"median_takeover_s":…,"double_owner":0}
 */
import { parseArgs } from 'node:util';
import pg from 'pg';
import { hostLockKey } from '@cockpit/api-hosts';
import { scratchDir, startApi, startFleet, startPostgres, type ApiProcess } from './cluster.js';
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
const LOCK_NAMESPACE = 7140;

const scratch = await scratchDir('chaos-takeover');
const postgres = await startPostgres(scratch.dir);
const fleet = await startFleet(scratch.dir, { hosts: hostCount, vmsPerHost: 2 });
const databaseUrl = postgres.url();
const db = new pg.Client({ connectionString: databaseUrl });
const instances = new Map<string, ApiProcess>();
let cookie = '';
let doubleOwner = 0;
let monitoring = true;

const launch = (id: string, enroll = false) =>
  startApi({
    DATABASE_URL: databaseUrl,
    DATA_DIR: scratch.dir,
    INSTANCE_ID: id,
    COCKPIT_ADMIN_PASSWORD: PASSWORD,
    ...(enroll ? { DEMO_FLEET_MANIFEST: fleet.manifestFile } : {}),
  });

/** Each live instance's own answer: which hosts it collects from. Unanswered (dead) instances own nothing. */
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
        // killed or not up yet
      }
    }),
  );
  return result;
}

/** Which instance's lock connection holds each host's advisory lock, by lock key. */
async function lockHolders(): Promise<Map<number, string>> {
  const rows = (
    await db.query(
      `SELECT l.objid::bigint AS key, a.application_name AS app FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
       WHERE l.locktype = 'advisory' AND l.classid = $1 AND l.granted`,
      [LOCK_NAMESPACE],
    )
  ).rows as { key: string; app: string }[];
  return new Map(rows.map((r) => [Number(r.key), r.app.replace(/^cockpit-locks /, '')]));
}

async function monitor(): Promise<void> {
  while (monitoring) {
    const before = await views();
    const holders = await lockHolders();
    const after = await views();
    const seen = new Map<string, string>();
    for (const [instance, hosts] of after) {
      for (const host of hosts) {
        const other = seen.get(host);
        if (other && before.get(other)?.has(host) && before.get(instance)?.has(host)) {
          doubleOwner += 1;
          say(`DOUBLE OWNER: host ${host} claimed by ${other} and ${instance}`);
        }
        seen.set(host, instance);
        const holder = holders.get(hostLockKey(host) >>> 0);
        if (before.get(instance)?.has(host) && holder !== undefined && holder !== instance) {
          doubleOwner += 1;
          say(`DOUBLE OWNER: ${instance} collects host ${host} while ${holder} holds its lock`);
        }
      }
    }
    await sleep(250);
  }
}

const takeovers: number[] = [];
try {
  await db.connect();
  for (let i = 1; i <= instanceCount; i++) {
    const id = `chaos-${i}`;
    instances.set(id, await launch(id, i === 1));
  }
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
  say(`chaos: ${instanceCount} api instances share ${hostCount} hosts; ${rounds} rounds of kill -9`);
  const monitoring$ = monitor();

  for (let round_ = 1; round_ <= rounds; round_++) {
    const v = await views();
    const [victimId, victimHosts] = [...v.entries()].sort((a, b) => b[1].size - a[1].size)[0] ?? ['', new Set<string>()];
    const victim = instances.get(victimId);
    if (!victim) throw new Error('no instance to kill');
    const killedAt = performance.now();
    victim.process.kill('SIGKILL');
    instances.delete(victimId);
    await waitFor(
      async () => {
        const survivors = await views();
        const covered = new Set([...survivors.values()].flatMap((hosts) => [...hosts]));
        return [...victimHosts].every((host) => covered.has(host));
      },
      30_000,
      `takeover of ${victimId}'s hosts`,
    );
    const seconds = (performance.now() - killedAt) / 1000;
    takeovers.push(seconds);
    say(`round ${round_}: killed ${victimId} (${victimHosts.size} hosts); all taken over in ${round(seconds, 2)} s`);
    instances.set(victimId, await launch(victimId));
    await waitFor(balanced, 60_000, 'rebalance after restart');
  }
  // A hung instance (SIGSTOP): alive to TCP, silent otherwise. The others end its lock connection
  // once its heartbeat is 8 s old; when it wakes up it must fence itself before doing anything.
  const freezes: number[] = [];
  for (let round_ = 1; round_ <= freezeRounds; round_++) {
    const v = await views();
    const [victimId, victimHosts] = [...v.entries()].sort((a, b) => b[1].size - a[1].size)[0] ?? ['', new Set<string>()];
    const victim = instances.get(victimId);
    if (!victim) throw new Error('no instance to freeze');
    const frozenAt = performance.now();
    victim.process.kill('SIGSTOP');
    try {
      await waitFor(
        async () => {
          const covered = new Set(
            [...(await views()).entries()].filter(([id]) => id !== victimId).flatMap(([, hosts]) => [...hosts]),
          );
          return [...victimHosts].every((host) => covered.has(host));
        },
        30_000,
        `takeover of frozen ${victimId}'s hosts`,
      );
    } finally {
      victim.process.kill('SIGCONT');
    }
    const seconds = (performance.now() - frozenAt) / 1000;
    freezes.push(seconds);
    say(`freeze ${round_}: stopped ${victimId} (${victimHosts.size} hosts); taken over in ${round(seconds, 2)} s; woken up`);
    await waitFor(balanced, 60_000, 'rebalance after waking');
  }
  monitoring = false;
  await monitoring$;
  const sorted = [...takeovers].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
  const max = sorted.at(-1) ?? 0;
  say(
    `takeover after kill -9: median ${round(median, 2)} s, max ${round(max, 2)} s (goal < 10 s); after a freeze: max ${round(Math.max(0, ...freezes), 2)} s; moments with two owners: ${doubleOwner} (must be 0)`,
  );
  say(
    JSON.stringify({
      bench: 'takeover',
      rounds,
      hosts: hostCount,
      instances: instanceCount,
      max_takeover_s: round(max, 2),
      median_takeover_s: round(median, 2),
      freeze_rounds: freezeRounds,
      max_freeze_takeover_s: round(Math.max(0, ...freezes), 2),
      double_owner: doubleOwner,
    }),
  );
  if (doubleOwner > 0 || max >= 10) process.exitCode = 1;
} finally {
  monitoring = false;
  await Promise.all([...instances.values()].map((api) => api.stop()));
  await db.end().catch(() => undefined);
  await fleet.stop();
  await postgres.stop();
  await scratch.remove();
}
