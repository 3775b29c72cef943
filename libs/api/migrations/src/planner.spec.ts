import { describe, expect, it } from '@jest/globals';
import type { HostCapacity } from '@cockpit/api-hosts';
import type { FleetVm, Preflight } from '@cockpit/contracts';
import { planEvacuation, planRebalance, spreadOf, type CheckMove, type PlanHost } from './planner.js';

const host = (n: number, extra: Partial<HostCapacity> = {}): HostCapacity => ({
  hostId: `00000000-0000-4000-8000-00000000000${n}`,
  name: `h${n}`,
  state: 'connected',
  enabled: true,
  freeMemoryMiB: 16_384,
  totalMemoryMiB: 32_768,
  cpuThreads: 16,
  cpuModel: 'x',
  cpuFeatures: [],
  pools: [],
  networks: [],
  ...extra,
});
let count = 0;
const vm = (on: HostCapacity, memoryMiB: number, cpuPercent = 50): FleetVm =>
  ({
    id: `11111111-1111-4111-8111-${String(++count).padStart(12, '0')}`,
    name: `vm-${count}`,
    hostId: on.hostId,
    hostName: on.name,
    state: 'running',
    vcpus: 4,
    memoryMiB,
    stats: { cpuPercent, memoryUsedMiB: memoryMiB / 2, at: new Date().toISOString() },
  }) as FleetVm;

/** Passes unless the target lacks the memory (counting what the plan sent there), or is listed as refusing. */
const checker =
  (refuse: Set<string> = new Set()): CheckMove =>
  async (candidate, target, planned) => {
    const fails = [
      ...(target.freeMemoryMiB - planned < candidate.memoryMiB ? [`only ${target.freeMemoryMiB - planned} MiB free`] : []),
      ...(refuse.has(target.hostId) ? ['refused'] : []),
    ];
    return {
      vmId: candidate.id,
      vmName: candidate.name,
      source: { id: candidate.hostId, name: candidate.hostName },
      target: { id: target.hostId, name: target.name },
      type: 'shared-storage',
      typeReason: '',
      options: {} as Preflight['options'],
      verdict: fails.length ? 'fail' : 'pass',
      checks: fails.map((message) => ({ check: 'memory' as const, outcome: 'fail' as const, message })),
    };
  };

describe('evacuation plans', () => {
  it('places the largest VMs first on the host with the most room left, and lists what cannot move', async () => {
    const [a, b, c] = [host(1), host(2, { freeMemoryMiB: 10_000 }), host(3, { freeMemoryMiB: 6_000 })];
    const big = vm(a, 8_000);
    const mid = vm(a, 5_000);
    const huge = vm(a, 20_000);
    const plan = await planEvacuation(
      { capacity: a, vms: [mid, big, huge] },
      [
        { capacity: b, vms: [] },
        { capacity: c, vms: [] },
      ],
      checker(),
    );
    expect(plan.moves.map((move) => [move.vmName, move.target.name])).toEqual([
      [big.name, 'h2'],
      [mid.name, 'h3'],
    ]);
    expect(plan.unmovable).toEqual([
      { vmId: huge.id, vmName: huge.name, reasons: ['h2: only 10000 MiB free', 'h3: only 6000 MiB free'] },
    ]);
    expect(plan.after.hosts.find((entry) => entry.hostId === b.hostId)?.memoryPercent).toBeGreaterThan(0);
  });
});

describe('rebalance plans', () => {
  it('moves VMs off the busiest host until the spread stops narrowing, never past maxMoves', async () => {
    const [a, b] = [host(4), host(5)];
    const hosts: PlanHost[] = [
      { capacity: a, vms: [vm(a, 4_096), vm(a, 4_096), vm(a, 4_096), vm(a, 4_096)] },
      { capacity: b, vms: [] },
    ];
    const before = spreadOf(hosts);
    expect(before.memorySpread).toBe(50);
    const plan = await planRebalance(hosts, checker(), 10);
    expect(plan.moves.length).toBe(2);
    expect(plan.after.memorySpread).toBe(0);
    expect((await planRebalance(hosts, checker(), 1)).moves.length).toBe(1);
    // Nowhere may take them: no moves, the spread as it was.
    const stuck = await planRebalance(hosts, checker(new Set([b.hostId])), 10);
    expect(stuck.moves).toEqual([]);
    expect(stuck.after.memorySpread).toBe(50);
  });
});
