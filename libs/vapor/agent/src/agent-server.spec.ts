import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { checkStatsRows, type VaporEvent, type VaporStreamControl } from '@cockpit/contracts';
import { CertificateMismatchError, VaporClient, VaporRequestError, fetchPeerCertificate } from '@cockpit/vapor-client';
import { SimWorld } from '@cockpit/vapor-sim';
import { startAgentServer, type RunningAgent } from './agent-server.js';
import { loadOrCreateTlsIdentity, type TlsIdentity } from './tls-identity.js';

const TOKEN = 'test-token-0123456789abcdef';

/** Raw HTTPS call (no pinning helper) to test what a careless or hostile client gets. */
function raw(url: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}) {
  return new Promise<{ status: number; body: unknown }>((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers, rejectUnauthorized: false }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? (JSON.parse(text) as unknown) : undefined }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

interface Stream {
  control: Promise<VaporStreamControl>;
  events: VaporEvent[];
  close(): void;
}

async function follow(client: VaporClient, options: { since?: number; stream?: string } = {}): Promise<Stream> {
  const events: VaporEvent[] = [];
  let resolveControl: (control: VaporStreamControl) => void = () => undefined;
  const control = new Promise<VaporStreamControl>((resolve) => (resolveControl = resolve));
  const stream = await client.events(options, {
    onControl: resolveControl,
    onEvent: (event) => events.push(event),
    onClose: () => undefined,
  });
  return { control, events, close: stream.close };
}

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('Vapor agent over HTTPS (single host)', () => {
  let dir: string;
  let tls: TlsIdentity;
  let world: SimWorld;
  let agent: RunningAgent;
  let client: VaporClient;
  let base: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'vapor-agent-'));
    tls = await loadOrCreateTlsIdentity(dir);
    world = new SimWorld({ seed: 3, hosts: 1, vmsPerHost: 2, timeScale: 1000, statsIntervalMs: 60_000 });
    const host = world.hosts[0];
    if (!host) throw new Error('no host');
    agent = await startAgentServer(
      { hosts: [{ uuid: host.uuid, driver: host }], token: TOKEN, tls, eventBufferSize: 50 },
      { port: 0, host: '127.0.0.1' },
    );
    base = agent.baseUrls.get(host.uuid) ?? '';
    client = new VaporClient({ baseUrl: base, token: TOKEN, fingerprint: tls.fingerprint });
  });
  afterAll(async () => {
    await agent.close();
    await world.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps its certificate across restarts and presents the fingerprint it prints', async () => {
    expect((await loadOrCreateTlsIdentity(dir)).fingerprint).toBe(tls.fingerprint);
    expect((await fetchPeerCertificate(base)).fingerprint).toBe(tls.fingerprint);
    expect(tls.fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  });

  it('answers ping without a token and everything else only with the right one', async () => {
    expect((await raw(`${base}/v1/ping`)).body).toMatchObject({ agent: 'vapor', apiVersion: 'v1' });
    expect(await raw(`${base}/v1/host`)).toMatchObject({
      status: 401,
      body: { statusCode: 401, message: 'Missing or wrong bearer token' },
    });
    expect((await raw(`${base}/v1/host`, { headers: { Authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await client.host()).hostname).toBe(world.hosts[0]?.hostname);
  });

  it('refuses to talk to a host whose certificate is not the pinned one', async () => {
    const impostor = new VaporClient({
      baseUrl: base,
      token: TOKEN,
      fingerprint: tls.fingerprint.replace(/^../, tls.fingerprint.startsWith('00') ? '11' : '00'),
    });
    await expect(impostor.host()).rejects.toBeInstanceOf(CertificateMismatchError);
  });

  it('creates, changes, acts on and deletes a VM, with generations guarding against lost updates', async () => {
    const vm = await client.createVm({
      name: 'api-made',
      vcpus: 1,
      memoryMiB: 512,
      disks: [{ poolId: 'local', sizeBytes: 1024 ** 3 }],
      nics: [],
    });
    expect(vm).toMatchObject({ name: 'api-made', state: 'shutoff', generation: 1 });
    expect((await client.act(vm.id, 'start')).state).toBe('running');
    const renamed = await client.updateVm(vm.id, { name: 'renamed' }, 2);
    expect(renamed).toMatchObject({ name: 'renamed', generation: 3 });
    await expect(client.updateVm(vm.id, { name: 'again' }, 2)).rejects.toMatchObject({ status: 412 });
    await expect(client.act(vm.id, 'start')).rejects.toMatchObject({
      status: 409,
      message: 'Cannot start VM renamed: it is already running',
    });
    await expect(client.deleteVm(vm.id)).rejects.toMatchObject({ status: 409 });
    await client.act(vm.id, 'poweroff');
    await client.deleteVm(vm.id);
    await expect(client.getVm(vm.id)).rejects.toMatchObject({
      status: 404,
      message: `No VM ${vm.id} on host ${world.hosts[0]?.hostname ?? ''}`,
    });
  });

  it('takes, lists, reverts and deletes snapshots, each change a new generation (If-Match honoured) and a vm.updated event', async () => {
    const vm = await client.createVm({
      name: 'snapshotted',
      vcpus: 2,
      memoryMiB: 512,
      disks: [{ poolId: 'local', sizeBytes: 1024 ** 3 }],
      start: true,
    });
    const stream = await follow(client);
    await stream.control;
    const created = await client.createSnapshot(vm.id, { name: 'before', memory: true }, vm.generation);
    expect(created.snapshot).toMatchObject({ name: 'before', description: '', memory: true, vmState: 'running', current: true });
    expect(created.vm).toMatchObject({ snapshotCount: 1, generation: vm.generation + 1 });
    await expect(client.createSnapshot(vm.id, { name: 'later', memory: false }, vm.generation)).rejects.toMatchObject({
      status: 412,
    });
    await expect(client.createSnapshot(vm.id, { name: 'before', memory: false })).rejects.toMatchObject({
      status: 409,
      message: 'VM snapshotted already has a snapshot named "before"',
    });
    const headers = { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' };
    const bad = await raw(`${base}/v1/vms/${vm.id}/snapshots`, { method: 'POST', headers, body: '{"name":"x y"}' });
    expect(bad.status).toBe(400);
    expect((bad.body as { details: { path: string }[] }).details.map((d) => d.path)).toEqual(['body.name', 'body.memory']);

    const changed = await client.updateVm(vm.id, { memoryMiB: 1024, vcpus: 4 });
    expect(changed).toMatchObject({ memoryMiB: 1024, vcpus: 2, pendingChanges: { vcpus: 4 } });
    await expect(client.revertSnapshot(vm.id, created.snapshot.id, created.vm.generation)).rejects.toMatchObject({ status: 412 });
    const reverted = await client.revertSnapshot(vm.id, created.snapshot.id, changed.generation);
    expect(reverted).toMatchObject({ state: 'running', memoryMiB: 512, vcpus: 2, pendingChanges: {} });
    const disk = await client.createSnapshot(vm.id, { name: 'disk-only', description: 'no RAM', memory: false });
    expect((await client.listSnapshots(vm.id)).map((snapshot) => [snapshot.name, snapshot.parentId, snapshot.current])).toEqual([
      ['before', null, false],
      ['disk-only', created.snapshot.id, true],
    ]);
    expect((await client.revertSnapshot(vm.id, disk.snapshot.id)).state).toBe('shutoff');
    const deleted = await client.deleteSnapshot(vm.id, created.snapshot.id);
    expect(deleted.snapshotCount).toBe(1);
    await expect(client.deleteSnapshot(vm.id, created.snapshot.id)).rejects.toMatchObject({ status: 404 });
    await expect(client.createSnapshot(vm.id, { name: 'ram', memory: true })).rejects.toMatchObject({ status: 409 });

    await until(() => stream.events.filter((e) => e.type === 'vm.updated').length >= 6);
    stream.close();
    const counts = stream.events.flatMap((e) => (e.type === 'vm.updated' ? [e.data.vm.snapshotCount] : []));
    expect(counts).toEqual([1, 1, 1, 2, 2, 1]);
    const generations = stream.events.flatMap((e) => (e.type === 'vm.updated' ? [e.data.vm.generation] : []));
    expect(generations).toEqual([...generations].sort((a, b) => a - b));
    await client.deleteVm(vm.id);
    await expect(client.listSnapshots(vm.id)).rejects.toMatchObject({ status: 404 });
  });

  it('stages what a running VM cannot change live, resets it, and honours If-Match on actions', async () => {
    const vm = await client.createVm({ name: 'staged', vcpus: 1, memoryMiB: 256, bootOrder: ['network', 'disk'], start: true });
    expect(vm).toMatchObject({ autostart: false, bootOrder: ['network', 'disk'] });
    const updated = await client.updateVm(vm.id, { name: 'staged-2', vcpus: 2, bootOrder: ['disk'], autostart: true });
    expect(updated).toMatchObject({
      name: 'staged-2',
      vcpus: 1,
      autostart: true,
      bootOrder: ['network', 'disk'],
      pendingChanges: { vcpus: 2, bootOrder: ['disk'] },
    });
    await expect(client.act(vm.id, 'reset', vm.generation)).rejects.toMatchObject({ status: 412 });
    expect(await client.act(vm.id, 'reset', updated.generation)).toMatchObject({ state: 'running', vcpus: 1 });
    await client.act(vm.id, 'poweroff');
    expect(await client.act(vm.id, 'start')).toMatchObject({ vcpus: 2, bootOrder: ['disk'], pendingChanges: {} });
    await expect(client.updateVm(vm.id, { bootOrder: ['disk', 'disk'] })).rejects.toMatchObject({ status: 400 });
    await client.act(vm.id, 'poweroff');
    await client.deleteVm(vm.id);
  });

  it('validates every request: bad fields, bad JSON, bad ids and shell strings are 400s that change nothing', async () => {
    const before = (await client.listVms()).length;
    const invalid = await client.createVm({ name: 'bad name!', vcpus: 0, memoryMiB: 512 }).catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(VaporRequestError);
    expect((invalid as VaporRequestError).body?.details?.map((d) => d.path)).toEqual(['body.name', 'body.vcpus']);
    const headers = { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' };
    expect(await raw(`${base}/v1/vms`, { method: 'POST', headers, body: '{"name": ' })).toMatchObject({
      status: 400,
      body: { message: 'Request body is not valid JSON' },
    });
    expect((await raw(`${base}/v1/vms/not-a-uuid`, { headers })).status).toBe(400);
    expect(await raw(`${base}/v1/exec`, { method: 'POST', headers, body: JSON.stringify({ argv: 'rm -rf /' }) })).toMatchObject({
      status: 400,
    });
    expect((await client.listVms()).length).toBe(before);
  });

  it('runs commands given as argv', async () => {
    expect(await client.exec({ argv: ['uname', '-r'] })).toMatchObject({
      exitCode: 0,
      stdout: `${world.hosts[0]?.kernel ?? ''}\n`,
    });
  });

  it('streams events with increasing seq, replays what a reconnecting client missed, and says gap when too old', async () => {
    const first = await follow(client);
    const control = await first.control;
    expect(control.type).toBe('resumed');
    const vm = await client.createVm({ name: 'streamed', vcpus: 1, memoryMiB: 256 });
    await client.act(vm.id, 'start');
    await until(() => first.events.length >= 2);
    expect(first.events.map((e) => e.type)).toEqual(['vm.created', 'vm.state']);
    const [a, b] = first.events;
    expect((b?.seq ?? 0) - (a?.seq ?? 0)).toBe(1);
    first.close();

    // Missed while disconnected:
    await client.act(vm.id, 'pause');
    await client.act(vm.id, 'resume');
    const resumed = await follow(client, { since: b?.seq ?? 0, stream: control.streamId });
    expect(await resumed.control).toMatchObject({ type: 'resumed', fromSeq: b?.seq });
    await until(() => resumed.events.length >= 2);
    expect(resumed.events.map((e) => (e.type === 'vm.state' ? e.data.state : e.type))).toEqual(['paused', 'running']);
    resumed.close();

    // The buffer holds 50 events: push it past that.
    for (let i = 0; i < 30; i++) {
      await client.act(vm.id, 'pause');
      await client.act(vm.id, 'resume');
    }
    const late = await follow(client, { since: b?.seq ?? 0, stream: control.streamId });
    expect(await late.control).toMatchObject({ type: 'gap' });
    late.close();
    const otherStream = await follow(client, { since: 1, stream: 'some-older-agent-run' });
    expect(await otherStream.control).toMatchObject({ type: 'gap' });
    otherStream.close();
  });

  it('moves a disk to another pool as a job, with progress events, and ends with the disk pivoted', async () => {
    const vm = await client.createVm({
      name: 'storage-mover',
      vcpus: 1,
      memoryMiB: 256,
      disks: [{ poolId: 'local', sizeBytes: 2 * 1024 ** 3, format: 'raw' }],
      start: true,
    });
    const stream = await follow(client);
    await stream.control;
    const job = await client.migrateStorage({ vmId: vm.id, diskId: 'vda', targetPoolId: 'ceph-a' });
    await until(() => stream.events.some((e) => e.type === 'job.finished'));
    stream.close();
    expect((await client.getJob(job.id)).state).toBe('completed');
    expect((await client.getVm(vm.id)).disks[0]?.poolId).toBe('ceph-a');
    await expect(client.migrateStorage({ vmId: vm.id, diskId: 'vda', targetPoolId: 'nope' })).rejects.toMatchObject({
      status: 404,
      message: expect.stringContaining('No storage pool "nope"') as unknown as string,
    });
  });
});

describe('Vapor agent under garbage and load', () => {
  it('answers every malformed request with a 4xx and keeps serving', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'vapor-garbage-'));
    const tls = await loadOrCreateTlsIdentity(dir);
    const world = new SimWorld({ seed: 4, hosts: 1, vmsPerHost: 1, statsIntervalMs: 60_000 });
    const host = world.hosts[0];
    if (!host) throw new Error('no host');
    const agent = await startAgentServer(
      { hosts: [{ uuid: host.uuid, driver: host }], token: TOKEN, tls },
      { port: 0, host: '127.0.0.1' },
    );
    const base = agent.baseUrls.get(host.uuid) ?? '';
    const headers = { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' };
    try {
      const bodies = [
        '',
        'null',
        '[]',
        '"x"',
        '{"name":{}}',
        '{"argv":[1,2]}',
        '{"action":"explode"}',
        '\u0000\u0001',
        '{'.repeat(5000),
        JSON.stringify({ name: 'x'.repeat(10_000) }),
      ];
      const paths = [
        '/v1/vms',
        `/v1/vms/${host.listVms()[0]?.id ?? ''}/actions`,
        '/v1/exec',
        '/v1/jobs/migrations',
        '/v1/jobs/storage-migrations',
      ];
      for (const body of bodies) {
        for (const target of paths) {
          const { status } = await raw(`${base}${target}`, { method: 'POST', headers, body });
          expect(status >= 400 && status < 500).toBe(true);
        }
      }
      expect((await raw(`${base}/v1/ping`)).status).toBe(200);
      expect(host.listVms()).toHaveLength(1);
    } finally {
      await agent.close();
      await world.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('streams a stats frame per host per interval, host and per-VM figures', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'vapor-stats-'));
    const tls = await loadOrCreateTlsIdentity(dir);
    const world = new SimWorld({ seed: 6, hosts: 1, vmsPerHost: 4, statsIntervalMs: 100 });
    const host = world.hosts[0];
    if (!host) throw new Error('no host');
    const agent = await startAgentServer(
      { hosts: [{ uuid: host.uuid, driver: host }], token: TOKEN, tls },
      { port: 0, host: '127.0.0.1' },
    );
    try {
      const stream = await follow(
        new VaporClient({ baseUrl: agent.baseUrls.get(host.uuid) ?? '', token: TOKEN, fingerprint: tls.fingerprint }),
      );
      await until(() => stream.events.filter((e) => e.type === 'stats').length >= 3);
      stream.close();
      const stats = stream.events.filter((e) => e.type === 'stats');
      const running = host
        .listVms()
        .filter((vm) => vm.state === 'running')
        .map((vm) => vm.id)
        .sort();
      for (const event of stats) {
        if (event.type !== 'stats') continue;
        expect(event.data.intervalMs).toBe(100);
        const rows = checkStatsRows(event.data);
        expect(rows.rejected).toEqual([]); // the simulator's figures are within the contract's bounds
        expect(rows.vms.map((v) => v.vmId).sort()).toEqual(running);
      }
      const seqs = stats.map((e) => e.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    } finally {
      await agent.close();
      await world.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('Vapor agent in fleet mode', () => {
  it('serves each host under its own base URL, sharing one world', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'vapor-fleet-'));
    const tls = await loadOrCreateTlsIdentity(dir);
    const world = new SimWorld({ seed: 9, hosts: 3, vmsPerHost: 2, statsIntervalMs: 60_000 });
    const agent = await startAgentServer(
      { hosts: world.hosts.map((host) => ({ uuid: host.uuid, driver: host })), token: TOKEN, tls, fleet: true },
      { port: 0, host: '127.0.0.1' },
    );
    try {
      for (const host of world.hosts) {
        const client = new VaporClient({
          baseUrl: agent.baseUrls.get(host.uuid) ?? '',
          token: TOKEN,
          fingerprint: tls.fingerprint,
        });
        expect((await client.host()).uuid).toBe(host.uuid);
        expect((await client.listVms()).map((vm) => vm.name)).toEqual(host.listVms().map((vm) => vm.name));
      }
      const missing = new VaporClient({
        baseUrl: `https://127.0.0.1:${agent.port}/hosts/00000000-0000-4000-8000-000000000000`,
        token: TOKEN,
        fingerprint: tls.fingerprint,
      });
      await expect(missing.host()).rejects.toMatchObject({ status: 404 });
    } finally {
      await agent.close();
      await world.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
