import { afterEach, describe, expect, it } from '@jest/globals';
import { DriverError, type DriverEvent } from '@cockpit/vapor-driver';
import { SimWorld } from './world.js';

const worlds: SimWorld[] = [];
function world(options: ConstructorParameters<typeof SimWorld>[0] = {}): SimWorld {
  const created = new SimWorld({ timeScale: 1000, statsIntervalMs: 60_000, ...options });
  worlds.push(created);
  return created;
}
afterEach(async () => {
  await Promise.all(worlds.splice(0).map((w) => w.close()));
});

function events(host: SimWorld['hosts'][number]): DriverEvent[] {
  const seen: DriverEvent[] = [];
  host.onEvent((event) => seen.push(event));
  return seen;
}

async function refusal(promise: Promise<unknown>): Promise<DriverError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof DriverError)) throw new Error(`expected a DriverError, got ${String(error)}`);
  return error;
}

const until = async (condition: () => boolean, timeoutMs = 3000) => {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

describe('SimWorld', () => {
  it('is deterministic from its seed and varies with it', () => {
    const a = world({ seed: 7, hosts: 4, vmsPerHost: 3 });
    const b = world({ seed: 7, hosts: 4, vmsPerHost: 3 });
    const c = world({ seed: 8, hosts: 4, vmsPerHost: 3 });
    const shape = (w: SimWorld) =>
      w.hosts.map((h) => [h.uuid, h.kernel, h.listVms().map((vm) => [vm.id, vm.name, vm.state, vm.memoryMiB])]);
    expect(shape(a)).toEqual(shape(b));
    expect(shape(a)).not.toEqual(shape(c));
  });

  it('is heterogeneous: CPU models, bridges and kernels differ, and shared pools are shared', () => {
    const w = world({ hosts: 8, vmsPerHost: 0 });
    expect(new Set(w.hosts.map((h) => h.hostInfo().cpu.model)).size).toBeGreaterThan(3);
    expect(new Set(w.hosts.map((h) => h.networks.map((n) => n.id).join())).size).toBeGreaterThan(1);
    const mounting = w.hosts.filter((h) => h.hostInfo().pools.some((p) => p.id === 'ceph-a'));
    expect(mounting.length).toBeGreaterThan(1);
    expect(w.hosts.some((h) => !h.hostInfo().pools.some((p) => p.type === 'shared'))).toBe(true);
  });
});

describe('SimHost VMs', () => {
  it('creates a VM, announcing it, and refuses bad specs naming the problem without leaving anything behind', async () => {
    const [host] = world({ hosts: 1, vmsPerHost: 0 }).hosts;
    if (!host) throw new Error('no host');
    const seen = events(host);
    const vm = await host.createVm({
      name: 'web-1',
      vcpus: 2,
      memoryMiB: 1024,
      cpu: { model: 'host-model', features: [] },
      disks: [{ poolId: 'local', sizeBytes: 10 * 1024 ** 3, format: 'qcow2', bus: 'virtio' }],
      nics: [{ networkId: 'br-mgmt', model: 'virtio' }],
      start: true,
    });
    expect(vm).toMatchObject({ name: 'web-1', state: 'running', generation: 2 });
    expect(vm.nics[0]?.mac).toMatch(/^52:54:00:/);
    expect(seen.map((e) => e.type)).toEqual(['vm.created', 'vm.state']);

    const before = JSON.stringify([host.hostInfo().pools, host.listVms().length]);
    const base = { vcpus: 1, memoryMiB: 512, cpu: { model: 'host-model', features: [] }, nics: [], start: false };
    expect(
      await refusal(
        host.createVm({ ...base, name: 'x', disks: [{ poolId: 'nope', sizeBytes: 2 ** 30, format: 'qcow2', bus: 'virtio' }] }),
      ),
    ).toMatchObject({
      status: 404,
      message: expect.stringContaining('No storage pool "nope"') as unknown as string,
    });
    expect(
      (await refusal(host.createVm({ ...base, name: 'x', disks: [], nics: [{ networkId: 'br-nope', model: 'virtio' }] })))
        .message,
    ).toContain('No bridge "br-nope"');
    expect((await refusal(host.createVm({ ...base, name: 'web-1', disks: [] }))).status).toBe(409);
    expect(
      (await refusal(host.createVm({ ...base, name: 'x', disks: [], cpu: { model: 'host-model', features: ['no-such-flag'] } })))
        .message,
    ).toContain('lacks: no-such-flag');
    const huge = await refusal(
      host.createVm({
        ...base,
        name: 'x',
        disks: [{ poolId: 'local', sizeBytes: 100 * 1024 ** 4, format: 'raw', bus: 'virtio' }],
      }),
    );
    expect(huge).toMatchObject({ status: 409 });
    expect(JSON.stringify([host.hostInfo().pools, host.listVms().length])).toBe(before);
  });

  it('follows the lifecycle and refuses conflicting actions with the reason', async () => {
    const [host] = world({ hosts: 1, vmsPerHost: 0 }).hosts;
    if (!host) throw new Error('no host');
    const vm = await host.createVm({
      name: 'db',
      vcpus: 2,
      memoryMiB: 2048,
      cpu: { model: 'host-model', features: [] },
      disks: [],
      nics: [],
      start: false,
    });
    expect((await host.act(vm.id, 'start')).state).toBe('running');
    expect((await refusal(host.act(vm.id, 'start'))).message).toBe('Cannot start VM db: it is already running');
    expect((await host.act(vm.id, 'pause')).state).toBe('paused');
    expect((await host.act(vm.id, 'resume')).state).toBe('running');
    expect((await host.act(vm.id, 'shutdown')).state).toBe('running'); // the guest takes a moment
    await until(() => host.getVm(vm.id).state === 'shutoff');
    expect((await refusal(host.act(vm.id, 'pause'))).status).toBe(409);
    expect((await refusal(host.act('00000000-0000-4000-8000-000000000000', 'start'))).status).toBe(404);
  });

  it('applies updates by the live-update rules and detects lost updates by generation', async () => {
    const [host] = world({ hosts: 1, vmsPerHost: 0 }).hosts;
    if (!host) throw new Error('no host');
    const vm = await host.createVm({
      name: 'app',
      vcpus: 2,
      memoryMiB: 1024,
      cpu: { model: 'host-model', features: [] },
      disks: [],
      nics: [],
      start: true,
    });
    expect((await refusal(host.updateVm(vm.id, { vcpus: 4 }))).message).toContain('vcpus can change only while it is shut off');
    const grown = await host.updateVm(
      vm.id,
      { memoryMiB: 2048, addNics: [{ networkId: 'br-mgmt', model: 'virtio' }] },
      vm.generation,
    );
    expect(grown).toMatchObject({ memoryMiB: 2048, generation: vm.generation + 1 });
    expect(grown.nics.map((n) => n.id)).toEqual(['net0']);
    expect((await refusal(host.updateVm(vm.id, { name: 'renamed' }, vm.generation))).status).toBe(412);
    await host.act(vm.id, 'poweroff');
    expect((await host.updateVm(vm.id, { vcpus: 4 })).vcpus).toBe(4);
  });

  it('deletes only stopped VMs, freeing their disks unless asked to keep them', async () => {
    const [host] = world({ hosts: 1, vmsPerHost: 0 }).hosts;
    if (!host) throw new Error('no host');
    const free = () => host.hostInfo().pools.find((p) => p.id === 'local')?.freeBytes ?? 0;
    const initial = free();
    const vm = await host.createVm({
      name: 'tmp',
      vcpus: 1,
      memoryMiB: 512,
      cpu: { model: 'host-model', features: [] },
      disks: [{ poolId: 'local', sizeBytes: 8 * 1024 ** 3, format: 'raw', bus: 'virtio' }],
      nics: [],
      start: true,
    });
    expect(free()).toBe(initial - 8 * 1024 ** 3);
    expect((await refusal(host.deleteVm(vm.id, { keepDisks: false }))).message).toContain('shut it down or power it off');
    await host.act(vm.id, 'poweroff');
    await host.deleteVm(vm.id, { keepDisks: false });
    expect(free()).toBe(initial);
    expect(host.listVms()).toEqual([]);
  });
});

describe('SimHost storage migration', () => {
  it('mirrors a disk to another pool, pivots and frees the source', async () => {
    const w = world({ hosts: 1, vmsPerHost: 0 });
    const [host] = w.hosts;
    if (!host) throw new Error('no host');
    const vm = await host.createVm({
      name: 'mover',
      vcpus: 1,
      memoryMiB: 512,
      cpu: { model: 'host-model', features: [] },
      disks: [{ poolId: 'local', sizeBytes: 4 * 1024 ** 3, format: 'raw', bus: 'virtio' }],
      nics: [],
      start: true,
    });
    const pools = () => Object.fromEntries(host.hostInfo().pools.map((p) => [p.id, p.freeBytes]));
    const before = pools();
    const seen = events(host);
    const job = await host.migrateStorage(vm.id, 'vda', 'ceph-a', { maxBandwidthMBps: null, deleteSource: true });
    expect(job).toMatchObject({ type: 'storage-migration', state: 'running' });
    await until(() => host.getJob(job.id).state !== 'running');
    const done = host.getJob(job.id);
    expect(done.state).toBe('completed');
    expect(done.progress.transferredBytes).toBeGreaterThanOrEqual(4 * 1024 ** 3);
    expect(host.getVm(vm.id).disks[0]?.poolId).toBe('ceph-a');
    expect(pools()['local']).toBe((before['local'] ?? 0) + 4 * 1024 ** 3);
    expect(pools()['ceph-a']).toBe((before['ceph-a'] ?? 0) - 4 * 1024 ** 3);
    expect(seen.map((e) => e.type)).toEqual(expect.arrayContaining(['job.progress', 'vm.updated', 'job.finished']));
    expect(host.getVm(vm.id).state).toBe('running');
  });

  it('cancels, giving back the reserved space and leaving the disk where it was', async () => {
    const [host] = world({ hosts: 1, vmsPerHost: 0, timeScale: 1 }).hosts;
    if (!host) throw new Error('no host');
    const vm = await host.createVm({
      name: 'stay',
      vcpus: 1,
      memoryMiB: 512,
      cpu: { model: 'host-model', features: [] },
      disks: [{ poolId: 'local', sizeBytes: 400 * 1024 ** 3, format: 'raw', bus: 'virtio' }],
      nics: [],
      start: true,
    });
    const before = host.hostInfo().pools;
    const job = await host.migrateStorage(vm.id, 'vda', 'ceph-a', { maxBandwidthMBps: 100, deleteSource: true });
    expect(
      (await refusal(host.migrateStorage(vm.id, 'vda', 'ceph-a', { maxBandwidthMBps: null, deleteSource: true }))).status,
    ).toBe(409);
    expect((await host.cancelJob(job.id)).state).toBe('cancelled');
    expect(host.hostInfo().pools).toEqual(before);
    expect(host.getVm(vm.id).disks[0]?.poolId).toBe('local');
  });
});

describe('SimHost exec and stats', () => {
  it('answers commands from a per-host environment that differs across hosts', async () => {
    const w = world({ hosts: 6, vmsPerHost: 1 });
    const kernels = await Promise.all(w.hosts.map(async (h) => (await h.exec(['uname', '-r'], 1000)).stdout));
    expect(new Set(kernels).size).toBeGreaterThan(1);
    const [host] = w.hosts;
    if (!host) throw new Error('no host');
    expect(await host.exec(['hostname'], 1000)).toMatchObject({ exitCode: 0, stdout: `${host.hostname}\n` });
    expect(await host.exec(['rm', '-rf', '/'], 1000)).toMatchObject({ exitCode: 127, stderr: 'rm: command not found\n' });
    expect((await host.exec(['dpkg-query', '-W', 'qemu-system-x86'], 1000)).stdout).toMatch(/^qemu-system-x86\t/);
  });

  it('times a long command out', async () => {
    const [host] = world({ hosts: 1, vmsPerHost: 0, timeScale: 1 }).hosts;
    if (!host) throw new Error('no host');
    expect(await host.exec(['sleep', '30'], 150)).toMatchObject({ exitCode: null, timedOut: true });
  });

  it('samples host and per-VM stats from the workload profiles', () => {
    const [host] = world({ hosts: 1, vmsPerHost: 5 }).hosts;
    if (!host) throw new Error('no host');
    const seen = events(host);
    host.emitStats();
    const stats = seen.find((e) => e.type === 'stats');
    if (stats?.type !== 'stats') throw new Error('no stats');
    const running = host.listVms().filter((vm) => vm.state === 'running');
    expect(stats.data.vms.map((v) => v.vmId).sort()).toEqual(running.map((vm) => vm.id).sort());
    for (const v of stats.data.vms) expect(v.cpuPercent).toBeGreaterThanOrEqual(0);
    expect(stats.data.host.cpuPercent).toBeGreaterThan(0);
  });
});
