import {
  BUILT_IN_ROLES,
  FleetSummary,
  FleetVm,
  Host,
  HostDetail,
  JobDetail,
  JobTarget,
  Me,
  MetricsSeries,
  METRIC_NAMES,
  VmSnapshot,
  type HostState,
  type JobCounts,
  type Permission,
  type ScopePath,
  type VmState,
} from '@cockpit/contracts';

// Every fixture goes through its contract's parse, so a contract change breaks the fixture here
// rather than letting the pages be tested against a shape the api no longer sends.

const uuid = (prefix: string, n: number) => `${prefix}-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
export const hostIdOf = (n: number) => uuid('10000000', n);
export const vmIdOf = (n: number) => uuid('20000000', n);
export const jobIdOf = (n: number) => uuid('40000000', n);
export const snapshotIdOf = (n: number) => uuid('50000000', n);

/** The fixtures' present: stats were sampled and metrics end just before it. */
export const NOW = Date.parse('2026-11-22T12:00:00.000Z');
const iso = (msAgo: number) => new Date(NOW - msAgo).toISOString();

/** Host n of a fleet: every 50th unreachable, every 100th (+7) in error, host 3 waiting for trust. */
function stateOf(n: number): { state: HostState; stateReason: string | null } {
  if (n === 3) return { state: 'pending-trust', stateReason: 'Confirm the certificate fingerprint' };
  if (n % 50 === 0) return { state: 'unreachable', stateReason: 'connect ECONNREFUSED 10.0.0.1:9443' };
  if (n % 100 === 7) return { state: 'error', stateReason: 'agent answered 500' };
  return { state: 'connected', stateReason: null };
}

export function makeHost(n: number, overrides: Partial<Host> = {}): Host {
  const { state, stateReason } = stateOf(n);
  const connected = state === 'connected';
  return Host.parse({
    id: hostIdOf(n),
    url: `https://host-${n}.lab.example:9443`,
    name: `host-${String(n).padStart(3, '0')}`,
    state,
    stateReason,
    fingerprint: 'AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89',
    enabled: true,
    hostUuid: uuid('30000000', n),
    agentVersion: '0.1.0',
    cpuModel: 'Cascadelake-Server',
    cpuThreads: 64,
    memoryTotalMiB: 262_144,
    // Distinct per host (37 and 997 are coprime), so sorting by CPU has one right answer.
    stats: connected ? { cpuPercent: ((n * 37) % 997) / 10, memoryUsedMiB: 1024 * (n % 200), at: iso(2_000) } : null,
    vmCount: n % 10,
    vmsRunning: Math.floor((n % 10) / 2),
    ownerInstance: connected ? `api-${(n % 3) + 1}` : null,
    lastSeenAt: connected ? iso(3_000) : iso(3_600_000),
    createdAt: iso(86_400_000 * 30),
    ...overrides,
  });
}

export const fleetOf = (count: number) => Array.from({ length: count }, (_, i) => makeHost(i + 1));

export function makeHostDetail(n: number, overrides: Partial<HostDetail> = {}): HostDetail {
  return HostDetail.parse({
    ...makeHost(n),
    hardware: {
      cpu: {
        vendor: 'GenuineIntel',
        model: 'Cascadelake-Server',
        features: ['avx512f', 'avx512bw', 'vmx', 'aes', 'sse4.2'],
        sockets: 2,
        coresPerSocket: 16,
        threadsPerCore: 2,
      },
      memory: { totalMiB: 262_144, freeMiB: 131_072 },
      numa: [
        { id: 0, cpus: [...Array(16).keys(), ...Array.from({ length: 16 }, (_, i) => i + 32)], memoryMiB: 131_072 },
        { id: 1, cpus: Array.from({ length: 16 }, (_, i) => i + 16), memoryMiB: 131_072 },
      ],
      hypervisor: { name: 'vapor-sim', version: '0.1.0', driver: 'sim' },
      bootedAt: iso(86_400_000 * 3),
    },
    pools: [
      { id: 'local-ssd', type: 'local', capacityBytes: 2 * 1024 ** 4, freeBytes: 1024 ** 4 },
      { id: 'shared-nfs', type: 'shared', capacityBytes: 10 * 1024 ** 4, freeBytes: 9 * 1024 ** 4 },
    ],
    networks: [
      { id: 'br-prod', type: 'bridge', vlan: 100, mtu: 9000 },
      { id: 'br-mgmt', type: 'bridge', vlan: null, mtu: 1500 },
    ],
    ...overrides,
  });
}

export function makeVm(n: number, host: Host, overrides: Partial<FleetVm> = {}): FleetVm {
  const states: VmState[] = ['running', 'running', 'shutoff', 'paused', 'running'];
  const state = states[n % states.length] ?? 'running';
  return FleetVm.parse({
    id: vmIdOf(n),
    hostId: host.id,
    hostName: host.name,
    name: `vm-${String(n).padStart(3, '0')}`,
    state,
    vcpus: 1 + (n % 8),
    memoryMiB: 1024 * (1 + (n % 16)),
    cpu: { model: 'host-model', features: n % 2 ? ['avx2'] : [] },
    disks: [
      {
        id: 'vda',
        poolId: 'local-ssd',
        sizeBytes: 20 * 1024 ** 3,
        allocatedBytes: 5 * 1024 ** 3,
        format: 'qcow2',
        bus: 'virtio',
      },
    ],
    nics: [
      { id: 'net0', networkId: 'br-prod', mac: `52:54:00:00:00:${(n % 256).toString(16).padStart(2, '0')}`, model: 'virtio' },
    ],
    autostart: false,
    bootOrder: ['disk', 'network'],
    pendingChanges: {},
    snapshotCount: 0,
    generation: 3,
    createdAt: iso(86_400_000),
    updatedAt: iso(60_000),
    stats: state === 'running' ? { cpuPercent: (n * 13) % 100, memoryUsedMiB: 512 * (1 + (n % 4)), at: iso(2_000) } : null,
    ...overrides,
  });
}

/** An hour of 10-second points, the latest value of each series known: cpu 42.5 %, memory 2048 MiB, … */
export function makeMetrics(points = 360): MetricsSeries {
  const from = NOW - points * 10_000;
  const timestamps = Array.from({ length: points }, (_, i) => from + i * 10_000);
  const last: Record<(typeof METRIC_NAMES)[number], number> = {
    cpuPercent: 42.5,
    memoryUsedMiB: 2048,
    diskReadBps: 1024 * 1024,
    diskWriteBps: 512 * 1024,
    netRxBps: 2048,
    netTxBps: 1024,
  };
  const series = Object.fromEntries(
    METRIC_NAMES.map((name) => [name, timestamps.map((_, i) => (i === points - 1 ? last[name] : (last[name] * (i % 10)) / 10))]),
  );
  return MetricsSeries.parse({
    resolution: 'raw',
    stepSeconds: 10,
    from: new Date(from).toISOString(),
    to: new Date(NOW).toISOString(),
    timestamps,
    series,
  });
}

export function makeSummary(hosts: readonly Host[], vms: readonly FleetVm[]): FleetSummary {
  const count = <K extends string>(keys: K[]) =>
    keys.reduce<Partial<Record<K, number>>>((acc, key) => ({ ...acc, [key]: (acc[key] ?? 0) + 1 }), {});
  const busiest = [...hosts].filter((h) => h.stats).sort((a, b) => (b.stats?.cpuPercent ?? 0) - (a.stats?.cpuPercent ?? 0));
  const busiestVms = [...vms].filter((v) => v.stats).sort((a, b) => (b.stats?.cpuPercent ?? 0) - (a.stats?.cpuPercent ?? 0));
  return FleetSummary.parse({
    hosts: { total: hosts.length, byState: count(hosts.map((h) => h.state)) },
    vms: { total: vms.length, byState: count(vms.map((v) => v.state)) },
    capacity: {
      cpuThreads: hosts.reduce((sum, h) => sum + (h.cpuThreads ?? 0), 0),
      vcpusAllocated: vms.reduce((sum, v) => sum + v.vcpus, 0),
      memoryTotalMiB: hosts.reduce((sum, h) => sum + (h.memoryTotalMiB ?? 0), 0),
      memoryUsedMiB: hosts.reduce((sum, h) => sum + (h.stats?.memoryUsedMiB ?? 0), 0),
    },
    topHosts: busiest
      .slice(0, 5)
      .map((h) => ({ id: h.id, name: h.name, cpuPercent: h.stats?.cpuPercent, memoryUsedMiB: h.stats?.memoryUsedMiB })),
    topVms: busiestVms
      .slice(0, 5)
      .map((v) => ({ id: v.id, name: v.name, hostId: v.hostId, hostName: v.hostName, cpuPercent: v.stats?.cpuPercent })),
    attention: hosts
      .filter((h) => ['unreachable', 'untrusted', 'error', 'pending-trust'].includes(h.state))
      .map((h) => ({ id: h.id, name: h.name, state: h.state, stateReason: h.stateReason })),
  });
}

export const adminMe = {
  user: { id: '00000000-0000-4000-8000-000000000001', username: 'admin', displayName: 'Administrator' },
  csrfToken: 'csrf-token',
  totpEnabled: true,
  mustEnrollTotp: false,
  grants: [{ scope: '/', permissions: ['host.view', 'host.manage', 'vm.view', 'user.admin', 'audit.view'] }],
  session: { expiresAt: '2026-11-22T15:00:00.000Z', idleTimeoutSeconds: 900 },
};

export const viewerMe = { ...adminMe, grants: [{ scope: '/', permissions: ['host.view', 'vm.view'] }] };

/** Someone signed in with these permissions on these scopes (Operator on `/` by default). */
export function makeMe(
  grants: { scope: ScopePath; permissions: readonly Permission[] }[] = [{ scope: '/', permissions: BUILT_IN_ROLES.Operator }],
  username = 'olga',
): Me {
  return Me.parse({
    ...adminMe,
    user: { id: '00000000-0000-4000-8000-000000000002', username, displayName: username },
    grants,
  });
}

export const operatorMe = makeMe();

/** A bulk job of `total` VM targets, `done` of them succeeded. */
export function makeJob(n: number, overrides: Partial<JobDetail> & { done?: number; total?: number } = {}): JobDetail {
  const { done = 0, total = 10, ...rest } = overrides;
  const progress: JobCounts = { total, done, succeeded: done, failed: 0, skipped: 0, cancelled: 0 };
  return JobDetail.parse({
    id: jobIdOf(n),
    kind: 'vm.bulk-action',
    title: `Start ${total} VMs`,
    scope: '/',
    actor: { id: adminMe.user.id, name: 'admin' },
    state: done === total ? 'succeeded' : 'running',
    progress,
    attempts: 1,
    instance: 'api-1',
    error: null,
    createdAt: iso(120_000),
    startedAt: iso(110_000),
    finishedAt: done === total ? iso(1_000) : null,
    params: { action: 'start' },
    ...rest,
  });
}

/** Target n of a job: VM n on host (n % 3) + 1 (makeHost's), succeeded, failed (every 7th) or pending. */
export function makeTarget(n: number, state?: JobTarget['state']): JobTarget {
  const actual = state ?? (n % 7 === 0 ? 'failed' : 'succeeded');
  return JobTarget.parse({
    targetId: vmIdOf(n),
    label: `vm-${String(n).padStart(3, '0')}`,
    // A VM job's targets are grouped by the VM's host, by id.
    group: hostIdOf((n % 3) + 1),
    state: actual,
    message: actual === 'failed' ? 'host answered 409: the VM is running' : actual === 'succeeded' ? 'running' : null,
    startedAt: actual === 'pending' ? null : iso(100_000 - n * 100),
    finishedAt: actual === 'pending' || actual === 'running' ? null : iso(99_000 - n * 100),
  });
}

/** Snapshot n of a VM: memory snapshots taken of it running, the last one current. */
export function makeSnapshot(n: number, vm: FleetVm, overrides: Partial<VmSnapshot> = {}): VmSnapshot {
  return VmSnapshot.parse({
    id: snapshotIdOf(n),
    vmId: vm.id,
    name: `snap-${n}`,
    description: '',
    createdAt: iso(3_600_000 * (10 - n)),
    memory: n % 2 === 1,
    vmState: n % 2 === 1 ? 'running' : 'shutoff',
    parentId: n > 1 ? snapshotIdOf(n - 1) : null,
    current: false,
    sizeBytes: 1024 ** 3 * n,
    storage: [{ poolId: 'local-ssd', bytes: 1024 ** 3 * n }],
    config: {
      vcpus: vm.vcpus,
      memoryMiB: vm.memoryMiB,
      cpu: vm.cpu,
      bootOrder: vm.bootOrder,
      disks: vm.disks,
      nics: vm.nics,
    },
    ...overrides,
  });
}
