import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { fork } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { io as connect, type Socket } from 'socket.io-client';
import { CockpitEvent, Host, Me, type SubscribeMessage } from '@cockpit/contracts';
import { createTestDatabase, queryRows, startVaporFleet, type FleetHost, type RunningFleet } from '@cockpit/dev-testing';
import { EventHubService } from '@cockpit/api-events';
import { VaporClient } from '@cockpit/vapor-client';
import { signedIn, until, type Call } from '../test/sign-in.js';
import { startTestApi, type TestApi } from '../test/test-app.js';

const PASSWORD = 'events-admin-password';

async function cookieFor(api: TestApi, username: string, password: string): Promise<string> {
  const login = await fetch(`${api.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  Me.parse(await login.json());
  return (login.headers.getSetCookie()[0] ?? '').split(';')[0] ?? '';
}

/** A real socket.io client that records every event it gets. */
function client(api: TestApi, headers: Record<string, string>) {
  const socket: Socket = connect(api.url, {
    path: '/socket.io',
    transports: ['websocket'],
    extraHeaders: headers,
    reconnection: false,
  });
  const events: CockpitEvent[] = [];
  const errors: string[] = [];
  const resyncs: unknown[] = [];
  socket.on('event', (event: unknown) => events.push(CockpitEvent.parse(event)));
  socket.on('error', (error: { message: string }) => errors.push(error.message));
  socket.on('resync', (message: unknown) => resyncs.push(message));
  const subscribe = (message: SubscribeMessage | Record<string, unknown>) =>
    new Promise<{ error?: string; seq?: number; replayed?: number }>((resolve) => socket.emit('subscribe', message, resolve));
  return { socket, events, errors, resyncs, subscribe };
}

const connected = (socket: Socket) =>
  new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });

describe('the event hub: socket.io across two api instances on one PostgreSQL', () => {
  let databaseUrl: string;
  let fleet: RunningFleet;
  let a: TestApi;
  let b: TestApi;
  let call: Call;
  let adminCookie: string;
  let first: FleetHost;
  let second: FleetHost;
  const hostIds = new Map<string, string>();
  const sockets: Socket[] = [];
  const agent = (host: FleetHost) => new VaporClient({ baseUrl: host.url, token: host.token, fingerprint: host.fingerprint });
  const open = async (api: TestApi, headers: Record<string, string>) => {
    const c = client(api, headers);
    sockets.push(c.socket);
    await connected(c.socket);
    return c;
  };
  /** Flip a running VM of this host (pause, then resume): two vm.state events. */
  const flip = async (host: FleetHost) => {
    const vm = (await agent(host).listVms()).find((candidate) => candidate.state === 'running');
    if (!vm) throw new Error('no running VM');
    await agent(host).act(vm.id, 'pause');
    await agent(host).act(vm.id, 'resume');
    return vm.id;
  };

  beforeAll(async () => {
    [databaseUrl, fleet] = await Promise.all([createTestDatabase('events'), startVaporFleet({ hosts: 2, vmsPerHost: 2 })]);
    a = await startTestApi({ DATABASE_URL: databaseUrl, INSTANCE_ID: 'events-a', COCKPIT_ADMIN_PASSWORD: PASSWORD });
    b = await startTestApi({ DATABASE_URL: databaseUrl, INSTANCE_ID: 'events-b' });
    call = await signedIn(a, PASSWORD);
    adminCookie = await cookieFor(b, 'admin', PASSWORD);
    [first, second] = fleet.hosts as [FleetHost, FleetHost];
    for (const host of [first, second]) {
      const enrolled = await call('POST', '/api/hosts', { url: host.url, token: host.token, fingerprint: host.fingerprint });
      hostIds.set(host.uuid, Host.parse(enrolled.json).id);
    }
    await until(
      async () => (await queryRows(databaseUrl, 'SELECT count(*)::int AS n FROM vms')).at(0)?.['n'] === 4,
      10_000,
      'inventory synced',
    );
  });
  afterAll(async () => {
    for (const socket of sockets) socket.disconnect();
    await b?.close();
    await a?.close();
    await fleet?.stop();
  });

  it('refuses handshakes without credentials or from another origin', async () => {
    const anonymous = client(a, {});
    sockets.push(anonymous.socket);
    await expect(connected(anonymous.socket)).rejects.toThrow(/Sign in first/);
    const foreign = client(a, { Cookie: adminCookie, Origin: 'https://evil.example' });
    sockets.push(foreign.socket);
    await expect(connected(foreign.socket)).rejects.toThrow();
    const ours = await open(a, { Cookie: adminCookie, Origin: new URL(a.url).origin });
    expect(ours.socket.connected).toBe(true);
    // A script with an API token (no cookie, no browser): the same stream, within the token's permissions.
    const created = (await call('POST', '/api/tokens', { name: 'events-script', permissions: ['host.view'] })).json as {
      token: string;
    };
    const script = connect(b.url, {
      path: '/socket.io',
      transports: ['websocket'],
      auth: { token: created.token },
      reconnection: false,
    });
    sockets.push(script);
    await connected(script);
    const reply = await new Promise<{ error?: string }>((resolve) => script.emit('subscribe', { scopes: ['/'] }, resolve));
    expect(reply.error).toBeUndefined();
    const wrong = connect(b.url, {
      path: '/socket.io',
      transports: ['websocket'],
      auth: { token: 'ck_wrong' },
      reconnection: false,
    });
    sockets.push(wrong);
    await expect(connected(wrong)).rejects.toThrow(/Sign in first/);
  });

  it('delivers a change to clients on both instances, with increasing sequence numbers', async () => {
    const onA = await open(a, { Cookie: adminCookie });
    const onB = await open(b, { Cookie: adminCookie });
    expect((await onA.subscribe({ scopes: ['/'] })).error).toBeUndefined();
    expect((await onB.subscribe({ scopes: ['/'] })).error).toBeUndefined();
    const vmId = await flip(first);
    for (const c of [onA, onB]) {
      await until(
        () => c.events.filter((e) => e.type === 'vm.state' && e.data.vmId === vmId).length >= 2,
        5000,
        'both state changes',
      );
      const seqs = c.events.filter((e) => e.type !== 'stats').map((e) => e.seq);
      expect([...seqs].sort((x, y) => x - y)).toEqual(seqs);
    }
    // Stats frames arrive per host per tick, VMs inside.
    await until(() => onB.events.some((e) => e.type === 'stats'), 8000, 'a stats frame');
  });

  it('turns a VM action through REST on one instance into an event on the other', async () => {
    const onA = await open(a, { Cookie: adminCookie });
    await onA.subscribe({ scopes: ['/'] });
    const vm = (await agent(second).listVms()).find((candidate) => candidate.state === 'running');
    if (!vm) throw new Error('no running VM');
    const callB = await signedIn(b, PASSWORD);
    const paused = await callB('POST', `/api/vms/${vm.id}/actions`, { action: 'pause' });
    expect(paused).toMatchObject({ status: 200, json: { vmId: vm.id, state: 'paused' } });
    await until(
      () => onA.events.some((e) => e.type === 'vm.state' && e.data.vmId === vm.id && e.data.state === 'paused'),
      5000,
      'paused event',
    );
    const again = await callB('POST', `/api/vms/${vm.id}/actions`, { action: 'pause' });
    expect(again.status).toBe(409);
    expect((await callB('POST', `/api/vms/${vm.id}/actions`, { action: 'resume' })).status).toBe(200);
    expect((await callB('POST', `/api/vms/${vm.id}/actions`, { action: 'explode' })).status).toBe(400);
  });

  it('answers a malformed subscription or an unknown scope with an error and changes nothing', async () => {
    const c = await open(b, { Cookie: adminCookie });
    expect((await c.subscribe({ scopes: 'everything' })).error).toMatch(/Malformed subscription/);
    expect((await c.subscribe({ scopes: ['/planets/mars'] })).error).toMatch(/Malformed subscription/);
    expect(c.errors.length).toBe(2);
    // Positive control: a client subscribed on the same instance gets the change, this one nothing.
    const control = await open(b, { Cookie: adminCookie });
    await control.subscribe({ scopes: ['/'] });
    const vmId = await flip(first);
    await until(() => control.events.some((e) => e.type === 'vm.state' && e.data.vmId === vmId), 5000, 'the control got it');
    expect(c.events).toEqual([]);
  });

  it('filters by role bindings, and stops delivery when the binding is revoked mid-session', async () => {
    const password = 'scoped-events-password';
    const user = (await call('POST', '/api/users', { username: 'watcher', password })).json as { id: string };
    const roles = ((await call('GET', '/api/roles')).json as { items: { id: string; name: string }[] }).items;
    const firstId = hostIds.get(first.uuid) ?? '';
    const binding = (
      await call('POST', '/api/role-bindings', {
        subjectType: 'user',
        subjectId: user.id,
        roleId: roles.find((r) => r.name === 'Viewer')?.id,
        scope: `/hosts/${firstId}`,
      })
    ).json as { id: string };
    const watcher = await open(b, { Cookie: await cookieFor(b, 'watcher', password) });
    expect((await watcher.subscribe({ scopes: [`/hosts/${hostIds.get(second.uuid) ?? ''}`] })).error).toMatch(/may not view/);
    expect((await watcher.subscribe({ scopes: ['/'] })).error).toBeUndefined();
    const mine = await flip(first);
    const theirs = await flip(second);
    await until(() => watcher.events.some((e) => e.type === 'vm.state' && e.data.vmId === mine), 5000, 'own host event');
    // Positive control: an administrator on the same instance got the other host's change.
    const control = await open(b, { Cookie: adminCookie });
    await control.subscribe({ scopes: ['/'] });
    const theirsAgain = await flip(second);
    await until(() => control.events.some((e) => e.type === 'vm.state' && e.data.vmId === theirsAgain), 5000, 'control event');
    expect(watcher.events.some((e) => 'vmId' in e.data && (e.data.vmId === theirs || e.data.vmId === theirsAgain))).toBe(false);
    expect(watcher.events.every((e) => e.type !== 'audit.created')).toBe(true);

    const hubB = b.app.get(EventHubService);
    expect(hubB.roomsOfSocket(watcher.socket.id ?? '').length).toBeGreaterThan(0);
    expect((await call('DELETE', `/api/role-bindings/${binding.id}`)).status).toBe(200);
    // The revocation reaches instance b, which takes the watcher out of every room.
    await until(() => hubB.roomsOfSocket(watcher.socket.id ?? '').length === 0, 5000, 'the watcher left its rooms');
    const before = watcher.events.length;
    const after = await flip(first);
    await until(() => control.events.some((e) => e.type === 'vm.state' && e.data.vmId === after), 5000, 'control event');
    expect(watcher.events.slice(before).filter((e) => e.type !== 'stats')).toEqual([]);
  });

  it('replays what a client missed while disconnected, and says resync when that is too old', async () => {
    const c = await open(a, { Cookie: adminCookie });
    await c.subscribe({ scopes: ['/'] });
    await flip(second);
    await until(() => c.events.some((e) => e.type === 'vm.state'), 5000, 'an event');
    const last = Math.max(...c.events.filter((e) => e.type !== 'stats').map((e) => e.seq));
    c.socket.disconnect();
    const missed = await flip(second);
    await until(
      async () =>
        (await queryRows(databaseUrl, "SELECT 1 FROM events WHERE type = 'vm.state' AND data->>'vmId' = $1", [missed])).length >
        0,
      5000,
      'the missed change stored',
    );

    const again = await open(b, { Cookie: adminCookie });
    const reply = await again.subscribe({ scopes: ['/'], since: last });
    expect(reply.replayed).toBeGreaterThan(0);
    expect(again.events.some((e) => e.type === 'vm.state' && e.data.vmId === missed && e.seq > last)).toBe(true);

    await queryRows(databaseUrl, 'DELETE FROM events WHERE seq <= $1', [last + 1]);
    const late = await open(b, { Cookie: adminCookie });
    await late.subscribe({ scopes: ['/'], since: 1 });
    expect(late.resyncs).toHaveLength(1);
  });

  it('loses no event when the instance a client is on is killed: it reconnects to another with `since`', async () => {
    const child = fork(fileURLToPath(new URL('../dist/main.js', import.meta.url)), [], {
      env: {
        ...process.env,
        DATABASE_URL: databaseUrl,
        INSTANCE_ID: 'events-c',
        PORT: '0',
        NODE_ENV: 'test',
        LOG_LEVEL: 'silent',
        COCKPIT_SECRET_KEY: Buffer.alloc(32, 42).toString('base64'),
        DATA_DIR: await mkdtemp(path.join(tmpdir(), 'events-c-')),
      },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        child.once('message', (message: { url: string }) => resolve(message.url));
        child.once('exit', (code) => reject(new Error(`api exited with ${code}`)));
      });
      const onC = client({ url } as TestApi, { Cookie: adminCookie });
      sockets.push(onC.socket);
      await connected(onC.socket);
      await onC.subscribe({ scopes: ['/'] });
      await flip(first);
      await until(() => onC.events.some((e) => e.type === 'vm.state'), 5000, 'an event on c');
      const last = Math.max(...onC.events.filter((e) => e.type !== 'stats').map((e) => e.seq));
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
      // While the client is away, the hosts c collected are taken over, and things keep happening.
      // (Changes a host makes in the second before the takeover arrive as the new owner's full
      // resync, `host.changed`, not as single events: see the README.)
      await until(
        async () =>
          (
            await queryRows(
              databaseUrl,
              "SELECT count(*)::int AS n FROM hosts WHERE owner_instance IN ('events-a', 'events-b') AND state = 'connected'",
            )
          ).at(0)?.['n'] === 2,
        10_000,
        'takeover',
      );
      const missedFirst = await flip(first);
      const missedSecond = await flip(second);
      const back = await open(b, { Cookie: adminCookie });
      const reply = await back.subscribe({ scopes: ['/'], since: last });
      expect(reply.error).toBeUndefined();
      await until(
        () =>
          [missedFirst, missedSecond].every(
            (vmId) => back.events.filter((e) => e.type === 'vm.state' && e.data.vmId === vmId && e.seq > last).length >= 2,
          ),
        8000,
        'the events missed while away',
      );
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('disconnects a client that stops reading before its backlog grows without bound', async () => {
    const slow = await open(a, { Cookie: adminCookie });
    await slow.subscribe({ scopes: ['/'] });
    const id = slow.socket.id ?? '';
    // Stop reading at the TCP level: the server's send buffer, then its queue, fill up.
    const transport = (slow.socket.io.engine as unknown as { transport: { ws: { _socket: { pause(): void } } } }).transport;
    transport.ws._socket.pause();
    const hub = a.app.get(EventHubService);
    expect(hub.isConnected(id)).toBe(true);
    const hostId = hostIds.get(first.uuid) ?? '';
    for (let round = 0; round < 60 && hub.isConnected(id); round++) {
      for (let i = 0; i < 2000; i++) hub.publish('host.changed', { hostId, reason: 'inventory' });
      await hub.flush();
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await until(() => !hub.isConnected(id), 5000, 'the slow client disconnected');
    // Everyone else is still served.
    expect(hub.connectedClients()).toBeGreaterThan(0);
  });

  it('offers the same stream as Server-Sent Events', async () => {
    const controller = new AbortController();
    const response = await fetch(`${b.url}/api/events?since=0`, { headers: { Cookie: adminCookie }, signal: controller.signal });
    expect(response.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = response.body?.getReader();
    const vmId = await flip(first);
    let text = '';
    const decoder = new TextDecoder();
    const deadline = Date.now() + 8000;
    while (!text.includes(vmId) && Date.now() < deadline) {
      const chunk = await reader?.read();
      if (!chunk || chunk.done) break;
      text += decoder.decode(chunk.value);
    }
    controller.abort();
    expect(text).toMatch(/event: vm\.state\ndata: \{/);
    expect(text).toContain(vmId);
  });
});
