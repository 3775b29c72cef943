import { describe, expect, it } from '@jest/globals';
import type { HostCapacity } from '@cockpit/api-hosts';
import { preflight, type PreflightInput, type PreflightVm } from './preflight.js';

const GiB = 1024 ** 3;
const host = (name: string, extra: Partial<HostCapacity> = {}): HostCapacity => ({
  hostId: `00000000-0000-4000-8000-00000000000${name.length}`,
  name,
  state: 'connected',
  enabled: true,
  freeMemoryMiB: 32_768,
  totalMemoryMiB: 65_536,
  cpuThreads: 32,
  cpuModel: 'Cascadelake-Server',
  cpuFeatures: ['avx2', 'avx512f', 'avx512vnni'],
  pools: [
    { id: 'ceph-a', type: 'shared', freeBytes: 100 * GiB },
    { id: 'local', type: 'local', freeBytes: 100 * GiB },
  ],
  networks: ['br-mgmt'],
  ...extra,
});
const source = host('src');
const target = host('target');
const vm: PreflightVm = {
  id: '11111111-1111-4111-8111-111111111111',
  name: 'web-1',
  hostId: source.hostId,
  hostName: source.name,
  state: 'running',
  memoryMiB: 4096,
  cpu: { model: 'host-model', features: ['avx512f'] },
  pendingChanges: {},
  disks: [{ id: 'vda', poolId: 'ceph-a', sizeBytes: 10 * GiB, allocatedBytes: 4 * GiB, format: 'qcow2', bus: 'virtio' }],
  nics: [{ id: 'net0', networkId: 'br-mgmt', mac: '52:54:00:00:00:01', model: 'virtio' }],
  snapshotCount: 0,
};
const input = (extra: Partial<PreflightInput> = {}): PreflightInput => ({
  vm,
  source,
  target,
  options: {},
  permissions: { onVm: true, onTarget: true },
  activity: { outbound: 0, inbound: 0, fleet: 0, inboundMemoryMiB: 0, vmBusy: false },
  limits: { outboundPerHost: 2, inboundPerHost: 2, fleet: 16 },
  ...extra,
});
const check = (result: ReturnType<typeof preflight>, name: string) => result.checks.filter((entry) => entry.check === name);

describe('pre-flight checks', () => {
  it('passes a VM on shared storage to a compatible host, and says why it is a shared-storage move', () => {
    const result = preflight(input());
    expect(result.verdict).toBe('pass');
    expect(result.type).toBe('shared-storage');
    expect(result.typeReason).toMatch(/shared pool "ceph-a", which target mounts too/);
    expect(result.options).toEqual({
      live: true,
      persistent: true,
      undefineSource: true,
      autoConverge: false,
      maxBandwidthMBps: null,
      downtimeLimitMs: 300,
      copyStorage: false,
    });
  });

  it('names the missing CPU flags, counting a staged CPU change', () => {
    const old = { ...target, cpuModel: 'Broadwell-IBRS', cpuFeatures: ['avx2'] };
    const result = preflight(
      input({ target: old, vm: { ...vm, pendingChanges: { cpu: { model: 'x', features: ['avx512vnni'] } } } }),
    );
    expect(check(result, 'cpu')[0]).toMatchObject({
      outcome: 'fail',
      message: expect.stringMatching(/lacks avx512f, avx512vnni/),
    });
  });

  it('takes host-passthrough VMs only to identical CPUs, naming the difference', () => {
    const passthrough = { ...vm, cpu: { model: 'host-passthrough', features: [] } };
    expect(check(preflight(input({ vm: passthrough })), 'cpu')[0]?.outcome).toBe('pass');
    const other = { ...target, cpuModel: 'Icelake-Server', cpuFeatures: [...target.cpuFeatures, 'gfni'] };
    expect(check(preflight(input({ vm: passthrough, target: other })), 'cpu')[0]?.message).toMatch(
      /identical to src's; target's differs: its model is Icelake-Server, not Cascadelake-Server; it adds gfni/,
    );
  });

  it('copies local disks when left to decide, refuses when told not to, and checks room in the pool', () => {
    const local = { ...vm, disks: [{ ...vm.disks[0], poolId: 'local' } as PreflightVm['disks'][number]] };
    const auto = preflight(input({ vm: local }));
    expect(auto).toMatchObject({ type: 'shared-nothing', verdict: 'pass', options: { copyStorage: true } });
    const refused = preflight(input({ vm: local, options: { copyStorage: false } }));
    expect(check(refused, 'storage')[0]?.message).toMatch(/does not share: turn on copy storage/);
    const full = { ...target, pools: [{ id: 'local', type: 'local', freeBytes: GiB }] };
    expect(check(preflight(input({ vm: local, target: full })), 'storage')[0]?.message).toMatch(
      /has 1.0 GiB free, the copied disks need 4.0 GiB/,
    );
  });

  it('counts memory already heading to the target', () => {
    const result = preflight(input({ activity: { outbound: 0, inbound: 1, fleet: 1, inboundMemoryMiB: 30_000, vmBusy: false } }));
    expect(check(result, 'memory')[0]?.message).toMatch(
      /2768 MiB free \(after 30000 MiB for migrations already heading there\); web-1 needs 4096/,
    );
  });

  it('makes a full slot a wait (warn), never a refusal', () => {
    const result = preflight(input({ activity: { outbound: 2, inbound: 0, fleet: 2, inboundMemoryMiB: 0, vmBusy: false } }));
    expect(result.verdict).toBe('warn');
    expect(check(result, 'concurrency')[0]?.message).toMatch(/wait for a slot: src already sends 2 of 2/);
  });

  it('refuses the same host, a migrating or busy VM, a host that is away, missing bridges and permissions', () => {
    expect(check(preflight(input({ target: source })), 'state')[0]?.message).toMatch(/already runs on src/);
    expect(check(preflight(input({ vm: { ...vm, state: 'migrating' } })), 'state')[0]?.message).toMatch(/already migrating/);
    expect(
      check(preflight(input({ activity: { outbound: 0, inbound: 0, fleet: 0, inboundMemoryMiB: 0, vmBusy: true } })), 'state')[0]
        ?.message,
    ).toMatch(/already has a migration/);
    expect(check(preflight(input({ target: { ...target, state: 'unreachable' } })), 'target')[0]?.outcome).toBe('fail');
    expect(check(preflight(input({ target: { ...target, networks: [] } })), 'network')[0]?.message).toMatch(
      /no bridge "br-mgmt" \(for net0\)/,
    );
    expect(check(preflight(input({ permissions: { onVm: true, onTarget: false } })), 'permissions')[0]?.message).toMatch(
      /vm.migrate permission on host target/,
    );
  });

  it('moves a stopped VM offline and needs no memory for it', () => {
    const result = preflight(input({ vm: { ...vm, state: 'shutoff', memoryMiB: 1_000_000 } }));
    expect(result).toMatchObject({ type: 'offline', verdict: 'pass', options: { live: false } });
    expect(check(result, 'memory')[0]?.message).toMatch(/needs no memory/);
  });

  it('refuses to keep the source definition of a VM with snapshots', () => {
    const result = preflight(input({ vm: { ...vm, snapshotCount: 2 }, options: { undefineSource: false } }));
    expect(check(result, 'state')[0]?.message).toMatch(/2 snapshots, which move with it/);
  });
});
