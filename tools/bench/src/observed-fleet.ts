/**
 * A fleet for bench:bulk that can say exactly what its hypervisors were asked: the real agent
 * server, one per simulated host on a port of its own (as real hosts are: each its own endpoint,
 * so clients keep a connection pool per host), over a SimWorld whose drivers are wrapped. The
 * wrapper makes each VM action take `actionMs` (a hypervisor's time to start a VM) and counts, per
 * host, the actions inside the driver at once: every action the agent runs passes through it, so
 * the highest count is exact, not sampled. Also per VM: how many actions it was asked.
 *
 * Started by startObservedFleet (fork, one JSON argument); answers `{ type: 'ready', manifest }`.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadOrCreateTlsIdentity, loadOrCreateToken, startAgentServer, type FleetManifest } from '@cockpit/vapor-agent';
import { SimWorld } from '@cockpit/vapor-sim';

export interface ObservedFleetOptions {
  hosts: number;
  vmsPerHost: number;
  seed: number;
  actionMs: number;
  /** Actions at once on one host above which an action counts as exceeding the limit. */
  limit: number;
  dataDir: string;
}

export interface ActionReport {
  /** Per host uuid: the most actions inside its driver at once. */
  maxInFlight: Record<string, number>;
  /** Actions that began while `limit` were already running on their host. */
  exceeded: number;
  /** Per VM id: actions asked (refused ones included). */
  actionsPerVm: Record<string, number>;
  /** Actions the driver refused (e.g. already running). */
  refused: number;
  /** First action in, last action out (Unix ms), since the last reset. */
  firstAt: number | null;
  lastAt: number | null;
}

export type ObservedFleetMessage = { type: 'reset' } | { type: 'report' } | { type: 'states' } | { type: 'power-off-all' };
export type ObservedFleetReply =
  | { type: 'ready'; manifest: FleetManifest; manifestFile: string }
  | { type: 'reset' }
  | { type: 'report'; report: ActionReport }
  | { type: 'states'; states: Record<string, string> }
  | { type: 'powered-off'; count: number };

const options = JSON.parse(process.argv[2] ?? '{}') as ObservedFleetOptions;
const world = new SimWorld({
  seed: options.seed,
  hosts: options.hosts,
  vmsPerHost: options.vmsPerHost,
  statsIntervalMs: 5000,
  hostPrefix: 'bulk',
});

let report: ActionReport;
const inFlight = new Map<string, number>();
const reset = () => {
  report = { maxInFlight: {}, exceeded: 0, actionsPerVm: {}, refused: 0, firstAt: null, lastAt: null };
  for (const host of world.hosts) report.maxInFlight[host.uuid] = 0;
};
reset();

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
type Driver = Parameters<typeof startAgentServer>[0]['hosts'][number]['driver'];

/** The host's driver with `act` counted and slowed; everything else as it is. */
function observed(host: (typeof world.hosts)[number]): Driver {
  const act = async (vmId: string, ...rest: unknown[]) => {
    const now = inFlight.get(host.uuid) ?? 0;
    if (now >= options.limit) report.exceeded += 1;
    inFlight.set(host.uuid, now + 1);
    report.maxInFlight[host.uuid] = Math.max(report.maxInFlight[host.uuid] ?? 0, now + 1);
    report.actionsPerVm[vmId] = (report.actionsPerVm[vmId] ?? 0) + 1;
    report.firstAt ??= Date.now();
    try {
      if (options.actionMs > 0) await sleep(options.actionMs);
      return await (host.act as (...args: unknown[]) => Promise<unknown>).call(host, vmId, ...rest);
    } catch (error) {
      report.refused += 1;
      throw error;
    } finally {
      inFlight.set(host.uuid, (inFlight.get(host.uuid) ?? 1) - 1);
      report.lastAt = Date.now();
    }
  };
  return new Proxy(host, {
    get(target, property) {
      if (property === 'act') return act;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  }) as Driver;
}

const tls = await loadOrCreateTlsIdentity(options.dataDir);
const token = await loadOrCreateToken(options.dataDir);
const agents: Awaited<ReturnType<typeof startAgentServer>>[] = [];
for (const host of world.hosts)
  agents.push(
    await startAgentServer(
      { hosts: [{ uuid: host.uuid, driver: observed(host) }], token, tls, fleet: false },
      { port: 0, host: '127.0.0.1' },
    ),
  );

const manifest: FleetManifest = {
  version: 1,
  fingerprint: tls.fingerprint,
  hosts: world.hosts.map((host, index) => ({
    uuid: host.uuid,
    hostname: host.hostname,
    url: agents[index]?.baseUrls.get(host.uuid) ?? '',
    token,
    fingerprint: tls.fingerprint,
  })),
};
const manifestFile = path.join(options.dataDir, 'fleet.json');
await writeFile(manifestFile, JSON.stringify(manifest), { mode: 0o600 });
const send = (reply: ObservedFleetReply) => process.send?.(reply);
process.on('message', (message: ObservedFleetMessage) => {
  if (message.type === 'reset') {
    reset();
    send({ type: 'reset' });
  } else if (message.type === 'report') send({ type: 'report', report });
  else if (message.type === 'states') {
    const states: Record<string, string> = {};
    for (const host of world.hosts) for (const vm of host.listVms()) states[vm.id] = vm.state;
    send({ type: 'states', states });
  } else {
    // Straight to the simulation, past the counting wrapper: resetting is not what is measured.
    void (async () => {
      let count = 0;
      for (const host of world.hosts)
        for (const vm of host.listVms())
          if (vm.state === 'running' || vm.state === 'paused') {
            await host.act(vm.id, 'poweroff');
            count += 1;
          }
      send({ type: 'powered-off', count });
    })();
  }
});
const stop = () => void Promise.all([...agents.map((agent) => agent.close()), world.close()]).then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('disconnect', stop);
send({ type: 'ready', manifest, manifestFile });
