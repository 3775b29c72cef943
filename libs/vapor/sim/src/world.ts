import { CPU_MODELS, KERNELS, PACKAGES, PROFILES, type WorkloadProfile } from './catalog.js';
import { Rng } from './rng.js';
import { SimHost, type SimPool } from './sim-host.js';

export interface SimWorldOptions {
  seed?: number;
  hosts?: number;
  vmsPerHost?: number;
  /** Speeds up everything that takes time (shutdown, copies, migrations) without changing the model. */
  timeScale?: number;
  statsIntervalMs?: number;
  /** Prefix of host names: `<prefix>-01`, ... */
  hostPrefix?: string;
  /** Load generator: pause or resume this many random VMs per second across the world (benchmarks). */
  churnPerSecond?: number;
}

const CHURN_TICK_MS = 10;

const GiB = 1024 ** 3;
const TiB = 1024 ** 4;

/**
 * Many simulated hosts sharing one world: shared storage pools are the same objects on every host
 * that mounts them, so migrations between hosts see the same disks. Deterministic from the seed.
 */
export class SimWorld {
  readonly hosts: SimHost[] = [];
  /** Workload of every VM in the world, so a VM keeps its behaviour when it migrates. */
  readonly profiles = new Map<string, WorkloadProfile>();
  readonly timeScale: number;
  readonly statsIntervalMs: number;
  private readonly statsTimer: NodeJS.Timeout;

  constructor(options: SimWorldOptions = {}) {
    const seed = options.seed ?? 1;
    const rng = new Rng(seed);
    this.timeScale = options.timeScale ?? 1;
    this.statsIntervalMs = options.statsIntervalMs ?? 5000;
    const hostCount = options.hosts ?? 3;
    const prefix = options.hostPrefix ?? 'sim';

    // Shared pools: each mounted by a group of hosts (ids are the same on every host).
    const sharedPools: SimPool[] = [
      { id: 'ceph-a', type: 'shared', capacityBytes: 200 * TiB, usedBytes: 0 },
      { id: 'nfs-b', type: 'shared', capacityBytes: 50 * TiB, usedBytes: 0 },
    ];
    for (let index = 0; index < hostCount; index++) {
      const hostRng = rng.fork(`host-${index}`);
      const cpu = CPU_MODELS[index % CPU_MODELS.length] ?? CPU_MODELS[0];
      const sockets = hostRng.pick([1, 2, 2, 2, 4]);
      const coresPerSocket = hostRng.pick([8, 12, 16, 24, 32]);
      const pools: SimPool[] = [{ id: 'local', type: 'local', capacityBytes: hostRng.pick([2, 4, 8]) * TiB, usedBytes: 0 }];
      // Most hosts mount ceph-a; every third also nfs-b (a different third); a few have neither (only shared-nothing moves).
      if (index % 7 !== 6) pools.push(sharedPools[0] as SimPool);
      if (index % 3 === 1) pools.push(sharedPools[1] as SimPool);
      const networks = [
        { id: 'br-mgmt', type: 'bridge' as const, vlan: null, mtu: 1500 },
        ...(index % 5 !== 4 ? [{ id: 'br-prod', type: 'bridge' as const, vlan: 100, mtu: 9000 }] : []),
        ...(index % 2 === 0 ? [{ id: 'br-storage', type: 'bridge' as const, vlan: 200, mtu: 9000 }] : []),
        ...(index % 4 === 1 ? [{ id: 'br-dmz', type: 'bridge' as const, vlan: 300, mtu: 1500 }] : []),
      ];
      const host = new SimHost({
        world: this,
        rng: hostRng,
        uuid: hostRng.uuid(),
        hostname: `${prefix}-${String(index + 1).padStart(2, '0')}`,
        cpu: { vendor: cpu.vendor, model: cpu.model, features: [...cpu.features], sockets, coresPerSocket, threadsPerCore: 2 },
        memoryMiB: hostRng.pick([128, 256, 384, 512]) * 1024,
        pools,
        networks,
        kernel: hostRng.pick(KERNELS),
        packages: Object.fromEntries(Object.entries(PACKAGES).map(([name, versions]) => [name, hostRng.pick(versions)])),
      });
      this.hosts.push(host);
    }

    const profiles = Object.keys(PROFILES) as WorkloadProfile[];
    for (const host of this.hosts) {
      const vmRng = rng.fork(`vms-${host.uuid}`);
      for (let n = 0; n < (options.vmsPerHost ?? 4); n++) {
        const shared = host.pools.find((pool) => pool.type === 'shared');
        const profile = vmRng.pick(profiles);
        host.seedVm({
          name: `${host.hostname}-vm${String(n + 1).padStart(2, '0')}`,
          vcpus: vmRng.pick([1, 2, 2, 4, 4, 8]),
          memoryMiB: vmRng.pick([512, 1024, 2048, 4096, 8192]),
          diskBytes: vmRng.pick([10, 20, 40, 80]) * GiB,
          poolId: shared && vmRng.chance(0.7) ? shared.id : 'local',
          networkId: host.networks.some((net) => net.id === 'br-prod') ? 'br-prod' : 'br-mgmt',
          profile,
          running: vmRng.chance(0.8),
        });
      }
    }

    // Real hosts do not sample in lockstep: each host gets its own phase within the interval.
    const slots = 10;
    let slot = 0;
    this.statsTimer = setInterval(() => {
      this.hosts.forEach((host, index) => {
        if (index % slots === slot) host.emitStats();
      });
      slot = (slot + 1) % slots;
    }, this.statsIntervalMs / slots);
    this.statsTimer.unref();
    if (options.churnPerSecond) this.startChurn(options.churnPerSecond, rng.fork('churn'));
  }

  /** State changes made by the churn load generator so far. */
  churned = 0;
  private churnTimer?: NodeJS.Timeout;

  private startChurn(perSecond: number, rng: Rng): void {
    // Only VMs that can pause or resume: toggling keeps them so.
    const vms = this.hosts.flatMap((host) =>
      host
        .vmIds()
        .filter((vmId) => host.vmState(vmId) === 'running' || host.vmState(vmId) === 'paused')
        .map((vmId) => ({ host, vmId })),
    );
    if (!vms.length) return;
    let debt = 0;
    let last = performance.now();
    this.churnTimer = setInterval(() => {
      const now = performance.now();
      debt += ((now - last) / 1000) * perSecond;
      last = now;
      for (; debt >= 1; debt -= 1) {
        const { host, vmId } = vms[rng.int(0, vms.length - 1)] ?? { host: undefined, vmId: '' };
        const state = host?.vmState(vmId);
        if (!host || (state !== 'running' && state !== 'paused')) continue;
        void host.act(vmId, state === 'running' ? 'pause' : 'resume').then(
          () => (this.churned += 1),
          () => undefined,
        );
      }
    }, CHURN_TICK_MS);
    this.churnTimer.unref();
  }

  host(uuid: string): SimHost | undefined {
    return this.hosts.find((host) => host.uuid === uuid);
  }

  /** Wall-clock milliseconds for a simulated duration. */
  scaled(ms: number): number {
    return ms / this.timeScale;
  }

  async close(): Promise<void> {
    clearInterval(this.statsTimer);
    clearInterval(this.churnTimer);
    await Promise.all(this.hosts.map((host) => host.close()));
  }
}
