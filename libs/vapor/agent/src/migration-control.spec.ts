import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MigrationOptions, vaporRoutes, type Job, type MigrationRequest, type VaporEvent } from '@cockpit/contracts';
import { VaporClient } from '@cockpit/vapor-client';
import { SimWorld, type SimHost } from '@cockpit/vapor-sim';
import { startAgentServer, type RunningAgent } from './agent-server.js';
import { startFaultAdmin } from './fault-admin.js';
import { loadOrCreateTlsIdentity, type TlsIdentity } from './tls-identity.js';

const TOKEN = 'migration-control-token-0123456789';
const MiB = 1024 ** 2;
const UNKNOWN_JOB = '00000000-0000-4000-8000-00000000f00d';

/**
 * Eight hosts in one simulated world, one fleet agent: sim-01 (Broadwell), sim-02 (Skylake, the
 * source), sim-03 (Cascadelake, the usual destination) and sim-08 (Skylake again: the source's twin).
 */
let dir: string;
let tls: TlsIdentity;
let world: SimWorld;
let agent: RunningAgent;
let admin: { port: number; close(): Promise<void> };
let broadwell: SimHost;
let source: SimHost;
let target: SimHost;
let twin: SimHost;
const client = (host: SimHost) =>
  new VaporClient({ baseUrl: agent.baseUrls.get(host.uuid) ?? '', token: TOKEN, fingerprint: tls.fingerprint });
const destination = (host: SimHost) => ({ url: agent.baseUrls.get(host.uuid) ?? '', token: TOKEN, fingerprint: tls.fingerprint });
const migrate = (vmId: string, to: SimHost, options: MigrationRequest['options'] = {}) =>
  client(source).migrate({ vmId, destination: destination(to), options });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'vapor-migration-control-'));
  tls = await loadOrCreateTlsIdentity(dir);
  world = new SimWorld({ seed: 5, hosts: 8, vmsPerHost: 0, timeScale: 200, statsIntervalMs: 60_000 });
  [broadwell, source, target] = world.hosts as [SimHost, SimHost, SimHost];
  twin = world.hosts[7] as SimHost;
  agent = await startAgentServer(
    { hosts: world.hosts.map((h) => ({ uuid: h.uuid, driver: h })), token: TOKEN, tls, fleet: true },
    { port: 0, host: '127.0.0.1' },
  );
  admin = await startFaultAdmin(agent, 0, TOKEN);
});
afterAll(async () => {
  await admin.close();
  await agent.close();
  await world.close();
  await rm(dir, { recursive: true, force: true });
});

/** POST /hosts/<uuid>/faults on the loopback fault admin, as an out-of-process test would. */
function fault(host: SimHost, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: admin.port,
        method: 'POST',
        path: `/hosts/${host.uuid}/faults`,
        headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
        agent: false,
      },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> }));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

async function finished(host: SimHost, jobId: string, timeoutMs = 15_000): Promise<Job> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await client(host).getJob(jobId);
    if (job.state !== 'running') return job;
    if (Date.now() > deadline) throw new Error(`job still ${job.progress.phase} after ${timeoutMs} ms`);
    await sleep(25);
  }
}

/** Polls the job until `condition` holds (or it stops running). */
async function until(host: SimHost, jobId: string, condition: (job: Job) => boolean): Promise<Job> {
  for (;;) {
    const job = await client(host).getJob(jobId);
    if (condition(job) || job.state !== 'running') return job;
    await sleep(10);
  }
}

/** The hostnames of every host in the world that has the VM. */
const holders = (vmId: string) => world.hosts.filter((host) => host.vmIds().includes(vmId)).map((host) => host.hostname);

let counter = 0;
async function runningVm(options: { disk?: 'ceph-a' | 'local'; memoryMiB?: number; cpuModel?: string } = {}) {
  counter += 1;
  return client(source).createVm({
    name: `ctl-${counter}`,
    vcpus: 2,
    memoryMiB: options.memoryMiB ?? 1024,
    cpu: { model: options.cpuModel ?? 'host-model', features: [] },
    disks: [{ poolId: options.disk ?? 'ceph-a', sizeBytes: 4 * 1024 ** 3, format: 'raw' }],
    nics: [{ networkId: 'br-prod' }],
    start: true,
  });
}

/** The job.progress (or job.finished) events of one job on the host's event stream, as they arrive. */
async function progressOf(host: SimHost, jobId: string, type: 'job.progress' | 'job.finished' = 'job.progress') {
  const seen: Job[] = [];
  const stream = await client(host).events(
    {},
    {
      onControl: () => undefined,
      onEvent: (event: VaporEvent) => {
        if (event.type === type && event.data.job.id === jobId) seen.push(event.data.job);
      },
      onClose: () => undefined,
    },
  );
  return { seen, close: stream.close };
}

describe('a running migration’s bandwidth (PATCH /v1/jobs/{jobId})', () => {
  it('changes for a live migration from its next step on, and the job says the limit in force', async () => {
    const vm = await runningVm({ memoryMiB: 2048 });
    const job = await migrate(vm.id, target, { maxBandwidthMBps: 1 });
    expect(job).toMatchObject({ state: 'running', maxBandwidthMBps: 1 });
    await sleep(200); // 40 s simulated at 1 MB/s: some 40 MiB of 2 GiB
    const slow = await client(source).getJob(job.id);
    expect(slow.progress.throughputMBps).toBeLessThanOrEqual(1);
    expect(slow.progress.transferredBytes).toBeLessThan(100 * MiB);
    expect(await client(source).setJobBandwidth(job.id, 1000)).toMatchObject({ state: 'running', maxBandwidthMBps: 1000 });
    // At 1 MB/s the rest would take 10 s more (2,000 simulated seconds).
    const done = await finished(source, job.id, 3000);
    expect(done).toMatchObject({ state: 'completed', maxBandwidthMBps: 1000 });
    expect(holders(vm.id)).toEqual([target.hostname]);
    await expect(client(source).setJobBandwidth(job.id, 10)).rejects.toMatchObject({
      status: 409,
      message: `Job ${job.id} already completed; its bandwidth can no longer be changed`,
    });
    await expect(client(source).setJobBandwidth(UNKNOWN_JOB, 10)).rejects.toMatchObject({
      status: 404,
      message: `No job ${UNKNOWN_JOB} on host ${source.hostname}`,
    });
  });

  it('changes for a storage migration, null lifting the limit', async () => {
    const vm = await runningVm({ disk: 'local' });
    const job = await client(source).migrateStorage({ vmId: vm.id, diskId: 'vda', targetPoolId: 'ceph-a', maxBandwidthMBps: 1 });
    expect(job.maxBandwidthMBps).toBe(1);
    await sleep(100);
    expect((await client(source).getJob(job.id)).progress.transferredBytes).toBeLessThan(100 * MiB);
    expect((await client(source).setJobBandwidth(job.id, null)).maxBandwidthMBps).toBeNull();
    // 4 GiB at 1 MB/s: 20 s; unlimited: 10 simulated seconds.
    expect(await finished(source, job.id, 3000)).toMatchObject({ state: 'completed', maxBandwidthMBps: null });
    expect((await client(source).getVm(vm.id)).disks[0]?.poolId).toBe('ceph-a');
  });

  it('refuses a limit that is not more than 0 and at most 100000 MB/s, or null', async () => {
    for (const maxBandwidthMBps of [0, -1, 100_001, '10', undefined])
      await expect(
        client(source).call(vaporRoutes.setJobBandwidth, { params: { jobId: UNKNOWN_JOB }, body: { maxBandwidthMBps } as never }),
      ).rejects.toMatchObject({ status: 400 });
  });
});

describe('cancel during the switch-over', () => {
  it('is refused with 409 once the destination is starting the VM, and the migration finishes on exactly one host', async () => {
    const vm = await runningVm();
    // The destination takes 1.5 s to answer the switch-over: the window in which a cancel would resume the VM here too.
    agent.faults.set(target.uuid, { nextRequests: { routeId: 'completeIncoming', remaining: 1, delayMs: 1500, refuse: null } });
    const job = await migrate(vm.id, target);
    const switching = await until(source, job.id, (j) => j.progress.phase === 'stop-and-copy');
    expect(switching).toMatchObject({ state: 'running', progress: { phase: 'stop-and-copy' } });
    await expect(client(source).cancelJob(job.id)).rejects.toMatchObject({
      status: 409,
      message: `VM ${vm.name} is switching over to host ${target.hostname}; the migration can no longer be cancelled`,
    });
    await expect(client(source).setJobBandwidth(job.id, 10)).rejects.toMatchObject({
      status: 409,
      message: `VM ${vm.name} is switching over to host ${target.hostname}; its bandwidth no longer matters`,
    });
    expect(await finished(source, job.id)).toMatchObject({ state: 'completed', result: { error: null } });
    expect(holders(vm.id)).toEqual([target.hostname]);
    expect((await client(target).getVm(vm.id)).state).toBe('running');
    await expect(client(source).getVm(vm.id)).rejects.toMatchObject({ status: 404 });
  }, 10_000);

  it('still cancels before the switch-over (the positive control): the VM runs on the source only, one job.finished', async () => {
    const vm = await runningVm();
    const job = await migrate(vm.id, target, { maxBandwidthMBps: 1 });
    const finishes = await progressOf(source, job.id, 'job.finished');
    expect((await client(source).cancelJob(job.id)).state).toBe('cancelled');
    expect((await client(source).getVm(vm.id)).state).toBe('running');
    expect(holders(vm.id)).toEqual([source.hostname]);
    await sleep(100);
    finishes.close();
    expect(finishes.seen).toMatchObject([{ state: 'cancelled' }]);
  });
});

describe('the stallMigrations fault (loopback fault admin)', () => {
  /** Stalls the job's host mid-copy, checks nothing moves for a second while it keeps reporting, then lets it finish. */
  async function stallAndRelease(jobId: string) {
    await until(source, jobId, (job) => job.progress.transferredBytes > 0);
    const progress = await progressOf(source, jobId);
    expect(await fault(source, { stallMigrations: { stall: true } })).toMatchObject({ status: 200 });
    await sleep(100); // what was on its way before the stall has arrived
    const stalledAt = (await client(source).getJob(jobId)).progress.transferredBytes;
    const from = progress.seen.length;
    await sleep(1200); // 4 simulated minutes
    const during = progress.seen.slice(from);
    progress.close();
    expect(during.length).toBeGreaterThanOrEqual(2);
    for (const job of during)
      expect(job).toMatchObject({ state: 'running', progress: { transferredBytes: stalledAt, throughputMBps: 0 } });
    expect((await client(source).getJob(jobId)).state).toBe('running');
    expect(await fault(source, { stallMigrations: { stall: false } })).toMatchObject({ status: 200 });
    await client(source).setJobBandwidth(jobId, null);
    const done = await finished(source, jobId, 3000);
    expect(done.state).toBe('completed');
    expect(done.progress.transferredBytes).toBeGreaterThan(stalledAt);
  }

  it('holds an outgoing live migration: running, progress events with unchanged bytes; cleared, it finishes', async () => {
    const vm = await runningVm({ memoryMiB: 4096 });
    const job = await migrate(vm.id, target, { maxBandwidthMBps: 5 }); // 4 GiB: 4 s at this pace
    await stallAndRelease(job.id);
    expect(holders(vm.id)).toEqual([target.hostname]);
  }, 10_000);

  it('holds a storage migration the same way', async () => {
    const vm = await runningVm({ disk: 'local' });
    const job = await client(source).migrateStorage({ vmId: vm.id, diskId: 'vda', targetPoolId: 'ceph-a', maxBandwidthMBps: 5 });
    await stallAndRelease(job.id);
    expect((await client(source).getVm(vm.id)).disks[0]?.poolId).toBe('ceph-a');
  }, 10_000);

  it('takes { stall: boolean } and nothing else; clear ends it too', async () => {
    expect((await fault(source, { stallMigrations: true })).status).toBe(400);
    expect((await fault(source, { stallMigrations: {} })).status).toBe(400);
    expect((await fault(source, { stallMigrations: { stall: true } })).status).toBe(200);
    expect((await fault(source, { clear: true })).status).toBe(200);
    const vm = await runningVm();
    expect((await finished(source, (await migrate(vm.id, target)).id, 3000)).state).toBe('completed');
  });
});

describe('host-passthrough CPUs', () => {
  const why = (name: string) =>
    `Destination refused: VM ${name} runs with CPU model host-passthrough, so it can only move to a host whose CPU is the same as its source's`;

  it('move only to a host with the source’s CPU model and flags; the refusal names what differs', async () => {
    expect([source.cpu.model, twin.cpu.model, target.cpu.model]).toEqual([
      'Skylake-Server-IBRS',
      'Skylake-Server-IBRS',
      'Cascadelake-Server',
    ]);
    const vm = await runningVm({ cpuModel: 'host-passthrough' });
    await expect(migrate(vm.id, target)).rejects.toMatchObject({
      status: 409,
      message: `${why(vm.name)}: host ${target.hostname} is Cascadelake-Server, the source Skylake-Server-IBRS; host ${target.hostname} has avx512vnni, which the source lacks`,
    });
    await expect(migrate(vm.id, broadwell)).rejects.toMatchObject({
      status: 409,
      message: `${why(vm.name)}: host ${broadwell.hostname} is Broadwell-IBRS, the source Skylake-Server-IBRS; host ${broadwell.hostname} lacks avx512f, avx512cd, avx512bw, avx512dq, avx512vl, clwb, pku`,
    });
    expect((await client(source).getVm(vm.id)).state).toBe('running');
    expect(await finished(source, (await migrate(vm.id, twin)).id)).toMatchObject({ state: 'completed' });
    expect((await client(twin).getVm(vm.id)).state).toBe('running');
    expect(holders(vm.id)).toEqual([twin.hostname]);
  });

  it('are refused when the source does not say its CPU; a shut-off one moves anywhere (it boots afresh)', async () => {
    const vm = await runningVm({ cpuModel: 'host-passthrough' });
    const request = {
      vm: await client(source).getVm(vm.id),
      options: MigrationOptions.parse({}),
      sourceHostUuid: source.uuid,
      snapshots: [],
    };
    await expect(client(twin).prepareIncoming(request)).rejects.toMatchObject({
      status: 409,
      message: `${why(vm.name).replace('Destination refused: ', '')}, and the source did not say what its CPU is (sourceCpu)`,
    });
    await client(source).act(vm.id, 'poweroff');
    expect(await finished(source, (await migrate(vm.id, target, { live: false })).id)).toMatchObject({ state: 'completed' });
    expect((await client(target).getVm(vm.id)).state).toBe('shutoff');
  });
});

describe('the destination dying mid-copy', () => {
  it('fails the migration on the next keepalive, with the reason, and the VM keeps running on the source', async () => {
    // The destination on an agent of its own, which stops while the copy is under way.
    const lone = await startAgentServer(
      { hosts: [{ uuid: target.uuid, driver: target }], token: TOKEN, tls, fleet: true },
      { port: 0, host: '127.0.0.1' },
    );
    const vm = await runningVm({ memoryMiB: 4096 });
    const job = await client(source).migrate({
      vmId: vm.id,
      destination: { url: lone.baseUrls.get(target.uuid) ?? '', token: TOKEN, fingerprint: tls.fingerprint },
      options: { maxBandwidthMBps: 1 }, // 20 s at this pace
    });
    expect((await until(source, job.id, (j) => j.progress.transferredBytes > 0)).state).toBe('running');
    await lone.close();
    const done = await finished(source, job.id, 10_000); // keepalives go every 5 s
    expect(done).toMatchObject({
      state: 'failed',
      result: { error: expect.stringMatching(/^lost the destination: /) as unknown },
    });
    expect((await client(source).getVm(vm.id)).state).toBe('running');
    expect(holders(vm.id)).toEqual([source.hostname]);
  }, 15_000);
});
