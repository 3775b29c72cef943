import type { HostCapacity } from '@cockpit/api-hosts';

/** What a VM needs of a host: the checks creation places with and migration pre-flight runs. */
export interface VmNeeds {
  memoryMiB: number;
  /** Memory must be free now (the VM starts, or arrives running); else only the definition lands. */
  running: boolean;
  cpuModel: string;
  cpuFeatures: readonly string[];
  /** Bytes per pool id the VM's disks take there. */
  poolBytes: ReadonlyMap<string, number>;
  networks: readonly string[];
}

export interface CheckResult {
  check: 'state' | 'memory' | 'storage' | 'network' | 'cpu';
  outcome: 'pass' | 'fail';
  message: string;
}

const GiB = 1024 ** 3;
const size = (bytes: number) => (bytes >= GiB ? `${(bytes / GiB).toFixed(1)} GiB` : `${Math.ceil(bytes / 1024 ** 2)} MiB`);

/** Each check of one host against what the VM needs, in words a person understands. */
export function checkHost(host: HostCapacity, needs: VmNeeds): CheckResult[] {
  const results: CheckResult[] = [];
  const online = host.enabled && host.state === 'connected';
  results.push({
    check: 'state',
    outcome: online ? 'pass' : 'fail',
    message: online ? `${host.name} is connected` : `${host.name} is ${host.enabled ? host.state : 'disabled'}`,
  });
  if (needs.running)
    results.push(
      host.freeMemoryMiB >= needs.memoryMiB
        ? { check: 'memory', outcome: 'pass', message: `${host.freeMemoryMiB} MiB free, ${needs.memoryMiB} MiB needed` }
        : {
            check: 'memory',
            outcome: 'fail',
            message: `only ${host.freeMemoryMiB} MiB free on ${host.name}, ${needs.memoryMiB} MiB needed`,
          },
    );
  for (const [poolId, bytes] of needs.poolBytes) {
    const pool = host.pools.find((candidate) => candidate.id === poolId);
    if (!pool) results.push({ check: 'storage', outcome: 'fail', message: `${host.name} has no pool "${poolId}"` });
    else if (pool.freeBytes < bytes)
      results.push({
        check: 'storage',
        outcome: 'fail',
        message: `pool "${poolId}" on ${host.name} has ${size(pool.freeBytes)} free, the disks need ${size(bytes)}`,
      });
    else
      results.push({
        check: 'storage',
        outcome: 'pass',
        message: `pool "${poolId}" has ${size(pool.freeBytes)} free for ${size(bytes)}`,
      });
  }
  const missingNetworks = needs.networks.filter((network) => !host.networks.includes(network));
  if (needs.networks.length)
    results.push(
      missingNetworks.length
        ? {
            check: 'network',
            outcome: 'fail',
            message: `${host.name} has no bridge ${missingNetworks.map((network) => `"${network}"`).join(', ')}`,
          }
        : { check: 'network', outcome: 'pass', message: `bridges ${needs.networks.join(', ')} present` },
    );
  const missingFlags =
    needs.cpuModel === 'host-passthrough' ? [] : needs.cpuFeatures.filter((flag) => !host.cpuFeatures.includes(flag));
  results.push(
    missingFlags.length
      ? { check: 'cpu', outcome: 'fail', message: `${host.name}'s CPU lacks ${missingFlags.join(', ')}` }
      : {
          check: 'cpu',
          outcome: 'pass',
          message: needs.cpuFeatures.length ? 'every CPU feature present' : 'no CPU features required',
        },
  );
  return results;
}

export interface PlacementChoice {
  host: HostCapacity;
  reason: string;
  rejected: { host: HostCapacity; reasons: string[] }[];
}

/**
 * The host a new VM goes to: among those passing every check, the one with the most free memory
 * (ties: the most free space in the pools it uses, then name). Undefined when none passes.
 */
export function place(
  candidates: readonly HostCapacity[],
  needs: VmNeeds,
): PlacementChoice | { host: undefined; rejected: PlacementChoice['rejected'] } {
  const rejected: PlacementChoice['rejected'] = [];
  const passing: HostCapacity[] = [];
  for (const host of candidates) {
    const failures = checkHost(host, needs).filter((result) => result.outcome === 'fail');
    if (failures.length) rejected.push({ host, reasons: failures.map((failure) => failure.message) });
    else passing.push(host);
  }
  const poolRoom = (host: HostCapacity) =>
    [...needs.poolBytes.keys()].reduce((sum, id) => sum + (host.pools.find((pool) => pool.id === id)?.freeBytes ?? 0), 0);
  passing.sort((a, b) => b.freeMemoryMiB - a.freeMemoryMiB || poolRoom(b) - poolRoom(a) || a.name.localeCompare(b.name));
  const [best] = passing;
  if (!best) return { host: undefined, rejected };
  const reason =
    `${best.name} has the most free memory (${best.freeMemoryMiB} MiB) of the ${passing.length} host${passing.length === 1 ? '' : 's'} that pass every check` +
    (needs.poolBytes.size
      ? `, with room in pool${needs.poolBytes.size === 1 ? '' : 's'} ${[...needs.poolBytes.keys()].join(', ')}`
      : '') +
    (needs.networks.length ? ` and bridge${needs.networks.length === 1 ? '' : 's'} ${needs.networks.join(', ')}` : '') +
    (rejected.length ? `; ${rejected.length} other${rejected.length === 1 ? '' : 's'} could not take it` : '');
  return { host: best, reason, rejected };
}
