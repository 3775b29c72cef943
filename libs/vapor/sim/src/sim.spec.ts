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

  it('applies live fields of a running VM at once, stages the rest and detects lost updates by generation', async () => {
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
    expect(vm).toMatchObject({ autostart: false, bootOrder: ['disk', 'network'], pendingChanges: {}, snapshotCount: 0 });
    const staged = await host.updateVm(vm.id, { vcpus: 4, autostart: true, bootOrder: ['network', 'disk'] });
    expect(staged).toMatchObject({
      vcpus: 2,
      autostart: true,
      bootOrder: ['disk', 'network'],
      pendingChanges: { vcpus: 4, bootOrder: ['network', 'disk'] },
      generation: vm.generation + 1,
    });
    const grown = await host.updateVm(
      vm.id,
      { memoryMiB: 2048, addNics: [{ networkId: 'br-mgmt', model: 'virtio' }] },
      staged.generation,
    );
    expect(grown).toMatchObject({ memoryMiB: 2048, generation: staged.generation + 1 });
    expect(grown.nics.map((n) => n.id)).toEqual(['net0']);
    expect((await refusal(host.updateVm(vm.id, { name: 'renamed' }, vm.generation))).status).toBe(412);
    // Staging what it already runs with cancels that staged change.
    expect((await host.updateVm(vm.id, { bootOrder: ['disk', 'network'] })).pendingChanges).toEqual({ vcpus: 4 });
    // Reboot and reset are warm: nothing staged applies.
    await host.act(vm.id, 'reboot');
    await host.act(vm.id, 'reset');
    expect(host.getVm(vm.id)).toMatchObject({ vcpus: 2, pendingChanges: { vcpus: 4 } });
    // A shut-off VM takes everything at once, and a newer value replaces the staged one.
    await host.act(vm.id, 'poweroff');
    expect(host.getVm(vm.id)).toMatchObject({ vcpus: 2, pendingChanges: { vcpus: 4 } });
    const seen = events(host);
    const started = await host.act(vm.id, 'start');
    expect(started).toMatchObject({ state: 'running', vcpus: 4, pendingChanges: {} });
    expect(seen.map((e) => e.type)).toEqual(['vm.state', 'vm.updated']);
    await host.act(vm.id, 'poweroff');
    expect((await host.updateVm(vm.id, { vcpus: 8 })).vcpus).toBe(8);
  });

  it('stages disk removal on a running VM until its next cold start, then gives the space back', async () => {
    const [host] = world({ hosts: 1, vmsPerHost: 0 }).hosts;
    if (!host) throw new Error('no host');
    const free = () => host.hostInfo().pools.find((p) => p.id === 'local')?.freeBytes ?? 0;
    const vm = await host.createVm({
      name: 'disks',
      vcpus: 1,
      memoryMiB: 512,
      cpu: { model: 'host-model', features: [] },
      disks: [
        { poolId: 'local', sizeBytes: 2 * 1024 ** 3, format: 'raw', bus: 'virtio' },
        { poolId: 'local', sizeBytes: 1024 ** 3, format: 'raw', bus: 'virtio' },
      ],
      nics: [],
      start: true,
    });
    const before = free();
    const staged = await host.updateVm(vm.id, { removeDisks: ['vdb'] });
    expect(staged.pendingChanges).toEqual({ removeDisks: ['vdb'] });
    expect(staged.disks.map((d) => d.id)).toEqual(['vda', 'vdb']);
    expect((await refusal(host.updateVm(vm.id, { removeDisks: ['vdz'] }))).status).toBe(404);
    expect((await refusal(host.updateVm(vm.id, { removeNics: ['vda'] }))).message).toContain('no such NIC');
    // Dropping what was staged.
    expect((await host.updateVm(vm.id, { discardPendingChanges: true, autostart: true })).pendingChanges).toEqual({});
    await host.updateVm(vm.id, { removeDisks: ['vdb'] });
    await host.act(vm.id, 'poweroff');
    expect(free()).toBe(before);
    const started = await host.act(vm.id, 'start');
    expect(started.disks.map((d) => d.id)).toEqual(['vda']);
    expect(free()).toBe(before + 1024 ** 3);
  });

  it('refuses a create for each reason with the reason, leaving nothing half-created', async () => {
    const [host] = world({ hosts: 1, vmsPerHost: 0 }).hosts;
    if (!host) throw new Error('no host');
    await host.createVm({
      name: 'taken',
      vcpus: 1,
      memoryMiB: 512,
      cpu: { model: 'host-model', features: [] },
      disks: [],
      nics: [],
      start: false,
    });
    const state = () => JSON.stringify([host.hostInfo().pools, host.hostInfo().memory, host.listVms()]);
    const before = state();
    const seen = events(host);
    const disk = { poolId: 'local', sizeBytes: 1024 ** 3, format: 'qcow2' as const, bus: 'virtio' as const };
    const base = { vcpus: 1, memoryMiB: 512, cpu: { model: 'host-model', features: [] }, disks: [disk], nics: [], start: true };
    const cases: [Parameters<typeof host.createVm>[0], number, string][] = [
      [{ ...base, name: 'taken' }, 409, 'A VM named "taken" already exists'],
      [{ ...base, name: 'x', disks: [disk, { ...disk, poolId: 'nope' }] }, 404, 'No storage pool "nope"'],
      [
        {
          ...base,
          name: 'x',
          nics: [
            { networkId: 'br-mgmt', model: 'virtio' },
            { networkId: 'br-nope', model: 'virtio' },
          ],
        },
        404,
        'No bridge "br-nope"',
      ],
      [{ ...base, name: 'x', memoryMiB: host.memoryMiB }, 409, 'MiB free, the VM needs'],
      [
        { ...base, name: 'x', disks: [disk, { ...disk, sizeBytes: 100 * 1024 ** 4, format: 'raw' }] },
        409,
        'Storage pool "local" has',
      ],
    ];
    for (const [spec, status, message] of cases) {
      const error = await refusal(host.createVm(spec));
      expect({ status: error.status, message: error.message }).toEqual({ status, message: expect.stringContaining(message) });
    }
    expect(state()).toBe(before);
    expect(seen).toEqual([]);
    // Memory only matters when it is to start.
    expect((await host.createVm({ ...base, name: 'big', memoryMiB: host.memoryMiB, start: false })).state).toBe('shutoff');
  });

  it('resets a running or paused VM in place, and an ignored ACPI shutdown leaves the VM running', async () => {
    const [host] = world({ hosts: 1, vmsPerHost: 0, timeScale: 100 }).hosts;
    if (!host) throw new Error('no host');
    const vm = await host.createVm({
      name: 'acpi',
      vcpus: 1,
      memoryMiB: 512,
      cpu: { model: 'host-model', features: [] },
      disks: [],
      nics: [],
      start: true,
    });
    const seen = events(host);
    expect((await host.act(vm.id, 'reset')).state).toBe('running');
    await host.act(vm.id, 'pause');
    expect((await host.act(vm.id, 'reset')).state).toBe('paused');
    expect(seen.filter((e) => e.type === 'vm.state').map((e) => e.type === 'vm.state' && e.data.reason)).toEqual([
      'reset',
      'paused',
      'reset',
    ]);
    await host.act(vm.id, 'resume');
    expect((await refusal(host.act(vm.id, 'reset', 1))).status).toBe(412);
    host.simulation.ignoreAcpi(vm.id, true);
    expect((await host.act(vm.id, 'shutdown')).state).toBe('running');
    await new Promise((resolve) => setTimeout(resolve, 60)); // 2 s of guest time at this scale
    expect(host.getVm(vm.id).state).toBe('running');
    host.simulation.ignoreAcpi(vm.id, false);
    await host.act(vm.id, 'shutdown');
    await until(() => host.getVm(vm.id).state === 'shutoff');
    expect(() => host.simulation.ignoreAcpi('00000000-0000-4000-8000-000000000000', true)).toThrow(DriverError);
  });

  it('voids an ACPI shutdown asked before the VM was powered off and started again', async () => {
    const [host] = world({ hosts: 1, vmsPerHost: 0, timeScale: 100 }).hosts;
    if (!host) throw new Error('no host');
    const vm = await host.createVm({
      name: 'quick',
      vcpus: 1,
      memoryMiB: 512,
      cpu: { model: 'host-model', features: [] },
      disks: [],
      nics: [],
      start: true,
    });
    await host.act(vm.id, 'shutdown');
    await host.act(vm.id, 'poweroff');
    await host.act(vm.id, 'start');
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(host.getVm(vm.id).state).toBe('running');
  });

  it('starts autostart VMs when the host comes back from a power loss', async () => {
    const [host] = world({ hosts: 1, vmsPerHost: 0 }).hosts;
    if (!host) throw new Error('no host');
    const base = { vcpus: 1, memoryMiB: 512, cpu: { model: 'host-model', features: [] }, disks: [], nics: [], start: true };
    const auto = await host.createVm({ ...base, name: 'auto', autostart: true });
    const manual = await host.createVm({ ...base, name: 'manual' });
    await host.updateVm(auto.id, { vcpus: 2 });
    host.simulation.powerCycle();
    expect(host.getVm(auto.id)).toMatchObject({ state: 'running', vcpus: 2, pendingChanges: {} });
    expect(host.getVm(manual.id).state).toBe('shutoff');
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

describe('SimHost snapshots', () => {
  const GiB = 1024 ** 3;
  async function setup(options: { diskBytes?: number; memoryMiB?: number } = {}) {
    const [host] = world({ hosts: 1, vmsPerHost: 0 }).hosts;
    if (!host) throw new Error('no host');
    const vm = await host.createVm({
      name: 'snappy',
      vcpus: 2,
      memoryMiB: options.memoryMiB ?? 1024,
      cpu: { model: 'host-model', features: [] },
      disks: [{ poolId: 'local', sizeBytes: options.diskBytes ?? 10 * GiB, format: 'qcow2', bus: 'virtio' }],
      nics: [{ networkId: 'br-mgmt', model: 'virtio' }],
      start: true,
    });
    const free = () => host.hostInfo().pools.find((p) => p.id === 'local')?.freeBytes ?? 0;
    return { host, vm, free };
  }

  it('takes memory and disk-only snapshots as a tree, charging pool space, each a new generation and a vm.updated', async () => {
    const { host, vm, free } = await setup();
    const initial = free();
    const seen = events(host);
    const first = await host.createSnapshot(vm.id, { name: 'before-upgrade', description: 'clean', memory: true }, vm.generation);
    expect(first.snapshot).toMatchObject({
      vmId: vm.id,
      name: 'before-upgrade',
      description: 'clean',
      memory: true,
      vmState: 'running',
      parentId: null,
      current: true,
      config: { vcpus: 2, memoryMiB: 1024, bootOrder: ['disk', 'network'] },
    });
    // RAM (1 GiB) plus the copy-on-write share of the disk (2 MiB allocated: at least 1 MiB).
    expect(first.snapshot.sizeBytes).toBe(1024 * 1024 * 1024 + 1024 * 1024);
    expect(first.snapshot.storage).toEqual([{ poolId: 'local', bytes: first.snapshot.sizeBytes }]);
    expect(free()).toBe(initial - first.snapshot.sizeBytes);
    expect(first.vm).toMatchObject({ snapshotCount: 1, generation: vm.generation + 1 });
    const second = await host.createSnapshot(vm.id, { name: 'disk-only', description: '', memory: false });
    expect(second.snapshot).toMatchObject({ parentId: first.snapshot.id, memory: false, sizeBytes: 1024 * 1024 });
    expect(host.listSnapshots(vm.id).map((s) => [s.name, s.current])).toEqual([
      ['before-upgrade', false],
      ['disk-only', true],
    ]);
    expect(seen.map((e) => e.type)).toEqual(['vm.updated', 'vm.updated']);
    expect(seen.map((e) => e.type === 'vm.updated' && e.data.vm.snapshotCount)).toEqual([1, 2]);

    expect((await refusal(host.createSnapshot(vm.id, { name: 'disk-only', description: '', memory: false }))).message).toBe(
      'VM snappy already has a snapshot named "disk-only"',
    );
    expect((await refusal(host.createSnapshot(vm.id, { name: 'x', description: '', memory: false }, vm.generation))).status).toBe(
      412,
    );
    await host.act(vm.id, 'poweroff');
    expect((await refusal(host.createSnapshot(vm.id, { name: 'x', description: '', memory: true }))).message).toContain(
      'is shutoff: there is no memory state to keep',
    );
    expect(
      (await refusal(host.createSnapshot('00000000-0000-4000-8000-000000000000', { name: 'x', description: '', memory: false })))
        .status,
    ).toBe(404);
    expect(host.listSnapshots(vm.id)).toHaveLength(2);
  });

  it('refuses a snapshot the pool has no room for, changing nothing', async () => {
    const { host, vm, free } = await setup({ memoryMiB: 8192 });
    const pool = host.pools.find((p) => p.id === 'local');
    if (!pool) throw new Error('no local pool');
    pool.usedBytes = pool.capacityBytes - 4 * GiB; // 4 GiB left, the RAM needs 8
    const before = [free(), host.getVm(vm.id).generation];
    const error = await refusal(host.createSnapshot(vm.id, { name: 'big', description: '', memory: true }));
    expect(error).toMatchObject({
      status: 409,
      message: expect.stringContaining('Storage pool "local" on host') as unknown as string,
    });
    expect([free(), host.getVm(vm.id).generation]).toEqual(before);
    expect(host.listSnapshots(vm.id)).toEqual([]);
    // A disk-only one fits.
    expect((await host.createSnapshot(vm.id, { name: 'small', description: '', memory: false })).snapshot.sizeBytes).toBe(
      1024 * 1024,
    );
  });

  it('reverts: a memory snapshot resumes the VM as it was, a disk-only one leaves it shut off; config restored, staged changes dropped', async () => {
    const { host, vm } = await setup();
    const paused = await host.act(vm.id, 'pause');
    expect(paused.state).toBe('paused');
    const { snapshot: mem } = await host.createSnapshot(vm.id, { name: 'mem', description: '', memory: true });
    await host.act(vm.id, 'resume');
    const { snapshot: disk } = await host.createSnapshot(vm.id, { name: 'disk', description: '', memory: false });
    // Change the VM: memory now, vCPUs staged, a NIC more.
    await host.updateVm(vm.id, { memoryMiB: 2048, vcpus: 6, addNics: [{ networkId: 'br-mgmt', model: 'virtio' }] });
    const seen = events(host);
    const back = await host.revertSnapshot(vm.id, mem.id, host.getVm(vm.id).generation);
    expect(back).toMatchObject({ state: 'paused', memoryMiB: 1024, vcpus: 2, pendingChanges: {}, snapshotCount: 2 });
    expect(back.nics).toHaveLength(1);
    expect(seen.map((e) => e.type)).toEqual(['vm.state', 'vm.updated']);
    expect(seen[0]).toMatchObject({ data: { state: 'paused', previous: 'running', reason: 'reverted to snapshot mem' } });
    expect(host.listSnapshots(vm.id).find((s) => s.current)?.id).toBe(mem.id);
    // The next snapshot hangs from the one reverted to.
    const { snapshot: branch } = await host.createSnapshot(vm.id, { name: 'branch', description: '', memory: false });
    expect(branch.parentId).toBe(mem.id);
    const off = await host.revertSnapshot(vm.id, disk.id);
    expect(off.state).toBe('shutoff');
    expect((await refusal(host.revertSnapshot(vm.id, '00000000-0000-4000-8000-000000000000'))).status).toBe(404);
    expect((await refusal(host.revertSnapshot(vm.id, mem.id, 1))).status).toBe(412);
  });

  it('keeps disks a snapshot holds, and keeps disks added after it attached on revert', async () => {
    const { host, vm } = await setup();
    const { snapshot } = await host.createSnapshot(vm.id, { name: 's1', description: '', memory: false });
    await host.act(vm.id, 'poweroff');
    expect((await refusal(host.updateVm(vm.id, { removeDisks: ['vda'] }))).message).toContain('is in its snapshots s1');
    await host.updateVm(vm.id, { addDisks: [{ poolId: 'local', sizeBytes: GiB, format: 'qcow2', bus: 'virtio' }] });
    const back = await host.revertSnapshot(vm.id, snapshot.id);
    expect(back.disks.map((d) => d.id)).toEqual(['vda', 'vdb']);
    // A disk staged for removal cannot end up in a snapshot.
    await host.act(vm.id, 'start');
    await host.updateVm(vm.id, { removeDisks: ['vdb'] });
    expect((await refusal(host.createSnapshot(vm.id, { name: 's2', description: '', memory: false }))).message).toContain(
      'staged for removal (vdb)',
    );
  });

  it('deletes a snapshot (its children move up, space comes back) and a VM with all of its snapshots', async () => {
    const { host, vm, free } = await setup();
    const initial = free();
    const a = (await host.createSnapshot(vm.id, { name: 'a', description: '', memory: true })).snapshot;
    const b = (await host.createSnapshot(vm.id, { name: 'b', description: '', memory: false })).snapshot;
    const c = (await host.createSnapshot(vm.id, { name: 'c', description: '', memory: false })).snapshot;
    const seen = events(host);
    const after = await host.deleteSnapshot(vm.id, b.id, host.getVm(vm.id).generation);
    expect(after.snapshotCount).toBe(2);
    expect(seen.map((e) => e.type)).toEqual(['vm.updated']);
    expect(host.listSnapshots(vm.id).map((s) => [s.name, s.parentId, s.current])).toEqual([
      ['a', null, false],
      ['c', a.id, true],
    ]);
    await host.deleteSnapshot(vm.id, c.id);
    expect(host.listSnapshots(vm.id).map((s) => [s.name, s.current])).toEqual([['a', true]]);
    expect((await refusal(host.deleteSnapshot(vm.id, c.id))).status).toBe(404);
    expect(free()).toBe(initial - a.sizeBytes);
    await host.act(vm.id, 'poweroff');
    const disks = host.getVm(vm.id).disks.reduce((sum, d) => sum + d.allocatedBytes, 0);
    await host.deleteVm(vm.id, { keepDisks: false });
    expect(free()).toBe(initial + disks);
  });

  it('refuses snapshots of raw disks, and a storage migration of a VM with snapshots', async () => {
    const { host, vm } = await setup();
    await host.createSnapshot(vm.id, { name: 's', description: '', memory: false });
    expect(
      (await refusal(host.migrateStorage(vm.id, 'vda', 'ceph-a', { maxBandwidthMBps: null, deleteSource: true }))).message,
    ).toContain('which a storage migration would lose');
    const raw = await host.createVm({
      name: 'raw',
      vcpus: 1,
      memoryMiB: 512,
      cpu: { model: 'host-model', features: [] },
      disks: [{ poolId: 'local', sizeBytes: GiB, format: 'raw', bus: 'virtio' }],
      nics: [],
      start: false,
    });
    expect((await refusal(host.createSnapshot(raw.id, { name: 's', description: '', memory: false }))).message).toContain(
      'need qcow2',
    );
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
