import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { VaporClient } from '@cockpit/vapor-client';
import { rawRequest } from '../test/raw-http.js';
import { runVaporCli, type FleetManifest } from './cli.js';
import type { FollowersReport } from './stream-followers.js';

const TOKEN = 'fault-admin-token-0123456789';

/** One request to the loopback admin with every header exactly as given (Host included). */
function admin(port: number, headers: Record<string, string>, body = '{"malformed": true}', pathname?: string, method = 'POST') {
  return new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path: pathname, headers, agent: false }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('the loopback fault admin (--admin-port) only obeys the agent’s own token, from a non-browser client', () => {
  let dir: string;
  let running: { stop(): Promise<void>; manifest: FleetManifest };
  let adminPort = 0;
  let agentPort = 0;
  let uuid = '';
  let good: Record<string, string>;
  const faultsPath = () => `/hosts/${uuid}/faults`;
  /** The agent answers ping with intact JSON unless a `malformed` fault got through. */
  const pingIsIntact = async () => {
    const answer = await rawRequest(agentPort, `/hosts/${uuid}/v1/ping`);
    try {
      JSON.parse(answer.text);
      return true;
    } catch {
      return false;
    }
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'vapor-admin-'));
    const lines: string[] = [];
    running = await runVaporCli(
      [
        'fleet',
        '--hosts',
        '1',
        '--vms-per-host',
        '0',
        '--port',
        '0',
        '--data-dir',
        dir,
        '--token',
        TOKEN,
        '--admin-port',
        '0',
        '--time-scale',
        '100',
      ],
      (line) => lines.push(line),
    );
    adminPort = Number(/admin on http:\/\/127\.0\.0\.1:(\d+)/.exec(lines.join('\n'))?.[1]);
    const host = running.manifest.hosts[0];
    uuid = host?.uuid ?? '';
    agentPort = Number(new URL(host?.url ?? 'https://x:1').port);
    good = { Host: `127.0.0.1:${adminPort}`, Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' };
  });
  afterAll(async () => {
    await running?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const refusals: [string, (headers: Record<string, string>) => Record<string, string>, number][] = [
    ['no token', ({ Authorization: _, ...rest }) => rest, 401],
    ['a wrong token', (h) => ({ ...h, Authorization: 'Bearer not-the-agent-token-at-all' }), 401],
    ['the token without "Bearer"', (h) => ({ ...h, Authorization: TOKEN }), 401],
    ['a foreign Host (DNS rebinding)', (h) => ({ ...h, Host: `attacker.example:${adminPort}` }), 403],
    ['a Host that only starts like ours', (h) => ({ ...h, Host: `127.0.0.1:${adminPort}.attacker.example` }), 403],
    ['a Host with another port', (h) => ({ ...h, Host: `127.0.0.1:${adminPort + 1}` }), 403],
    ['a Host without the port', (h) => ({ ...h, Host: '127.0.0.1' }), 403],
    ['an Origin header (a web page)', (h) => ({ ...h, Origin: 'http://attacker.example' }), 403],
    ['even Origin: null', (h) => ({ ...h, Origin: 'null' }), 403],
    ['an Origin that is our own address', (h) => ({ ...h, Origin: `http://127.0.0.1:${adminPort}` }), 403],
    ['a form post', (h) => ({ ...h, 'Content-Type': 'application/x-www-form-urlencoded' }), 415],
    ['text/plain (what fetch sends without preflight)', (h) => ({ ...h, 'Content-Type': 'text/plain' }), 415],
    ['multipart', (h) => ({ ...h, 'Content-Type': 'multipart/form-data; boundary=x' }), 415],
    ['no Content-Type', ({ 'Content-Type': _, ...rest }) => rest, 415],
  ];

  it.each(refusals)('refuses %s', async (_name, change, status) => {
    const answer = await admin(adminPort, change(good), undefined, faultsPath());
    expect(answer.status).toBe(status);
    expect(JSON.parse(answer.text)).toMatchObject({ statusCode: status });
    expect(await pingIsIntact()).toBe(true);
  });

  it('obeys the right request (the positive control), on 127.0.0.1 and localhost, and a clear undoes it', async () => {
    expect(await pingIsIntact()).toBe(true);
    for (const Host of [`127.0.0.1:${adminPort}`, `localhost:${adminPort}`]) {
      const answer = await admin(adminPort, { ...good, Host }, undefined, faultsPath());
      expect(answer).toMatchObject({ status: 200 });
      expect(JSON.parse(answer.text)).toMatchObject({ malformed: true });
      expect(await pingIsIntact()).toBe(false);
      const cleared = await admin(
        adminPort,
        { ...good, Host, 'Content-Type': 'application/json; charset=utf-8' },
        '{"clear": true}',
        faultsPath(),
      );
      expect(cleared.status).toBe(200);
      expect(await pingIsIntact()).toBe(true);
    }
  });

  it('answers a refusal without a token before saying whether the path exists', async () => {
    const { Authorization: _, ...anonymous } = good;
    expect((await admin(adminPort, anonymous, '{}', '/hosts/00000000-0000-4000-8000-000000000000/faults')).status).toBe(401);
    expect((await admin(adminPort, good, '{}', '/hosts/00000000-0000-4000-8000-000000000000/faults')).status).toBe(404);
  });

  it('makes a guest ignore ACPI and refuses or slows the next requests of one route, and a clear undoes both', async () => {
    const host = running.manifest.hosts[0];
    if (!host) throw new Error('no host');
    const vapor = new VaporClient({ baseUrl: host.url, token: host.token, fingerprint: host.fingerprint });
    const vm = await vapor.createVm({ name: 'acpi', vcpus: 1, memoryMiB: 256, start: true });
    const post = async (body: unknown) => {
      const answer = await admin(adminPort, good, JSON.stringify(body), faultsPath());
      return { status: answer.status, body: JSON.parse(answer.text) as Record<string, unknown> };
    };
    expect(
      await post({ ignoreAcpi: { vmId: '00000000-0000-4000-8000-000000000000', ignore: true }, malformed: true }),
    ).toMatchObject({
      status: 404,
      body: { message: expect.stringContaining('No VM 00000000-0000-4000-8000-000000000000') as unknown as string },
    });
    expect(await pingIsIntact()).toBe(true); // the refused request changed nothing else
    expect((await post({ ignoreAcpi: { vmId: vm.id, ignore: true } })).status).toBe(200);
    expect((await vapor.act(vm.id, 'shutdown')).state).toBe('running');
    await new Promise((resolve) => setTimeout(resolve, 100)); // 10 s of guest time
    expect((await vapor.getVm(vm.id)).state).toBe('running');

    expect(
      await post({ nextRequests: { count: 1, routeId: 'actOnVm', delayMs: 50, refuse: { status: 409, message: 'busy' } } }),
    ).toEqual({
      status: 200,
      body: expect.objectContaining({
        nextRequests: { routeId: 'actOnVm', remaining: 1, delayMs: 50, refuse: { status: 409, message: 'busy' } },
      }) as unknown as Record<string, unknown>,
    });
    expect((await vapor.getVm(vm.id)).state).toBe('running'); // another route
    await expect(vapor.act(vm.id, 'poweroff')).rejects.toMatchObject({ status: 409, message: 'busy' });
    expect((await vapor.act(vm.id, 'poweroff')).state).toBe('shutoff');
    expect((await post({ nextRequests: { count: 1, routeId: 'noSuchRoute' } })).status).toBe(400);
    expect((await post({ nextRequests: { count: 3 } })).body).toMatchObject({ nextRequests: { routeId: null, remaining: 3 } });
    expect((await post({ nextRequests: null })).body).toMatchObject({ nextRequests: null });

    await post({ nextRequests: { count: 5 }, ignoreAcpi: { vmId: vm.id, ignore: true } });
    expect((await post({ clear: true })).body).toMatchObject({ nextRequests: null });
    await vapor.act(vm.id, 'start');
    await vapor.act(vm.id, 'shutdown');
    const deadline = Date.now() + 5000;
    while ((await vapor.getVm(vm.id)).state !== 'shutoff' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect((await vapor.getVm(vm.id)).state).toBe('shutoff');
  });

  /** An event stream of the host, as Cockpit instance `instance` follows it. */
  const follow = (instance: string) =>
    new Promise<WebSocket>((resolve, reject) => {
      const socket = new WebSocket(`${running.manifest.hosts[0]?.url.replace('https:', 'wss:')}/v1/events`, {
        headers: { Authorization: `Bearer ${TOKEN}`, 'X-Cockpit-Instance': instance },
        rejectUnauthorized: false,
      });
      socket.once('message', () => resolve(socket)); // the control frame: the agent has counted it
      socket.once('error', reject);
    });
  const closed = (socket: WebSocket) =>
    new Promise<void>((resolve) => {
      socket.once('close', () => setTimeout(resolve, 50)); // the agent's close handler runs too
      socket.close();
    });
  const followers = async (pathname = '/followers', headers = good) => {
    const answer = await admin(adminPort, headers, '', pathname, 'GET');
    return { status: answer.status, report: JSON.parse(answer.text) as FollowersReport & { statusCode?: number } };
  };

  it.each(refusals)('refuses the followers oracle to %s as well', async (_name, change, status) => {
    const { status: got, report } = await followers('/followers', change(good));
    expect(got).toBe(status);
    expect(report).toMatchObject({ statusCode: status });
  });

  it('records each overlap of two instances following one host, however short, and not a reconnect of one', async () => {
    const before = (await followers()).report.overlaps.length;
    // One instance reconnecting (old stream still open for a moment): not a double owner.
    const a1 = await follow('instance-a');
    const a2 = await follow('instance-a');
    await closed(a1);
    expect((await followers()).report.overlaps.length).toBe(before);
    // Another instance joins for a few milliseconds: one overlap, both named, with its duration.
    const b = await follow('instance-b');
    await closed(b);
    const { status, report } = await followers(faultsPath().replace('/faults', '/followers'));
    expect(status).toBe(200);
    expect(report.overlaps).toHaveLength(before + 1);
    expect(report.overlaps.at(-1)).toMatchObject({ hostUuid: uuid, instances: ['instance-a', 'instance-b'] });
    expect(report.overlaps.at(-1)?.endedAt).not.toBeNull();
    expect(report.maxOverlapMs).toBeGreaterThanOrEqual(0);
    expect(report.hosts[uuid]).toMatchObject({ now: { 'instance-a': 1 }, maxInstances: 2 });
    await closed(a2);
    expect((await followers()).report.hosts[uuid]?.now).toEqual({});
    expect((await admin(adminPort, good, '', '/hosts/00000000-0000-4000-8000-000000000000/followers', 'GET')).status).toBe(404);
  });
});
