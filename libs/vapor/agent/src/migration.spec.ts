import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Job, MigrationRequest, VaporEvent } from '@cockpit/contracts';
import { VaporClient } from '@cockpit/vapor-client';
import { SimWorld, type SimHost } from '@cockpit/vapor-sim';
import { startAgentServer, type RunningAgent } from './agent-server.js';
import { loadOrCreateTlsIdentity } from './tls-identity.js';

const TOKEN = 'migration-token-0123456789';

/** Two hosts in one simulated world: sim-02 (Skylake, ceph-a, br-dmz) and sim-03 (Cascadelake, ceph-a, no br-dmz). */
let dir: string;
let world: SimWorld;
let agent: RunningAgent;
let fingerprint: string;
let source: SimHost;
let target: SimHost;
let broadwell: SimHost;
const client = (host: SimHost) => new VaporClient({ baseUrl: agent.baseUrls.get(host.uuid) ?? '', token: TOKEN, fingerprint });
const destination = (host: SimHost) => ({ url: agent.baseUrls.get(host.uuid) ?? '', token: TOKEN, fingerprint });

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'vapor-migration-'));
  const tls = await loadOrCreateTlsIdentity(dir);
  fingerprint = tls.fingerprint;
  world = new SimWorld({ seed: 5, hosts: 3, vmsPerHost: 0, timeScale: 200, statsIntervalMs: 60_000 });
  [broadwell, source, target] = world.hosts as [SimHost, SimHost, SimHost];
  agent = await startAgentServer(
    { hosts: world.hosts.map((h) => ({ uuid: h.uuid, driver: h })), token: TOKEN, tls, fleet: true },
    { port: 0, host: '127.0.0.1' },
  );
});
afterAll(async () => {
  await agent.close();
  await world.close();
  await rm(dir, { recursive: true, force: true });
});

async function finished(host: SimHost, jobId: string, timeoutMs = 15_000): Promise<Job> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await client(host).getJob(jobId);
    if (job.state !== 'running') return job;
    if (Date.now() > deadline) throw new Error(`job still ${job.progress.phase} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

let counter = 0;
async function runningVm(options: { disk?: 'ceph-a' | 'local'; bridge?: string; features?: string[]; memoryMiB?: number } = {}) {
  counter += 1;
  return client(source).createVm({
    name: `mig-${counter}`,
    vcpus: 2,
    memoryMiB: options.memoryMiB ?? 1024,
    cpu: { model: 'host-model', features: options.features ?? [] },
    disks: [{ poolId: options.disk ?? 'ceph-a', sizeBytes: 4 * 1024 ** 3, format: 'raw' }],
    nics: [{ networkId: options.bridge ?? 'br-prod' }],
    start: true,
  });
}

const migrate = (vmId: string, options: MigrationRequest['options'] = {}) =>
  client(source).migrate({ vmId, destination: destination(target), options });

describe('live migration between two hosts, agent to agent over HTTPS', () => {
  it('moves a running VM on shared storage: it runs on the destination and is gone from the source', async () => {
    expect(source.hostInfo().cpu.model).toBe('Skylake-Server-IBRS');
    const vm = await runningVm();
    const events: VaporEvent[] = [];
    const stream = await client(source).events(
      {},
      { onControl: () => undefined, onEvent: (e) => events.push(e), onClose: () => undefined },
    );
    const job = await migrate(vm.id, { downtimeLimitMs: 200 });
    expect(job).toMatchObject({ type: 'migration', state: 'running' });
    expect((await client(source).getVm(vm.id)).state).toBe('migrating');
    const done = await finished(source, job.id);
    stream.close();
    expect(done.state).toBe('completed');
    expect(done.result?.downtimeMs).toBeLessThanOrEqual(203);
    expect(done.progress.transferredBytes).toBeGreaterThanOrEqual(1024 * 1024 ** 2);
    expect(await client(target).getVm(vm.id)).toMatchObject({ name: vm.name, state: 'running' });
    await expect(client(source).getVm(vm.id)).rejects.toMatchObject({ status: 404 });
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['vm.state', 'job.progress', 'vm.deleted', 'job.finished']));
  });

  it('answers the pre-flight checks with the destination’s reason, and nothing moves', async () => {
    const dmz = await runningVm({ bridge: 'br-dmz' });
    await expect(migrate(dmz.id)).rejects.toMatchObject({
      status: 409,
      message: `Destination refused: Host ${target.hostname} has no bridge br-dmz`,
    });
    const avx512 = await runningVm({ features: ['avx512f'] });
    await expect(client(source).migrate({ vmId: avx512.id, destination: destination(broadwell) })).rejects.toMatchObject({
      status: 409,
      message: `Destination refused: Host ${broadwell.hostname} CPU (Broadwell-IBRS) lacks: avx512f`,
    });
    const huge = await runningVm({ memoryMiB: 64 * 1024 });
    const hog = await client(target).createVm({
      name: 'hog',
      vcpus: 1,
      memoryMiB: target.hostInfo().memory.freeMiB - 1024,
      start: true,
    });
    await expect(migrate(huge.id)).rejects.toMatchObject({
      status: 409,
      message: expect.stringContaining('MiB free') as unknown as string,
    });
    await client(target).act(hog.id, 'poweroff');
    for (const vm of [dmz, avx512, huge]) expect((await client(source).getVm(vm.id)).state).toBe('running');
  });

  it('copies local disks for a shared-nothing move, and refuses it without copy storage', async () => {
    const vm = await runningVm({ disk: 'local' });
    await expect(migrate(vm.id)).rejects.toMatchObject({
      status: 409,
      message: expect.stringContaining('copy storage') as unknown as string,
    });
    const localFree = (host: SimHost) => host.hostInfo().pools.find((p) => p.id === 'local')?.freeBytes ?? 0;
    const [sourceBefore, targetBefore] = [localFree(source), localFree(target)];
    const done = await finished(source, (await migrate(vm.id, { copyStorage: true })).id);
    expect(done.state).toBe('completed');
    expect(done.progress.totalBytes).toBe(4 * 1024 ** 3 + 1024 * 1024 ** 2);
    expect(localFree(source)).toBe(sourceBefore + 4 * 1024 ** 3);
    expect(localFree(target)).toBe(targetBefore - 4 * 1024 ** 3);
  });

  it('moves a VM with its snapshots (memory ones too) and their room, and refuses to keep a copy that would share them', async () => {
    counter += 1;
    const vm = await client(source).createVm({
      name: `mig-snap-${counter}`,
      vcpus: 1,
      memoryMiB: 512,
      disks: [{ poolId: 'local', sizeBytes: 1024 ** 3 }],
      nics: [{ networkId: 'br-prod' }],
      start: true,
    });
    const ram = await client(source).createSnapshot(vm.id, { name: 'ram', memory: true });
    const disk = await client(source).createSnapshot(vm.id, { name: 'disk', memory: false });
    await expect(migrate(vm.id, { copyStorage: true, undefineSource: false })).rejects.toMatchObject({
      status: 422,
      message: expect.stringContaining('has 2 snapshots, which move with it') as unknown as string,
    });
    const localFree = (host: SimHost) => host.hostInfo().pools.find((p) => p.id === 'local')?.freeBytes ?? 0;
    const [sourceBefore, targetBefore] = [localFree(source), localFree(target)];
    const held = 2 * 1024 ** 2 + ram.snapshot.sizeBytes + disk.snapshot.sizeBytes; // the disk as allocated, and both snapshots
    const done = await finished(source, (await migrate(vm.id, { copyStorage: true })).id);
    expect(done.state).toBe('completed');
    expect(localFree(source)).toBe(sourceBefore + held);
    expect(localFree(target)).toBe(targetBefore - held);
    const moved = await client(target).getVm(vm.id);
    expect(moved).toMatchObject({ state: 'running', snapshotCount: 2 });
    expect(await client(target).listSnapshots(vm.id)).toEqual([
      { ...ram.snapshot, current: false },
      { ...disk.snapshot, current: true },
    ]);
    // And they still work there: back to the RAM state.
    expect((await client(target).revertSnapshot(vm.id, ram.snapshot.id)).state).toBe('running');
    await client(target).act(vm.id, 'poweroff');
  });

  it('throttles a guest that dirties memory faster than the link with auto-converge', async () => {
    const vm = await runningVm({ memoryMiB: 2048 });
    source.setWorkload(vm.id, 'batch');
    const done = await finished(
      source,
      (await migrate(vm.id, { autoConverge: true, maxBandwidthMBps: 200, downtimeLimitMs: 100 })).id,
      30_000,
    );
    expect(done.state).toBe('completed');
    expect(done.progress.cpuThrottlePercent).toBeGreaterThanOrEqual(20);
    expect(done.progress.iteration).toBeGreaterThan(1);
  });

  it('offline (not live): one pass with the guest paused, so the downtime is the whole copy', async () => {
    const vm = await runningVm({ memoryMiB: 2048 });
    source.setWorkload(vm.id, 'batch');
    const done = await finished(source, (await migrate(vm.id, { live: false, maxBandwidthMBps: 1000 })).id);
    expect(done.state).toBe('completed');
    expect(done.progress.iteration).toBe(1);
    expect(done.result?.downtimeMs).toBeGreaterThanOrEqual(1900); // 2 GiB at 1000 MiB/s, simulated
  });

  it('cancels, leaving the VM running on the source and the destination’s room released', async () => {
    const vm = await runningVm({ memoryMiB: 4096 });
    const freeBefore = target.hostInfo().memory.freeMiB;
    const job = await migrate(vm.id, { maxBandwidthMBps: 1 });
    expect(target.hostInfo().memory.freeMiB).toBe(freeBefore - 4096);
    const cancelled = await client(source).cancelJob(job.id);
    expect(cancelled.state).toBe('cancelled');
    expect((await client(source).getVm(vm.id)).state).toBe('running');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(target.hostInfo().memory.freeMiB).toBe(freeBefore);
    await expect(client(target).getVm(vm.id)).rejects.toMatchObject({ status: 404 });
  });

  it('fails midway on an injected fault and the VM keeps running on the source', async () => {
    const vm = await runningVm({ memoryMiB: 2048 });
    agent.faults.failNextMigration(source.uuid, 0.5);
    const done = await finished(source, (await migrate(vm.id, { maxBandwidthMBps: 500 })).id);
    expect(done).toMatchObject({ state: 'failed', result: { error: 'injected fault: the migration stream broke' } });
    expect((await client(source).getVm(vm.id)).state).toBe('running');
    await expect(client(target).getVm(vm.id)).rejects.toMatchObject({ status: 404 });
  });

  it('fails cleanly when the destination cannot be reached', async () => {
    const vm = await runningVm();
    await expect(
      client(source).migrate({ vmId: vm.id, destination: { url: 'https://127.0.0.1:1/hosts/x', token: TOKEN, fingerprint } }),
    ).rejects.toMatchObject({ status: 502 });
    expect((await client(source).getVm(vm.id)).state).toBe('running');
  });
});
