import type { HostCapacity } from '@cockpit/api-hosts';
import {
  MIGRATION_DEFAULTS,
  type FleetVm,
  type MigrateOptions,
  type MigrationType,
  type Preflight,
  type PreflightCheck,
  type ResolvedMigrateOptions,
} from '@cockpit/contracts';

export interface MigrationLimits {
  outboundPerHost: number;
  inboundPerHost: number;
  fleet: number;
}

/** Migrations already under way (not counting the one being checked). */
export interface MigrationActivity {
  /** Running from the VM's host. */
  outbound: number;
  /** Running into the target host. */
  inbound: number;
  /** Running anywhere. */
  fleet: number;
  /** Memory of the VMs heading to the target host (queued or running), not yet shown in its free memory. */
  inboundMemoryMiB: number;
  /** Another migration of this VM is queued or running. */
  vmBusy: boolean;
}

export type PreflightVm = Pick<
  FleetVm,
  'id' | 'name' | 'hostId' | 'hostName' | 'state' | 'memoryMiB' | 'cpu' | 'pendingChanges' | 'disks' | 'nics' | 'snapshotCount'
>;

export interface PreflightInput {
  vm: PreflightVm;
  /** The VM's host as last reported (undefined: gone from the inventory). */
  source: HostCapacity | undefined;
  target: HostCapacity;
  options: MigrateOptions;
  /** Whether the caller holds `vm.migrate` on the VM and on the target host. */
  permissions: { onVm: boolean; onTarget: boolean };
  activity: MigrationActivity;
  limits: MigrationLimits;
}

const GiB = 1024 ** 3;
const size = (bytes: number) => (bytes >= GiB ? `${(bytes / GiB).toFixed(1)} GiB` : `${Math.ceil(bytes / 1024 ** 2)} MiB`);
const list = (items: readonly string[]) => items.map((item) => `"${item}"`).join(', ');
const plural = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;

const pass = (check: PreflightCheck['check'], message: string): PreflightCheck => ({ check, outcome: 'pass', message });
const warn = (check: PreflightCheck['check'], message: string): PreflightCheck => ({ check, outcome: 'warn', message });
const fail = (check: PreflightCheck['check'], message: string): PreflightCheck => ({ check, outcome: 'fail', message });

/**
 * Every check of moving one VM to one host, each answered in a sentence: what the migration's
 * start runs again, and what the wizard, evacuation and rebalancing plans show. Pure: the caller
 * reads the inventory, the caller's grants and the migrations under way.
 */
export function preflight(input: PreflightInput): Preflight {
  const { vm, source, target, options, activity, limits } = input;
  const checks: PreflightCheck[] = [];
  const stopped = vm.state === 'shutoff' || vm.state === 'crashed';

  // ---- which disks move, and so which type of migration this is
  const sharedDisks = vm.disks.filter((disk) => {
    const here = source?.pools.find((pool) => pool.id === disk.poolId);
    const there = target.pools.find((pool) => pool.id === disk.poolId);
    return here?.type === 'shared' && there?.type === 'shared';
  });
  const copiedDisks = vm.disks.filter((disk) => !sharedDisks.includes(disk));
  const copyStorage = options.copyStorage ?? copiedDisks.length > 0;
  const live = stopped ? false : (options.live ?? MIGRATION_DEFAULTS.live);
  const resolved: ResolvedMigrateOptions = {
    live,
    persistent: options.persistent ?? MIGRATION_DEFAULTS.persistent,
    undefineSource: options.undefineSource ?? MIGRATION_DEFAULTS.undefineSource,
    autoConverge: options.autoConverge ?? MIGRATION_DEFAULTS.autoConverge,
    maxBandwidthMBps: options.maxBandwidthMBps === undefined ? MIGRATION_DEFAULTS.maxBandwidthMBps : options.maxBandwidthMBps,
    downtimeLimitMs: options.downtimeLimitMs ?? MIGRATION_DEFAULTS.downtimeLimitMs,
    copyStorage,
  };
  const sharedPools = [...new Set(sharedDisks.map((disk) => disk.poolId))];
  const copiedPools = [...new Set(copiedDisks.map((disk) => disk.poolId))];
  let type: MigrationType;
  let typeReason: string;
  if (!live) {
    type = 'offline';
    typeReason = stopped
      ? `${vm.name} is ${vm.state}: its definition${copiedDisks.length && copyStorage ? ' and local disks' : ''} move while it stays off`
      : `live is off: ${vm.name} is paused for the whole copy`;
  } else if (copiedDisks.length && copyStorage) {
    type = 'shared-nothing';
    typeReason = `disk${copiedDisks.length === 1 ? '' : 's'} ${copiedDisks.map((disk) => disk.id).join(', ')} on pool${copiedPools.length === 1 ? '' : 's'} ${list(copiedPools)} (not shared with ${target.name}) ${copiedDisks.length === 1 ? 'is' : 'are'} copied block by block while the VM runs, then its memory`;
  } else {
    type = 'shared-storage';
    typeReason = vm.disks.length
      ? `every disk is on shared pool${sharedPools.length === 1 ? '' : 's'} ${list(sharedPools)}, which ${target.name} mounts too: only CPU and memory state move`
      : 'the VM has no disks: only CPU and memory state move';
  }

  // ---- state
  if (source && target.hostId === source.hostId) checks.push(fail('state', `${vm.name} already runs on ${target.name}`));
  else if (vm.state === 'migrating') checks.push(fail('state', `${vm.name} is already migrating`));
  else if (activity.vmBusy) checks.push(fail('state', `${vm.name} already has a migration queued or running`));
  else if (!source) checks.push(fail('state', `${vm.name}'s host is no longer in the inventory`));
  else if (!source.enabled || source.state !== 'connected')
    checks.push(
      fail('state', `${vm.name}'s host ${source.name} is ${source.enabled ? source.state : 'disabled'}: it cannot send it`),
    );
  else if (vm.snapshotCount > 0 && !resolved.undefineSource)
    checks.push(
      fail(
        'state',
        `${vm.name} has ${plural(vm.snapshotCount, 'snapshot')}, which move with it: keep "undefine source" on, or delete them first`,
      ),
    );
  else checks.push(pass('state', `${vm.name} is ${vm.state}${live ? '' : ': it moves offline'}`));

  // ---- permissions
  const missing = [
    ...(input.permissions.onVm ? [] : [`on ${vm.name}`]),
    ...(input.permissions.onTarget ? [] : [`on host ${target.name}`]),
  ];
  checks.push(
    missing.length
      ? fail('permissions', `You need the vm.migrate permission ${missing.join(' and ')}`)
      : pass('permissions', `You may migrate ${vm.name} to ${target.name}`),
  );

  // ---- the target host
  const targetOnline = target.enabled && target.state === 'connected';
  checks.push(
    targetOnline
      ? pass('target', `${target.name} is connected`)
      : fail('target', `${target.name} is ${target.enabled ? target.state : 'disabled'}`),
  );

  // ---- storage
  if (copiedDisks.length && !copyStorage) {
    checks.push(
      fail(
        'storage',
        `disk${copiedDisks.length === 1 ? '' : 's'} ${copiedDisks.map((disk) => disk.id).join(', ')} ${copiedDisks.length === 1 ? 'is' : 'are'} on pool${copiedPools.length === 1 ? '' : 's'} ${list(copiedPools)}, which ${target.name} does not share: turn on copy storage (shared-nothing) to copy ${copiedDisks.length === 1 ? 'it' : 'them'}`,
      ),
    );
  } else if (copiedDisks.length) {
    const needs = new Map<string, number>();
    for (const disk of copiedDisks) needs.set(disk.poolId, (needs.get(disk.poolId) ?? 0) + disk.allocatedBytes);
    for (const [poolId, bytes] of needs) {
      const pool = target.pools.find((candidate) => candidate.id === poolId);
      if (!pool) checks.push(fail('storage', `${target.name} has no pool "${poolId}" to copy the disks into`));
      else if (pool.freeBytes < bytes)
        checks.push(
          fail(
            'storage',
            `pool "${poolId}" on ${target.name} has ${size(pool.freeBytes)} free, the copied disks need ${size(bytes)}`,
          ),
        );
      else
        checks.push(
          pass('storage', `pool "${poolId}" on ${target.name} has ${size(pool.freeBytes)} free for ${size(bytes)} of disks`),
        );
    }
  }
  if (sharedPools.length)
    checks.push(pass('storage', `${target.name} mounts shared pool${sharedPools.length === 1 ? '' : 's'} ${list(sharedPools)}`));
  if (options.copyStorage && !copiedDisks.length && vm.disks.length)
    checks.push(warn('storage', 'copy storage is on, but every disk is on storage both hosts share: nothing is copied'));

  // ---- network
  const networks = [...new Set(vm.nics.map((nic) => nic.networkId))];
  const missingNetworks = networks.filter((network) => !target.networks.includes(network));
  if (missingNetworks.length)
    checks.push(
      fail(
        'network',
        `${target.name} has no bridge ${list(missingNetworks)} (for ${vm.nics
          .filter((nic) => missingNetworks.includes(nic.networkId))
          .map((nic) => nic.id)
          .join(', ')})`,
      ),
    );
  else if (networks.length)
    checks.push(pass('network', `${target.name} has bridge${networks.length === 1 ? '' : 's'} ${list(networks)}`));

  // ---- CPU
  checks.push(cpuCheck(vm, source, target));

  // ---- memory
  if (!live && stopped)
    checks.push(pass('memory', `${vm.name} is stopped: it needs no memory on ${target.name} until it starts`));
  else {
    const free = target.freeMemoryMiB - activity.inboundMemoryMiB;
    const heading = activity.inboundMemoryMiB
      ? ` (after ${activity.inboundMemoryMiB} MiB for migrations already heading there)`
      : '';
    if (free < vm.memoryMiB)
      checks.push(
        fail('memory', `${target.name} has ${Math.max(0, free)} MiB free${heading}; ${vm.name} needs ${vm.memoryMiB} MiB`),
      );
    else if (target.totalMemoryMiB > 0 && free - vm.memoryMiB < target.totalMemoryMiB * 0.05)
      checks.push(
        warn('memory', `${target.name} would be left with ${free - vm.memoryMiB} MiB free${heading}, under 5% of its memory`),
      );
    else checks.push(pass('memory', `${target.name} has ${free} MiB free${heading}; ${vm.name} needs ${vm.memoryMiB} MiB`));
  }

  // ---- concurrency: never a refusal, a wait
  const waits: string[] = [];
  if (activity.outbound >= limits.outboundPerHost)
    waits.push(`${source?.name ?? vm.hostName} already sends ${activity.outbound} of ${limits.outboundPerHost}`);
  if (activity.inbound >= limits.inboundPerHost)
    waits.push(`${target.name} already receives ${activity.inbound} of ${limits.inboundPerHost}`);
  if (activity.fleet >= limits.fleet) waits.push(`the fleet already runs ${activity.fleet} of ${limits.fleet}`);
  checks.push(
    waits.length
      ? warn('concurrency', `it will wait for a slot: ${waits.join('; ')}`)
      : pass(
          'concurrency',
          `slots free (${activity.outbound}/${limits.outboundPerHost} leaving ${source?.name ?? vm.hostName}, ${activity.inbound}/${limits.inboundPerHost} arriving on ${target.name}, ${activity.fleet}/${limits.fleet} in the fleet)`,
        ),
  );

  const verdict = checks.some((check) => check.outcome === 'fail')
    ? 'fail'
    : checks.some((check) => check.outcome === 'warn')
      ? 'warn'
      : 'pass';
  return {
    vmId: vm.id,
    vmName: vm.name,
    source: { id: vm.hostId, name: source?.name ?? vm.hostName },
    target: { id: target.hostId, name: target.name },
    type,
    typeReason,
    options: resolved,
    verdict,
    checks,
  };
}

/**
 * The destination must offer every feature the VM's CPU model asks for (its staged CPU change
 * too: it applies at the next boot, there). `host-passthrough` shows the guest the host's own CPU,
 * so only an identical CPU will do.
 */
function cpuCheck(vm: PreflightVm, source: HostCapacity | undefined, target: HostCapacity): PreflightCheck {
  if (vm.cpu.model === 'host-passthrough') {
    if (!source) return fail('cpu', `${vm.name} uses host-passthrough and its host's CPU is unknown`);
    const extra = target.cpuFeatures.filter((flag) => !source.cpuFeatures.includes(flag));
    const lacking = source.cpuFeatures.filter((flag) => !target.cpuFeatures.includes(flag));
    const differences = [
      ...(source.cpuModel !== target.cpuModel ? [`its model is ${target.cpuModel}, not ${source.cpuModel}`] : []),
      ...(lacking.length ? [`it lacks ${lacking.join(', ')}`] : []),
      ...(extra.length ? [`it adds ${extra.join(', ')}`] : []),
    ];
    return differences.length
      ? fail(
          'cpu',
          `${vm.name} uses host-passthrough, which needs a CPU identical to ${source.name}'s; ${target.name}'s differs: ${differences.join('; ')}`,
        )
      : pass('cpu', `${target.name}'s CPU is identical to ${source.name}'s (${source.cpuModel}), as host-passthrough needs`);
  }
  const needed = [...new Set([...vm.cpu.features, ...(vm.pendingChanges.cpu?.features ?? [])])];
  const missing = needed.filter((flag) => !target.cpuFeatures.includes(flag));
  if (missing.length)
    return fail(
      'cpu',
      `${target.name}'s CPU (${target.cpuModel || 'unknown model'}) lacks ${missing.join(', ')}, which ${vm.name}'s CPU (${vm.cpu.model}) needs`,
    );
  return pass(
    'cpu',
    needed.length
      ? `${target.name}'s CPU offers every feature ${vm.name} needs (${needed.join(', ')})`
      : `${vm.name}'s CPU model (${vm.cpu.model}) needs no extra features`,
  );
}
