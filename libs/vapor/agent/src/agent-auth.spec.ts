import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SimWorld } from '@cockpit/vapor-sim';
import { fillRoute, rawRequest, type RawAnswer } from '../test/raw-http.js';
import { startAgentServer, type AgentRoute, type RunningAgent } from './agent-server.js';
import { loadOrCreateTlsIdentity } from './tls-identity.js';

const TOKEN = 'auth-walk-token-0123456789';
const WRONG = [
  undefined,
  'Bearer wrong-token',
  `Bearer ${TOKEN}x`,
  `Bearer ${TOKEN.slice(0, -1)}X`,
  `bearer ${TOKEN.toUpperCase()}`,
  TOKEN,
];

/**
 * The same route, written every way that might slip past a check on the URL text: the bypass was
 * `request.url.endsWith('/v1/ping')`, which `?/v1/ping` satisfied.
 */
function variants(p: string): string[] {
  const cut = p.lastIndexOf('/');
  const lastSegment = p.slice(cut + 1);
  const encodedLast = `${p.slice(0, cut + 1)}${lastSegment.slice(0, -1)}%${lastSegment.charCodeAt(lastSegment.length - 1).toString(16)}`;
  const v1 = p.indexOf('/v1/');
  const prefix = p.slice(0, v1);
  const rest = p.slice(v1 + 4);
  return [
    p,
    `${p}?/v1/ping`,
    `${p}?x=/v1/ping`,
    `${p}?since=0&x=/v1/ping`,
    `${p}#/v1/ping`,
    `${p}?x=1#/v1/ping`,
    `${p}%2Fv1%2Fping`,
    `${p}/%2Fv1%2Fping`,
    `${p}%3F/v1/ping`,
    `${p};/v1/ping`,
    `${p}%23/v1/ping`,
    encodedLast,
    `${encodedLast}?/v1/ping`,
    `${p}/`,
    `${p}/?/v1/ping`,
    p.replace(/\//g, '//'),
    `/${p}`,
    `${prefix}/v1/ping/../${rest}`,
    `${prefix}/v1/ping/%2E%2E/${rest}`,
    `${prefix}/v1/ping/..%2F${rest}`,
    `${p}/../ping`,
    `${p}/..`,
    p.toUpperCase(),
    `${p.toUpperCase()}?/V1/PING`,
    `${prefix}/V1/${rest}`,
  ];
}

interface Target {
  name: string;
  agent: RunningAgent;
  params: Record<string, string>;
  /** Paths that are not routes at all (and a host this agent does not serve). */
  unknown: string[];
}

describe('the agent answers nothing without the right bearer token, however the URL is written', () => {
  let dir: string;
  let world: SimWorld;
  let fleetWorld: SimWorld;
  const targets: Target[] = [];
  const keepAlive = new Agent({ keepAlive: true, maxSockets: 8, rejectUnauthorized: false });

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'vapor-auth-'));
    const tls = await loadOrCreateTlsIdentity(dir);
    world = new SimWorld({ seed: 5, hosts: 1, vmsPerHost: 2, statsIntervalMs: 60_000 });
    fleetWorld = new SimWorld({ seed: 6, hosts: 2, vmsPerHost: 2, statsIntervalMs: 60_000 });
    const [single] = world.hosts;
    const [fleetHost] = fleetWorld.hosts;
    if (!single || !fleetHost) throw new Error('no hosts');
    const singleAgent = await startAgentServer(
      { hosts: [{ uuid: single.uuid, driver: single }], token: TOKEN, tls },
      { port: 0, host: '127.0.0.1' },
    );
    const fleetAgent = await startAgentServer(
      { hosts: fleetWorld.hosts.map((h) => ({ uuid: h.uuid, driver: h })), token: TOKEN, tls, fleet: true },
      { port: 0, host: '127.0.0.1' },
    );
    const running = (host: typeof single) => host.listVms().find((vm) => vm.state === 'running') ?? host.listVms()[0];
    targets.push(
      {
        name: 'single host',
        agent: singleAgent,
        params: { vmId: running(single)?.id ?? '', jobId: randomUUID(), incomingId: randomUUID(), snapshotId: randomUUID() },
        unknown: ['/', '/v1', '/v1/nothing-here', '/v2/vms', `/hosts/${single.uuid}/v1/vms`, '/metrics'],
      },
      {
        name: 'fleet',
        agent: fleetAgent,
        params: {
          hostId: fleetHost.uuid,
          vmId: running(fleetHost)?.id ?? '',
          jobId: randomUUID(),
          incomingId: randomUUID(),
          snapshotId: randomUUID(),
        },
        unknown: ['/', '/v1/vms', '/hosts', `/hosts/${fleetHost.uuid}`, `/hosts/${fleetHost.uuid}/v1/nothing-here`],
      },
    );
    // A host this fleet does not serve: every route under it is refused as well.
    const stranger = { ...targets[1]?.params, hostId: randomUUID() } as Record<string, string>;
    targets[1]?.unknown.push(
      ...fleetAgent.routes.filter((route) => !route.public).map((route) => fillRoute(route.url, stranger)),
    );
  });
  afterAll(async () => {
    keepAlive.destroy();
    for (const target of targets) await target.agent.close();
    await world.close();
    await fleetWorld.close();
    await rm(dir, { recursive: true, force: true });
  });

  const call = (target: Target, route: Pick<AgentRoute, 'method' | 'websocket'>, p: string, authorization?: string) =>
    rawRequest(target.agent.port, p, {
      method: route.method,
      upgrade: route.websocket,
      agent: route.websocket ? undefined : keepAlive,
      headers: {
        ...(authorization ? { Authorization: authorization } : {}),
        ...(route.method === 'POST' || route.method === 'PATCH' ? { 'Content-Type': 'application/json' } : {}),
      },
      body: route.method === 'POST' || route.method === 'PATCH' ? '{}' : undefined,
    });

  /** A refusal: 401 or 404, nothing in the body but the error itself (and no WebSocket opened). */
  const leak = (answer: RawAnswer): string | undefined => {
    if (answer.timedOut) return 'no answer';
    if (answer.status !== 401 && answer.status !== 404) return `answered ${answer.status} ${answer.text.slice(0, 80)}`;
    if (!answer.text) return undefined; // HEAD
    const body = JSON.parse(answer.text) as Record<string, unknown>;
    const keys = Object.keys(body).sort().join(',');
    if (keys !== 'error,message,statusCode' || body['statusCode'] !== answer.status) return `body ${answer.text.slice(0, 120)}`;
    return undefined;
  };

  it('lists its routes from Fastify itself: HTTP and WebSocket, with only ping public', () => {
    for (const { agent } of targets) {
      const routes = agent.routes;
      expect(routes.length).toBeGreaterThanOrEqual(24);
      const websockets = routes
        .filter((r) => r.websocket && r.method === 'GET')
        .map((r) => r.url.replace(/^\/hosts\/:hostId/, ''));
      expect(websockets.sort()).toEqual(['/v1/events', '/v1/vms/:vmId/console/serial', '/v1/vms/:vmId/console/vnc']);
      expect(routes.filter((r) => r.public).map((r) => `${r.method} ${r.url.replace(/^\/hosts\/:hostId/, '')}`)).toEqual([
        'GET /v1/ping',
        'HEAD /v1/ping',
      ]);
      for (const method of ['GET', 'POST', 'PATCH', 'DELETE']) expect(routes.some((r) => r.method === method)).toBe(true);
    }
  });

  it('answers every route with the right token (the positive control of the walk below)', async () => {
    for (const target of targets) {
      for (const route of target.agent.routes) {
        // Never delete a real VM here: a fresh id makes DELETE a 404 from the driver, past the token check.
        const params = route.method === 'DELETE' ? { ...target.params, vmId: randomUUID() } : target.params;
        const answer = await call(target, route, fillRoute(route.url, params), `Bearer ${TOKEN}`);
        expect([route.method, route.url, answer.status]).not.toEqual([route.method, route.url, 401]);
        if (route.websocket && route.method === 'GET') expect([route.url, answer.status]).toEqual([route.url, 101]);
        if (route.method === 'GET' && !route.websocket && !route.url.includes(':jobId'))
          expect([route.url, answer.status]).toEqual([route.url, 200]);
      }
    }
  });

  it('refuses every route, in both modes, without a token or with a wrong one, in every spelling of its URL', async () => {
    const findings: string[] = [];
    let tried = 0;
    for (const target of targets) {
      const jobs: (() => Promise<void>)[] = [];
      for (const route of target.agent.routes.filter((r) => !r.public)) {
        for (const p of variants(fillRoute(route.url, target.params))) {
          for (const authorization of WRONG) {
            jobs.push(async () => {
              tried += 1;
              const problem = leak(await call(target, route, p, authorization));
              if (problem) findings.push(`${target.name} ${route.method} ${p} [${authorization ?? 'no token'}]: ${problem}`);
            });
          }
        }
      }
      for (const p of target.unknown) {
        for (const method of ['GET', 'POST', 'DELETE']) {
          for (const websocket of method === 'GET' ? [false, true] : [false]) {
            jobs.push(async () => {
              tried += 1;
              const answer = await call(target, { method, websocket }, p);
              const problem = leak(answer) ?? (answer.status !== 401 ? `answered ${answer.status}` : undefined);
              if (problem) findings.push(`${target.name} unknown ${method} ${p}${websocket ? ' (ws)' : ''}: ${problem}`);
              else if (answer.text.includes(p.slice(1, 30)) && p.length > 1)
                findings.push(`${target.name} ${p}: echoes the path`);
            });
          }
        }
      }
      for (let i = 0; i < jobs.length; i += 16) await Promise.all(jobs.slice(i, i + 16).map((job) => job()));
    }
    expect(tried).toBeGreaterThan(2000);
    expect(findings).toEqual([]);
  }, 120_000);

  it('still answers ping without a token (the one public route), with nothing but who it is', async () => {
    for (const target of targets) {
      const ping = fillRoute(target.agent.routes.find((r) => r.public && r.method === 'GET')?.url ?? '/v1/ping', target.params);
      const answer = await rawRequest(target.agent.port, ping);
      expect(answer.status).toBe(200);
      expect(Object.keys(JSON.parse(answer.text) as object).sort()).toEqual(['agent', 'apiVersion', 'hostUuid', 'version']);
    }
  });
});
