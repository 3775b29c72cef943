/**
 * A Vapor fleet process for benchmarks that also tells what its simulation changed: the real
 * agent server over a SimWorld, plus a record of every VM state change the simulated hosts made
 * (host, VM, new state, when), kept between a `record` and a `report` message from the parent.
 * That is the generator's side of bench:events' loss count.
 *
 * Started by startRecordingFleet (fork, one JSON argument); answers `{ type: 'ready', manifest }`.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadOrCreateTlsIdentity, loadOrCreateToken, startAgentServer, type FleetManifest } from '@cockpit/vapor-agent';
import { SimWorld } from '@cockpit/vapor-sim';

export interface RecordingFleetOptions {
  hosts: number;
  vmsPerHost: number;
  seed: number;
  churnPerSecond: number;
  statsIntervalMs: number;
  dataDir: string;
}

/** One change the simulation made: [VM id, new state, Unix ms]. */
export type Change = [string, string, number];

export type FleetMessage = { type: 'record' } | { type: 'report' };
export type FleetReply =
  | { type: 'ready'; manifest: FleetManifest; manifestFile: string }
  | { type: 'recording' }
  | { type: 'changes'; byHost: Record<string, Change[]> };

const options = JSON.parse(process.argv[2] ?? '{}') as RecordingFleetOptions;
const world = new SimWorld({
  seed: options.seed,
  hosts: options.hosts,
  vmsPerHost: options.vmsPerHost,
  statsIntervalMs: options.statsIntervalMs,
  churnPerSecond: options.churnPerSecond,
  hostPrefix: 'events',
});
let recording = false;
let byHost: Record<string, Change[]> = {};
for (const host of world.hosts) {
  // Registered before the agent's own listener, so this stamp and the agent's (the event's `ts`,
  // which Cockpit passes on as `at`) are taken within the same millisecond or so.
  host.onEvent((event) => {
    if (recording && event.type === 'vm.state') (byHost[host.uuid] ??= []).push([event.data.vmId, event.data.state, Date.now()]);
  });
}
const tls = await loadOrCreateTlsIdentity(options.dataDir);
const token = await loadOrCreateToken(options.dataDir);
const agent = await startAgentServer(
  { hosts: world.hosts.map((host) => ({ uuid: host.uuid, driver: host })), token, tls, fleet: true },
  { port: 0, host: '127.0.0.1' },
);

const manifest: FleetManifest = {
  version: 1,
  fingerprint: tls.fingerprint,
  hosts: world.hosts.map((host) => ({
    uuid: host.uuid,
    hostname: host.hostname,
    url: agent.baseUrls.get(host.uuid) ?? '',
    token,
    fingerprint: tls.fingerprint,
  })),
};
const manifestFile = path.join(options.dataDir, 'fleet.json');
await writeFile(manifestFile, JSON.stringify(manifest), { mode: 0o600 });
const send = (reply: FleetReply) => process.send?.(reply);
process.on('message', (message: FleetMessage) => {
  if (message.type === 'record') {
    byHost = {};
    recording = true;
    send({ type: 'recording' });
  } else {
    recording = false;
    send({ type: 'changes', byHost });
  }
});
const stop = () => void Promise.all([agent.close(), world.close()]).then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('disconnect', stop);
send({ type: 'ready', manifest, manifestFile });
