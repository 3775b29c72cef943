import type { HostCapacity } from '@cockpit/api-hosts';
import type { FleetVm, HostLoad, LoadSpread, MovePlan, PlannedMove, Preflight } from '@cockpit/contracts';

export interface PlanHost {
  capacity: HostCapacity;
  vms: FleetVm[];
}

/** The checks of one move, given the memory the plan already sends to that host. */
export type CheckMove = (vm: FleetVm, target: HostCapacity, plannedInboundMiB: number) => Promise<Preflight>;

const runs = (vm: FleetVm) => vm.state === 'running' || vm.state === 'paused';
const round = (value: number) => Math.round(value * 10) / 10;

/** Memory and CPU of a host's running VMs over what the host has (VM CPU is a share of its own vCPUs). */
function load(host: HostCapacity, vms: readonly FleetVm[]): HostLoad {
  const running = vms.filter(runs);
  const memory = running.reduce((sum, vm) => sum + vm.memoryMiB, 0);
  const cpu = running.reduce((sum, vm) => sum + ((vm.stats?.cpuPercent ?? 0) / 100) * vm.vcpus, 0);
  return {
    hostId: host.hostId,
    name: host.name,
    memoryPercent: host.totalMemoryMiB > 0 ? round((memory / host.totalMemoryMiB) * 100) : 0,
    cpuPercent: host.cpuThreads > 0 ? round((cpu / host.cpuThreads) * 100) : 0,
  };
}

export function spreadOf(hosts: readonly PlanHost[], placement: ReadonlyMap<string, string> = new Map()): LoadSpread {
  const byHost = new Map(hosts.map((host) => [host.capacity.hostId, [] as FleetVm[]]));
  for (const host of hosts) for (const vm of host.vms) byHost.get(placement.get(vm.id) ?? host.capacity.hostId)?.push(vm);
  const loads = hosts.map((host) => load(host.capacity, byHost.get(host.capacity.hostId) ?? []));
  const range = (values: number[]) => (values.length ? round(Math.max(...values) - Math.min(...values)) : 0);
  return {
    hosts: loads,
    memorySpread: range(loads.map((entry) => entry.memoryPercent)),
    cpuSpread: range(loads.map((entry) => entry.cpuPercent)),
  };
}

const failures = (result: Preflight) => result.checks.filter((check) => check.outcome === 'fail').map((check) => check.message);

function toMove(vm: FleetVm, result: Preflight, reason: string): PlannedMove {
  return {
    vmId: vm.id,
    vmName: vm.name,
    source: result.source,
    target: result.target,
    type: result.type,
    memoryMiB: vm.memoryMiB,
    reason,
  };
}

/**
 * Every VM off `source`: the largest first, each onto the host passing its checks with the most
 * free memory left after what the plan already sent there (then the least CPU load). A VM no
 * host can take is listed with the reasons of (at most three of) the hosts that refused it.
 */
export async function planEvacuation(source: PlanHost, targets: readonly PlanHost[], check: CheckMove): Promise<MovePlan> {
  const all = [source, ...targets];
  const planned = new Map<string, number>();
  const placement = new Map<string, string>();
  const moves: PlannedMove[] = [];
  const unmovable: MovePlan['unmovable'] = [];
  const before = spreadOf(all);
  const cpuOf = new Map(before.hosts.map((entry) => [entry.hostId, entry.cpuPercent]));
  const ordered = [...source.vms].sort((a, b) => Number(runs(b)) - Number(runs(a)) || b.memoryMiB - a.memoryMiB);
  for (const vm of ordered) {
    const passing: { host: HostCapacity; result: Preflight; free: number }[] = [];
    const refused: string[] = [];
    for (const { capacity } of targets) {
      if (capacity.hostId === source.capacity.hostId) continue;
      const inbound = planned.get(capacity.hostId) ?? 0;
      const result = await check(vm, capacity, inbound);
      const failed = failures(result);
      if (failed.length) refused.push(`${capacity.name}: ${failed.join('; ')}`);
      else passing.push({ host: capacity, result, free: capacity.freeMemoryMiB - inbound });
    }
    passing.sort(
      (a, b) =>
        b.free - a.free ||
        (cpuOf.get(a.host.hostId) ?? 0) - (cpuOf.get(b.host.hostId) ?? 0) ||
        a.host.name.localeCompare(b.host.name),
    );
    const [best] = passing;
    if (!best) {
      unmovable.push({
        vmId: vm.id,
        vmName: vm.name,
        reasons: refused.length
          ? refused.slice(0, 3).concat(refused.length > 3 ? [`and ${refused.length - 3} more hosts`] : [])
          : ['no other host to move it to'],
      });
      continue;
    }
    if (runs(vm)) planned.set(best.host.hostId, (planned.get(best.host.hostId) ?? 0) + vm.memoryMiB);
    placement.set(vm.id, best.host.hostId);
    moves.push(
      toMove(
        vm,
        best.result,
        `${best.host.name} has the most free memory (${best.free} MiB) of the ${passing.length} host${passing.length === 1 ? '' : 's'} that pass every check`,
      ),
    );
  }
  return { moves, unmovable, before, after: spreadOf(all, placement) };
}

/** One number per plan: how uneven memory and CPU are (the larger spread counts most). */
const unevenness = (spread: LoadSpread) =>
  Math.max(spread.memorySpread, spread.cpuSpread) + (spread.memorySpread + spread.cpuSpread) / 10;

/**
 * Moves that even out memory and CPU across `hosts`: each round takes the running VM off the
 * busiest host whose move (to the host that passes its checks) narrows the spread most; it stops
 * when no move narrows it by at least one point, or after `maxMoves`.
 */
export async function planRebalance(hosts: readonly PlanHost[], check: CheckMove, maxMoves: number): Promise<MovePlan> {
  const placement = new Map<string, string>();
  const planned = new Map<string, number>();
  const moves: PlannedMove[] = [];
  const before = spreadOf(hosts);
  let current = before;
  const score = (entry: HostLoad) => Math.max(entry.memoryPercent, entry.cpuPercent);
  const moved = new Set<string>();
  while (moves.length < maxMoves) {
    const busiest = [...current.hosts].sort((a, b) => score(b) - score(a))[0];
    if (!busiest) break;
    const onBusiest = hosts
      .flatMap((host) => host.vms)
      .filter((vm) => runs(vm) && !moved.has(vm.id) && (placement.get(vm.id) ?? vm.hostId) === busiest.hostId);
    let best: { vm: FleetVm; result: Preflight; spread: LoadSpread; host: HostCapacity } | undefined;
    for (const vm of onBusiest) {
      for (const { capacity } of hosts) {
        if (capacity.hostId === busiest.hostId || capacity.hostId === vm.hostId) continue;
        const trial = new Map(placement).set(vm.id, capacity.hostId);
        const spread = spreadOf(hosts, trial);
        if (best && unevenness(spread) >= unevenness(best.spread)) continue;
        if (unevenness(spread) > unevenness(current) - 1) continue;
        const result = await check(vm, capacity, planned.get(capacity.hostId) ?? 0);
        if (failures(result).length) continue;
        best = { vm, result, spread, host: capacity };
      }
    }
    if (!best) break;
    placement.set(best.vm.id, best.host.hostId);
    planned.set(best.host.hostId, (planned.get(best.host.hostId) ?? 0) + best.vm.memoryMiB);
    moved.add(best.vm.id);
    moves.push(
      toMove(
        best.vm,
        best.result,
        `from the busiest host ${busiest.name} (${score(busiest)}%): memory spread ${current.memorySpread} → ${best.spread.memorySpread} points, CPU ${current.cpuSpread} → ${best.spread.cpuSpread}`,
      ),
    );
    current = best.spread;
  }
  return { moves, unmovable: [], before, after: current };
}
