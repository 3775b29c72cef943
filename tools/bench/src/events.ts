/**
 * bench:events — two api instances on one PostgreSQL, a fleet whose VMs change state at 2,000
 * events/s in total, 200 socket.io clients split across the instances, each following one host.
 * Latency: from the agent's event (its timestamp) to a client on the instance that does NOT own
 * the host (the event crossed instances through PostgreSQL NOTIFY); the baseline, in the same run,
 * is the clients on the owning instance. Lost, counted from the generator's side: every VM state
 * change the simulated hosts made in the window (the fleet process records them) that a client
 * following that host did not get (matched by VM, state and the agent's timestamp); also, as
 * before, the events Cockpit stored in the window that a client did not get. And
 * `pg_notification_queue_usage()` at the end.
 *
 * Usage: npm run bench:events [-- --seconds 20 --rate 2000 --clients 200 --hosts 100]
 * Last line: {"bench":"events","events_per_s":…,"p50_ms":…,"p99_ms":…,"lost":…,"notify_queue_usage":…}
 */
import { parseArgs } from 'node:util';
import pg from 'pg';
import { io, type Socket } from 'socket.io-client';
import { insertHosts, scratchDir, startApi, startPostgres, startRecordingFleet, type ApiProcess } from './cluster.js';
import { percentile, round, sleep, waitFor } from './proc.js';
import type { Change } from './sim-fleet.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '20' },
    rate: { type: 'string', default: '2000' },
    clients: { type: 'string', default: '200' },
    hosts: { type: 'string', default: '100' },
  },
});
const seconds = Number(values.seconds);
const rate = Number(values.rate);
const clientCount = Number(values.clients);
const hostCount = Number(values.hosts);
const say = (line: string) => process.stdout.write(`${line}\n`);
const PASSWORD = 'events-bench-password';

interface Received {
  seq: number;
  vmId: string;
  state: string;
  /** The agent's timestamp of the change. */
  at: number;
  latencyMs: number;
  /** Of which: agent → stored in Cockpit (collector, database). */
  ingestMs: number;
}

/**
 * Changes the generator made that the client never got, matched per VM by state and time: the
 * fleet stamps each change just before the agent does (its `ts`, which Cockpit passes on as `at`).
 */
function missing(made: readonly Change[], got: readonly Received[]): number {
  const byVm = new Map<string, Received[]>();
  for (const event of got) (byVm.get(event.vmId) ?? byVm.set(event.vmId, []).get(event.vmId))?.push(event);
  let lost = 0;
  for (const [vmId, state, at] of made) {
    const candidates = byVm.get(vmId) ?? [];
    const index = candidates.findIndex((event) => event.state === state && Math.abs(event.at - at) <= 5);
    if (index === -1) lost += 1;
    else candidates.splice(index, 1);
  }
  return lost;
}

const scratch = await scratchDir('bench-events');
const postgres = await startPostgres(scratch.dir);
const fleet = await startRecordingFleet(scratch.dir, {
  hosts: hostCount,
  vmsPerHost: 20,
  seed: 42,
  statsIntervalMs: 5000,
  churnPerSecond: rate,
});
const databaseUrl = postgres.url();
const db = new pg.Client({ connectionString: databaseUrl });
const apis: ApiProcess[] = [];
const sockets: Socket[] = [];
try {
  const env = { DATABASE_URL: databaseUrl, DATA_DIR: scratch.dir, COCKPIT_ADMIN_PASSWORD: PASSWORD };
  apis.push(await startApi({ ...env, INSTANCE_ID: 'events-a' }));
  apis.push(await startApi({ ...env, INSTANCE_ID: 'events-b' }));
  await db.connect();
  await insertHosts(db, fleet.manifest);
  await waitFor(
    async () =>
      Number(
        (await db.query("SELECT count(*) AS n FROM hosts WHERE state = 'connected' AND owner_instance IS NOT NULL")).rows[0]?.n ??
          0,
      ) >= hostCount,
    120_000,
    'all hosts connected',
  );
  await sleep(5000); // let the two instances settle their shares
  const rows = (await db.query('SELECT id, owner_instance, host_uuid FROM hosts')).rows as {
    id: string;
    owner_instance: string;
    host_uuid: string;
  }[];
  const owners = new Map(rows.map((r) => [r.id, r.owner_instance]));
  const uuids = new Map(rows.map((r) => [r.id, r.host_uuid]));
  const hostIds = [...owners.keys()];
  const login = await fetch(`${apis[0]?.url ?? ''}/api/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: PASSWORD }),
  });
  const cookie = (login.headers.getSetCookie()[0] ?? '').split(';')[0] ?? '';

  const received = new Map<number, { hostId: string; cross: boolean; events: Received[] }>();
  for (let i = 0; i < clientCount; i++) {
    const api = apis[i % 2] as ApiProcess;
    const hostId = hostIds[Math.floor(i / 2) % hostIds.length] ?? '';
    const cross = owners.get(hostId) !== api.instanceId;
    const record = { hostId, cross, events: [] as Received[] };
    received.set(i, record);
    const socket = io(api.url, {
      path: '/socket.io',
      transports: ['websocket'],
      extraHeaders: { Cookie: cookie },
      reconnection: false,
    });
    sockets.push(socket);
    socket.on(
      'event',
      (event: { seq: number; ts: string; type: string; data: { at?: number; vmId?: string; state?: string } }) => {
        if (event.type === 'vm.state' && event.data.at)
          record.events.push({
            seq: event.seq,
            vmId: event.data.vmId ?? '',
            state: event.data.state ?? '',
            at: event.data.at,
            latencyMs: Date.now() - event.data.at,
            ingestMs: Date.parse(event.ts) - event.data.at,
          });
      },
    );
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => socket.emit('subscribe', { scopes: [`/hosts/${hostId}`] }, () => resolve()));
      socket.once('connect_error', reject);
    });
  }
  say(
    `events: 2 api instances, ${hostCount} hosts, VMs changing state at ${rate}/s, ${clientCount} clients (one host each); measuring ${seconds} s`,
  );
  await sleep(3000);
  const seqAt = async () => Number((await db.query('SELECT last_value AS n FROM events_seq_seq')).rows[0]?.n ?? 0);
  const startSeq = await seqAt();
  await fleet.record();
  const t0 = performance.now();
  await sleep(seconds * 1000);
  const made = await fleet.report();
  const endSeq = await seqAt();
  const elapsed = (performance.now() - t0) / 1000;
  await sleep(2000); // stragglers
  const queueUsage = Number((await db.query('SELECT pg_notification_queue_usage() AS u')).rows[0]?.u ?? 0);
  const stored = (
    await db.query(
      "SELECT data->>'hostId' AS host, array_agg(seq::float8) AS seqs FROM events WHERE type = 'vm.state' AND seq > $1 AND seq <= $2 GROUP BY 1",
      [startSeq, endSeq],
    )
  ).rows as { host: string; seqs: number[] }[];
  const expected = new Map(stored.map((r) => [r.host, new Set(r.seqs)]));
  const total = stored.reduce((sum, r) => sum + r.seqs.length, 0);
  let lost = 0;
  let generated = 0;
  let lostAtSource = 0;
  const ingest: number[] = [];
  const crossLatencies: number[] = [];
  const localLatencies: number[] = [];
  for (const record of received.values()) {
    const want = expected.get(record.hostId) ?? new Set<number>();
    const got = new Set(record.events.filter((e) => e.seq > startSeq && e.seq <= endSeq).map((e) => e.seq));
    for (const seq of want) if (!got.has(seq)) lost += 1;
    const changes = made[uuids.get(record.hostId) ?? ''] ?? [];
    generated += changes.length;
    lostAtSource += missing(changes, record.events);
    for (const event of record.events) {
      if (event.seq <= startSeq || event.seq > endSeq) continue;
      (record.cross ? crossLatencies : localLatencies).push(event.latencyMs);
      ingest.push(event.ingestMs);
    }
  }
  crossLatencies.sort((a, b) => a - b);
  localLatencies.sort((a, b) => a - b);
  const p50 = percentile(crossLatencies, 50);
  const p99 = percentile(crossLatencies, 99);
  const baseP99 = percentile(localLatencies, 99);
  say(
    `${total} VM state events stored in ${round(elapsed)} s (${round(total / elapsed)}/s); ${crossLatencies.length + localLatencies.length} deliveries`,
  );
  say(
    `agent → client on the other instance: p50 ${round(p50)} ms, p99 ${round(p99)} ms (goal < 100 ms); ` +
      `baseline (client on the owning instance): p50 ${round(percentile(localLatencies, 50))} ms, p99 ${round(baseP99)} ms; ` +
      `ratio p99 ${round(baseP99 > 0 ? p99 / baseP99 : 0, 2)}x`,
  );
  ingest.sort((x, y) => x - y);
  say(
    `of which agent → stored (collector and database): p50 ${round(percentile(ingest, 50))} ms, p99 ${round(percentile(ingest, 99))} ms`,
  );
  const madeTotal = Object.values(made).reduce((sum, changes) => sum + changes.length, 0);
  say(
    `generator: the simulation made ${madeTotal} VM state changes in the window (${round(madeTotal / elapsed)}/s); ` +
      `the ${clientCount} clients should have got ${generated} of them (their hosts'), missed ${lostAtSource} (goal 0)`,
  );
  say(`lost among stored events: ${lost} (goal 0); pg_notification_queue_usage() at the end: ${queueUsage}`);
  say(
    JSON.stringify({
      bench: 'events',
      events_per_s: round(total / elapsed),
      p50_ms: round(p50),
      p99_ms: round(p99),
      baseline_p99_ms: round(baseP99),
      ratio_to_baseline: round(baseP99 > 0 ? p99 / baseP99 : 0, 2),
      generated_changes: generated,
      lost: lostAtSource,
      lost_stored: lost,
      notify_queue_usage: queueUsage,
      clients: clientCount,
      seconds,
    }),
  );
} finally {
  for (const socket of sockets) socket.disconnect();
  await Promise.all(apis.map((api) => api.stop()));
  await db.end().catch(() => undefined);
  await fleet.stop();
  await postgres.stop();
  await scratch.remove();
}
