import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent, createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import WebSocket, { WebSocketServer } from 'ws';
import { MigrationOptions, type Vm } from '@cockpit/contracts';
import { SimWorld, type SimHost } from '@cockpit/vapor-sim';
import {
  BAD_BODIES,
  BAD_CONTENT_TYPES,
  BAD_IF_MATCH,
  BAD_PARAMS,
  BAD_QUERIES,
  BAD_RFB,
  BAD_SERIAL,
  mutateBody,
  type FuzzCase,
} from '../test/fuzz-cases.js';
import { fillRoute, rawRequest } from '../test/raw-http.js';
import { startAgentServer, type AgentRoute, type RunningAgent } from './agent-server.js';
import { loadOrCreateTlsIdentity, type TlsIdentity } from './tls-identity.js';

const TOKEN = 'agent-fuzz-token-0123456789';
const TIMEOUT_MS = 5000;
const PARALLEL = 8;

/** One request; a finding when it is answered with 500 or more, not at all, or the connection breaks. */
async function probeHttp(port: number, method: string, c: FuzzCase, agent: Agent): Promise<{ status: number; finding?: string }> {
  const answer = await rawRequest(port, c.path, {
    method: c.method ?? method,
    headers: { Authorization: `Bearer ${TOKEN}`, ...c.headers },
    body: c.body,
    agent,
    timeoutMs: TIMEOUT_MS,
  }).catch((error: Error) => ({ status: -1, text: error.message, timedOut: false }));
  if (answer.timedOut) return { status: 0, finding: `no answer within ${TIMEOUT_MS} ms` };
  if (answer.status >= 500 || answer.status < 100)
    return { status: answer.status, finding: `${answer.status} ${answer.text.slice(0, 160)}` };
  return { status: answer.status };
}

/** A WebSocket: the upgrade must be answered, and garbage sent after it must neither hang the agent nor break it (1011). */
function probeSocket(port: number, p: string, messages: (string | Buffer)[]): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = new WebSocket(`wss://127.0.0.1:${port}${p}`, {
      headers: { Authorization: `Bearer ${TOKEN}` },
      rejectUnauthorized: false,
      handshakeTimeout: TIMEOUT_MS,
    });
    const done = (finding?: string) => {
      clearTimeout(timer);
      socket.terminate();
      resolve(finding);
    };
    const timer = setTimeout(() => done('no answer'), TIMEOUT_MS);
    socket.on('unexpected-response', (_req, res) =>
      done((res.statusCode ?? 0) >= 500 ? `upgrade answered ${res.statusCode}` : undefined),
    );
    socket.on('open', () => {
      for (const message of messages) socket.send(message);
      socket.close(1000); // the agent must complete the closing handshake
    });
    socket.on('close', (code) => done(code === 1011 ? 'closed 1011 (internal error)' : undefined));
    socket.on('error', () => undefined); // close follows
  });
}

/**
 * Malformed input on every route Fastify registered (with the right token): nothing may answer
 * 500 or more, nothing may hang, and the agent must still answer ping afterwards.
 */
describe('agent fuzz', () => {
  let dir: string;
  let tls: TlsIdentity;
  let world: SimWorld;
  let agent: RunningAgent;
  let source: SimHost;
  let destination: SimHost;
  let vm: Vm;
  const keepAlive = new Agent({ keepAlive: true, maxSockets: PARALLEL, rejectUnauthorized: false });

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'vapor-fuzz-'));
    tls = await loadOrCreateTlsIdentity(dir);
    world = new SimWorld({ seed: 21, hosts: 2, vmsPerHost: 3, timeScale: 50, statsIntervalMs: 60_000 });
    [source, destination] = world.hosts as [SimHost, SimHost];
    agent = await startAgentServer(
      { hosts: world.hosts.map((h) => ({ uuid: h.uuid, driver: h })), token: TOKEN, tls, fleet: true },
      { port: 0, host: '127.0.0.1' },
    );
    const running = source.listVms().find((candidate) => candidate.state === 'running');
    if (!running) throw new Error('no running VM to fuzz against');
    vm = running;
  });
  afterAll(async () => {
    keepAlive.destroy();
    await agent.close();
    await world.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** Valid path parameters: the peer routes on the destination, the rest on the source. */
  const paramsFor = (route: AgentRoute): Record<string, string> => ({
    hostId: route.url.includes('/peer/') ? destination.uuid : source.uuid,
    vmId: vm.id,
    jobId: '00000000-0000-4000-8000-00000000f00d',
    incomingId: '00000000-0000-4000-8000-00000000beef',
    snapshotId: '00000000-0000-4000-8000-00000000cafe',
  });

  /** A body the route would accept: the starting point of every mutation. */
  const baseBody = (route: AgentRoute): Record<string, unknown> => {
    const url = route.url.replace(/^\/hosts\/:hostId/, '');
    const disk = vm.disks[0];
    const bodies: Record<string, Record<string, unknown>> = {
      'POST /v1/vms': {
        name: 'fuzzed',
        vcpus: 1,
        memoryMiB: 256,
        cpu: { model: 'host-model', features: [] },
        disks: [{ poolId: 'local', sizeBytes: 1024 * 1024 * 16 }],
        nics: [],
        start: false,
      },
      'PATCH /v1/vms/:vmId': { name: 'fuzz-renamed', memoryMiB: vm.memoryMiB },
      'POST /v1/vms/:vmId/actions': { action: 'pause' },
      'POST /v1/vms/:vmId/snapshots': { name: 'fuzz-snap', description: 'fuzzed', memory: false },
      'POST /v1/jobs/migrations': {
        vmId: vm.id,
        destination: { url: agent.baseUrls.get(destination.uuid), token: TOKEN, fingerprint: tls.fingerprint },
        options: { live: true, maxBandwidthMBps: 1000 },
      },
      'PATCH /v1/jobs/:jobId': { maxBandwidthMBps: 100 },
      'POST /v1/jobs/storage-migrations': { vmId: vm.id, diskId: disk?.id ?? 'vda', targetPoolId: 'local', deleteSource: false },
      'POST /v1/peer/incoming-migrations': { vm, options: MigrationOptions.parse({}), sourceHostUuid: source.uuid },
      'POST /v1/peer/incoming-migrations/:incomingId/complete': { vm },
      'POST /v1/exec': { argv: ['echo', 'fuzz'], timeoutMs: 1000 },
    };
    return bodies[`${route.method} ${url}`] ?? {};
  };

  /** Every malformed request for one HTTP route. */
  const httpCases = (route: AgentRoute): FuzzCase[] => {
    const params = paramsFor(route);
    const valid = fillRoute(route.url, params);
    const json = { 'Content-Type': 'application/json' };
    const takesBody = route.method === 'POST' || route.method === 'PATCH';
    const base = JSON.stringify(baseBody(route));
    const cases: FuzzCase[] = [{ name: 'valid', path: valid, ...(takesBody ? { headers: json, body: base } : {}) }];
    const withBase = takesBody ? { headers: json, body: base } : {};
    for (const name of Object.keys(params).filter((p) => route.url.includes(`:${p}`)))
      for (const [label, bad] of BAD_PARAMS)
        cases.push({ name: `:${name} ${label}`, path: fillRoute(route.url, { ...params, [name]: bad }), ...withBase });
    if (route.method === 'HEAD') return cases;
    for (const method of ['PUT', 'OPTIONS', route.method === 'GET' ? 'POST' : 'GET'])
      cases.push({ name: `wrong method`, method, path: valid, headers: json, body: base });
    for (const [label, query] of BAD_QUERIES) cases.push({ name: `query ${label}`, path: `${valid}?${query}`, ...withBase });
    if (
      route.method === 'PATCH' ||
      route.method === 'DELETE' ||
      route.url.includes('/snapshots') ||
      route.url.endsWith('/actions')
    )
      for (const value of BAD_IF_MATCH)
        cases.push({ name: `If-Match ${value.slice(0, 20)}`, path: valid, headers: { ...json, 'If-Match': value }, body: base });
    if (takesBody || route.method === 'DELETE') {
      for (const [label, body] of BAD_BODIES) cases.push({ name: `body ${label}`, path: valid, headers: json, body });
      for (const type of BAD_CONTENT_TYPES)
        cases.push({ name: `Content-Type ${type}`, path: valid, headers: { 'Content-Type': type }, body: base });
      cases.push({ name: 'no Content-Type', path: valid, body: base });
    }
    if (takesBody)
      for (const [label, body] of mutateBody(baseBody(route))) cases.push({ name: label, path: valid, headers: json, body });
    return cases;
  };

  const wsCases = (route: AgentRoute): { name: string; path: string; messages: (string | Buffer)[] }[] => {
    const params = paramsFor(route);
    const valid = fillRoute(route.url, params);
    const cases = [{ name: 'valid', path: valid, messages: [] as (string | Buffer)[] }];
    for (const name of Object.keys(params).filter((p) => route.url.includes(`:${p}`)))
      for (const [label, bad] of BAD_PARAMS)
        cases.push({ name: `:${name} ${label}`, path: fillRoute(route.url, { ...params, [name]: bad }), messages: [] });
    for (const [label, query] of BAD_QUERIES) cases.push({ name: `query ${label}`, path: `${valid}?${query}`, messages: [] });
    if (route.url.endsWith('/vnc')) cases.push({ name: 'bad RFB', path: valid, messages: BAD_RFB });
    if (route.url.endsWith('/serial')) cases.push({ name: 'bad input', path: valid, messages: BAD_SERIAL });
    if (route.url.endsWith('/events'))
      cases.push({ name: 'client frames', path: valid, messages: ['{"type":"x"}', Buffer.alloc(70_000)] });
    return cases;
  };

  it('reports a 500, a hang and a WebSocket closed with 1011 (the positive control of the detector)', async () => {
    const server = createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
      if (req.url === '/boom') res.writeHead(500).end('{}');
      else if (req.url === '/ok') res.writeHead(404).end('{}');
      // anything else: never answered
    });
    const sockets = new WebSocketServer({ server });
    sockets.on('connection', (socket) => socket.close(1011, 'broken'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      const probe = (p: string) => probeHttp(port, 'GET', { name: p, path: p }, keepAlive);
      expect((await probe('/ok')).finding).toBeUndefined();
      expect((await probe('/boom')).finding).toMatch(/^500/);
      expect((await probe('/hang')).finding).toMatch(/no answer/);
      expect(await probeSocket(port, '/ws', [])).toMatch(/1011/);
    } finally {
      for (const socket of sockets.clients) socket.terminate();
      sockets.close();
      server.closeAllConnections();
      server.close();
    }
  }, 20_000);

  it('answers every malformed request with less than 500, within the timeout, and still answers ping', async () => {
    // Requests that may delete or move the VM under test run last.
    const routes = [...agent.routes].sort(
      (a, b) =>
        Number(a.method === 'DELETE' || a.url.endsWith('/migrations')) -
        Number(b.method === 'DELETE' || b.url.endsWith('/migrations')),
    );
    expect(routes.length).toBeGreaterThanOrEqual(24);
    const findings: string[] = [];
    const statuses = new Map<number, number>();
    let requests = 0;
    for (const route of routes) {
      const jobs: (() => Promise<void>)[] = route.websocket
        ? route.method !== 'GET'
          ? []
          : wsCases(route).map((c) => async () => {
              requests += 1;
              const finding = await probeSocket(agent.port, c.path, c.messages);
              if (finding) findings.push(`WS ${route.url} [${c.name}]: ${finding}`);
            })
        : httpCases(route).map((c) => async () => {
            requests += 1;
            const { status, finding } = await probeHttp(agent.port, route.method, c, keepAlive);
            statuses.set(status, (statuses.get(status) ?? 0) + 1);
            if (finding) findings.push(`${c.method ?? route.method} ${route.url} [${c.name}]: ${finding}`);
          });
      for (let i = 0; i < jobs.length; i += PARALLEL) await Promise.all(jobs.slice(i, i + PARALLEL).map((job) => job()));
    }
    const byStatus = [...statuses].sort(([a], [b]) => a - b).map(([status, n]) => `${status}: ${n}`);
    // The figures of the run, one line (asked for by issue 10).
    // eslint-disable-next-line no-console
    console.log(
      `agent fuzz: ${requests} requests over ${routes.length} routes, ${findings.length} findings (HTTP answers ${byStatus.join(', ')})`,
    );
    expect(findings).toEqual([]);
    expect(requests).toBeGreaterThan(2000);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    const ping = await rawRequest(agent.port, `/hosts/${source.uuid}/v1/ping`, { timeoutMs: TIMEOUT_MS });
    expect(ping.status).toBe(200);
    const host = await rawRequest(agent.port, `/hosts/${source.uuid}/v1/host`, {
      headers: { Authorization: `Bearer ${TOKEN}` },
      timeoutMs: TIMEOUT_MS,
    });
    expect(host.status).toBe(200);
  }, 600_000);
});
