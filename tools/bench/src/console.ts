/**
 * bench:console — serial console keystroke → echo, through Cockpit's console proxy (browser →
 * api → pinned TLS → agent → sim guest and back), beside the same keystrokes sent straight to the
 * agent's console endpoint in the same run. Each keystroke is sent only after the previous echo
 * came back, so every figure is one full round trip. The api runs as its own process (production
 * settings), as does the fleet.
 *
 * Usage: npm run bench:console [-- --keys 1000]
 * Last line: {"bench":"console","keys":…,"p50_ms":…,"p99_ms":…,"direct_p50_ms":…,"direct_p99_ms":…,"ratio_to_direct":…}
 */
import { parseArgs } from 'node:util';
import pg from 'pg';
import WebSocket from 'ws';
import { ConsoleTicket } from '@cockpit/contracts';
import { VaporClient } from '@cockpit/vapor-client';
import { insertHosts, scratchDir, startApi, startFleet, startPostgres, type ApiProcess } from './cluster.js';
import { percentile, round, waitFor } from './proc.js';

const { values } = parseArgs({ options: { keys: { type: 'string', default: '1000' } } });
const keys = Number(values.keys);
const say = (line: string) => process.stdout.write(`${line}\n`);
const PASSWORD = 'console-bench-password';

/** Sends one character at a time and times until its echo arrives. */
async function roundTrips(socket: WebSocket, count: number): Promise<number[]> {
  let pending: { expect: string; seen: string; resolve: () => void } | undefined;
  const onMessage = (data: Buffer) => {
    if (!pending) return;
    pending.seen += data.toString('utf8');
    if (pending.seen.includes(pending.expect)) {
      const done = pending.resolve;
      pending = undefined;
      done();
    }
  };
  socket.on('message', onMessage);
  const exchange = (send: string, expect: string) =>
    new Promise<number>((resolve, reject) => {
      const sent = performance.now();
      const timer = setTimeout(() => reject(new Error(`no answer to ${JSON.stringify(send)}`)), 5000);
      pending = {
        expect,
        seen: '',
        resolve: () => {
          clearTimeout(timer);
          resolve(performance.now() - sent);
        },
      };
      socket.send(send);
    });
  const times: number[] = [];
  const alphabet = 'abcdefghijklmnopqrstuvwxyz';
  try {
    for (let i = 0; i < count; i++) {
      const char = alphabet[i % alphabet.length] ?? 'a';
      times.push(await exchange(char, char));
      // A fresh line now and then (Ctrl-C, then the prompt), so the guest's line buffer stays short.
      if (i % 50 === 49) await exchange('\u0003', '# ');
    }
  } finally {
    socket.off('message', onMessage);
  }
  return times;
}

const opened = (socket: WebSocket) =>
  new Promise<WebSocket>((resolve, reject) => {
    socket.once('open', () => resolve(socket));
    socket.once('unexpected-response', (_request, response) => reject(new Error(`console refused: HTTP ${response.statusCode}`)));
    socket.once('error', reject);
  });

const scratch = await scratchDir('bench-console');
const postgres = await startPostgres(scratch.dir);
const fleet = await startFleet(scratch.dir, { hosts: 1, vmsPerHost: 4 });
const db = new pg.Client({ connectionString: postgres.url() });
let api: ApiProcess | undefined;
try {
  api = await startApi({
    DATABASE_URL: postgres.url(),
    DATA_DIR: scratch.dir,
    COCKPIT_ADMIN_PASSWORD: PASSWORD,
    INSTANCE_ID: 'console',
  });
  await db.connect();
  await insertHosts(db, fleet.manifest);
  await waitFor(
    async () => (await db.query(`SELECT 1 FROM vms WHERE state = 'running'`)).rows.length > 0,
    60_000,
    'a running VM in the inventory',
  );
  const vmId = String((await db.query(`SELECT id FROM vms WHERE state = 'running' ORDER BY name LIMIT 1`)).rows[0]?.id);
  const login = await fetch(`${api.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: PASSWORD }),
  });
  const cookie = (login.headers.getSetCookie()[0] ?? '').split(';')[0] ?? '';
  const { csrfToken } = (await login.json()) as { csrfToken: string };
  const issued = await fetch(`${api.url}/api/vms/${vmId}/console-tickets`, {
    method: 'POST',
    headers: { Cookie: cookie, 'X-CSRF-Token': csrfToken, 'Content-Type': 'application/json', Origin: api.url },
    body: JSON.stringify({ kind: 'serial' }),
  });
  const ticket = ConsoleTicket.parse(await issued.json());

  const [host] = fleet.manifest.hosts;
  if (!host) throw new Error('no host in the fleet');
  const direct = await new VaporClient({ baseUrl: host.url, token: host.token, fingerprint: host.fingerprint }).console(
    vmId,
    'serial',
  );
  direct.drain(() => undefined); // roundTrips listens on the socket itself
  const proxied = await opened(
    new WebSocket(`${api.url.replace(/^http/, 'ws')}${ticket.path}`, { headers: { Cookie: cookie, Origin: api.url } }),
  );
  say(
    `console: ${keys} keystrokes on one serial console, each waiting for its echo; through the api proxy and straight to the agent`,
  );
  // Warm both paths, then alternate blocks so both see the same machine load.
  await roundTrips(proxied, 50);
  await roundTrips(direct.socket, 50);
  const viaApi: number[] = [];
  const straight: number[] = [];
  const block = 100;
  for (let done = 0; done < keys; done += block) {
    viaApi.push(...(await roundTrips(proxied, Math.min(block, keys - done))));
    straight.push(...(await roundTrips(direct.socket, Math.min(block, keys - done))));
  }
  viaApi.sort((a, b) => a - b);
  straight.sort((a, b) => a - b);
  const p50 = percentile(viaApi, 50);
  const p99 = percentile(viaApi, 99);
  const directP50 = percentile(straight, 50);
  const directP99 = percentile(straight, 99);
  say(`through the api: p50 ${round(p50, 2)} ms, p99 ${round(p99, 2)} ms (goal p99 < 30 ms)`);
  say(`straight to the agent (baseline): p50 ${round(directP50, 2)} ms, p99 ${round(directP99, 2)} ms`);
  const ratio = directP99 > 0 ? p99 / directP99 : 0;
  say(`ratio p99 ${round(ratio, 2)}x (goal < 2), p50 ${round(directP50 > 0 ? p50 / directP50 : 0, 2)}x`);
  proxied.close();
  direct.socket.close();
  say(
    JSON.stringify({
      bench: 'console',
      keys: viaApi.length,
      p50_ms: round(p50, 2),
      p99_ms: round(p99, 2),
      direct_p50_ms: round(directP50, 2),
      direct_p99_ms: round(directP99, 2),
      ratio_to_direct: round(ratio, 2),
    }),
  );
} finally {
  await db.end().catch(() => undefined);
  await api?.stop();
  await fleet.stop();
  await postgres.stop();
  await scratch.remove();
}
