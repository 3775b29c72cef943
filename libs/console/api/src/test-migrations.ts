import {
  MIGRATION_DEFAULTS,
  Migration,
  MigrationProgress,
  MovePlan,
  Preflight,
  type FleetVm,
  type Host,
  type PreflightCheck,
} from '@cockpit/contracts';
import { jobIdOf, NOW } from './test-fixtures.js';

// Migration fixtures, each through its contract's parse like the others.

export const migrationIdOf = (n: number) => `60000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

const iso = (msAgo: number) => new Date(NOW - msAgo).toISOString();
const MiB = 1024 ** 2;

/** Checks of moving `vm` to `target` that all pass, with any given ones in their place. */
export function passingChecks(vm: FleetVm, target: Pick<Host, 'name'>, replaced: PreflightCheck[] = []): PreflightCheck[] {
  const checks: PreflightCheck[] = [
    { check: 'state', outcome: 'pass', message: `${vm.name} is ${vm.state}` },
    { check: 'permissions', outcome: 'pass', message: `You may migrate ${vm.name} to ${target.name}` },
    { check: 'target', outcome: 'pass', message: `${target.name} is connected` },
    { check: 'storage', outcome: 'pass', message: `${target.name} mounts shared pool "shared-nfs"` },
    { check: 'network', outcome: 'pass', message: `${target.name} has bridge "br-prod"` },
    { check: 'cpu', outcome: 'pass', message: `${target.name}'s CPU offers every feature ${vm.name} needs` },
    { check: 'memory', outcome: 'pass', message: `${target.name} has 131072 MiB free; ${vm.name} needs ${vm.memoryMiB} MiB` },
    { check: 'concurrency', outcome: 'pass', message: 'slots free' },
  ];
  return checks.map((check) => replaced.find((other) => other.check === check.check) ?? check);
}

/** The pre-flight of `vm` to `target`: its verdict follows the checks. */
export function makePreflight(
  vm: FleetVm,
  target: Pick<Host, 'id' | 'name'>,
  overrides: Partial<Preflight> & { replaced?: PreflightCheck[] } = {},
): Preflight {
  const { replaced, ...rest } = overrides;
  const checks = rest.checks ?? passingChecks(vm, target, replaced);
  const verdict = checks.some((check) => check.outcome === 'fail')
    ? 'fail'
    : checks.some((check) => check.outcome === 'warn')
      ? 'warn'
      : 'pass';
  return Preflight.parse({
    vmId: vm.id,
    vmName: vm.name,
    source: { id: vm.hostId, name: vm.hostName },
    target: { id: target.id, name: target.name },
    type: 'shared-storage',
    typeReason: `every disk is on shared pool "shared-nfs", which ${target.name} mounts too: only CPU and memory state move`,
    options: { ...MIGRATION_DEFAULTS, copyStorage: false },
    verdict,
    checks,
    ...rest,
  });
}

/** A live migration's progress `secondsIn` seconds in: 4 GiB to send at 100 MiB/s. */
export function makeProgress(secondsIn: number, overrides: Partial<MigrationProgress> = {}): MigrationProgress {
  const total = 4096 * MiB;
  const transferred = Math.min(total, secondsIn * 100 * MiB);
  return MigrationProgress.parse({
    phase: transferred < total ? 'copying-ram' : 'iterating',
    iteration: Math.floor(secondsIn / 10),
    transferredBytes: transferred,
    remainingBytes: total - transferred,
    totalBytes: total,
    dirtyPagesRate: 5_000,
    throughputMBps: 100,
    expectedDowntimeMs: 450,
    etaSeconds: (total - transferred) / MiB / 100,
    cpuThrottlePercent: 0,
    maxBandwidthMBps: null,
    at: new Date(NOW + secondsIn * 1000).toISOString(),
    ...overrides,
  });
}

/** Migration n of `vm` from its host to `target`, running by default. */
export function makeMigration(
  n: number,
  vm: FleetVm,
  target: Pick<Host, 'id' | 'name'>,
  overrides: Partial<Migration> = {},
): Migration {
  const state = overrides.state ?? 'running';
  const finished = ['succeeded', 'failed', 'cancelled'].includes(state);
  return Migration.parse({
    id: migrationIdOf(n),
    jobId: jobIdOf(100 + n),
    type: 'shared-storage',
    vmId: vm.id,
    vmName: vm.name,
    source: { id: vm.hostId, name: vm.hostName },
    target: { id: target.id, name: target.name },
    options: { ...MIGRATION_DEFAULTS, copyStorage: false },
    storage: [],
    deleteSource: true,
    state,
    cancelRequested: false,
    reason: null,
    preflight: passingChecks(vm, target),
    progress: state === 'running' ? makeProgress(10) : null,
    transferredBytes: finished ? 4096 * MiB : 1000 * MiB,
    iterations: finished ? 3 : 1,
    downtimeMs: state === 'succeeded' ? 212 : null,
    origin: 'single',
    actor: { id: '00000000-0000-4000-8000-000000000002', name: 'olga' },
    createdAt: iso(60_000 + n * 1000),
    startedAt: iso(59_000 + n * 1000),
    finishedAt: finished ? iso(10_000) : null,
    durationMs: finished ? 49_000 : null,
    ...overrides,
  });
}

/** A plan: these moves, these VMs left where they are, and the spread before and after. */
export function makePlan(
  moves: { vm: FleetVm; target: Pick<Host, 'id' | 'name'>; reason: string }[],
  unmovable: { vm: FleetVm; reasons: string[] }[] = [],
  hosts: readonly Pick<Host, 'id' | 'name'>[] = [],
): MovePlan {
  const spread = (memory: number[]) => {
    const width = memory.length ? Math.max(...memory) - Math.min(...memory) : 0;
    return {
      hosts: hosts.map((host, index) => ({
        hostId: host.id,
        name: host.name,
        memoryPercent: memory[index] ?? 0,
        cpuPercent: (memory[index] ?? 0) / 2,
      })),
      memorySpread: width,
      cpuSpread: width / 2,
    };
  };
  return MovePlan.parse({
    moves: moves.map(({ vm, target, reason }) => ({
      vmId: vm.id,
      vmName: vm.name,
      source: { id: vm.hostId, name: vm.hostName },
      target: { id: target.id, name: target.name },
      type: 'shared-storage',
      memoryMiB: vm.memoryMiB,
      reason,
    })),
    unmovable: unmovable.map(({ vm, reasons }) => ({ vmId: vm.id, vmName: vm.name, reasons })),
    before: spread(hosts.map((_, index) => (index === 0 ? 80 : 20))),
    after: spread(hosts.map(() => 40)),
  });
}
