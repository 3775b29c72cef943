import { rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { SimWorld } from '@cockpit/vapor-sim';
import { startAgentServer, type RunningAgent } from './agent-server.js';
import { loadVaporConfig } from './config.js';
import { startFaultAdmin } from './fault-admin.js';
import { loadOrCreateTlsIdentity, loadOrCreateToken } from './tls-identity.js';

export const USAGE = `Usage:
  vapor serve [--port N] [--host H] [--data-dir DIR] [--token T] [--seed S] [--vms N] [--time-scale X]
      One simulated host (sim driver).
  vapor fleet --hosts N [--vms-per-host M] [--seed S] [--token T] [--port N] [--host H]
              [--data-dir DIR] [--manifest FILE] [--time-scale X] [--stats-interval-ms MS] [--admin-port N]
              [--host-prefix NAME] [--churn-per-s N]
      N simulated hosts in one process sharing one world, each at https://HOST:PORT/hosts/<uuid>.
      --manifest writes {url, token, fingerprint} per host for Cockpit to enroll.
      --host-prefix names the hosts NAME-01, NAME-02, ... (default sim).
      --churn-per-s pauses or resumes N random VMs per second (a load generator for benchmarks).
      --admin-port opens fault injection on 127.0.0.1 (POST /hosts/<uuid>/faults with the bearer token,
      Host 127.0.0.1:<port> or localhost:<port>, no Origin, Content-Type: application/json); off by default.
      Body: {"hang":true}, {"slowMs":N}, {"malformed":true}, {"dropEvents":true}, {"powerLoss":true},
      {"powerRestore":true}, {"failMigrationAt":0.5}, {"badStats":[{"target":"host"|<vm uuid>,"field":F,"value":V}]},
      {"clear":true}.
Environment: VAPOR_PORT (9443), VAPOR_HOST (127.0.0.1), VAPOR_DATA_DIR (.data/vapor), VAPOR_TOKEN.`;

export interface FleetManifest {
  version: 1;
  fingerprint: string;
  hosts: { uuid: string; hostname: string; url: string; token: string; fingerprint: string }[];
}

class UsageError extends Error {}

function positiveInt(name: string, raw: string | undefined, fallback: number, min = 1): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min)
    throw new UsageError(`--${name} must be a whole number of at least ${min}, got "${raw}"`);
  return value;
}

function positiveNumber(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new UsageError(`--${name} must be a positive number, got "${raw}"`);
  return value;
}

function hostPrefix(raw: string): string {
  if (!/^[a-z][a-z0-9-]{0,30}$/.test(raw))
    throw new UsageError(`--host-prefix must be lower-case letters, digits and "-", starting with a letter, got "${raw}"`);
  return raw;
}

/** Starts the agent as the command line says; resolves once it listens, with a stop function. */
export async function runVaporCli(
  argv: string[],
  out: (line: string) => void,
): Promise<{ stop(): Promise<void>; manifest: FleetManifest }> {
  const [command, ...rest] = argv;
  if (command !== 'serve' && command !== 'fleet')
    throw new UsageError(command ? `Unknown command "${command}"` : 'Give a command');
  const { values } = parseArgs({
    args: rest,
    strict: true,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'data-dir': { type: 'string' },
      token: { type: 'string' },
      seed: { type: 'string' },
      vms: { type: 'string' },
      hosts: { type: 'string' },
      'vms-per-host': { type: 'string' },
      manifest: { type: 'string' },
      'time-scale': { type: 'string' },
      'stats-interval-ms': { type: 'string' },
      'admin-port': { type: 'string' },
      'host-prefix': { type: 'string' },
      'churn-per-s': { type: 'string' },
    },
  });
  const env = loadVaporConfig();
  const fleet = command === 'fleet';
  const port = positiveInt('port', values.port, env.VAPOR_PORT, 0);
  const host = values.host ?? env.VAPOR_HOST;
  const dataDir = path.resolve(values['data-dir'] ?? env.VAPOR_DATA_DIR);
  const token = values.token ?? env.VAPOR_TOKEN;
  if (token !== undefined && token.length < 16) throw new UsageError('--token must be at least 16 characters');

  const world = new SimWorld({
    seed: positiveInt('seed', values.seed, 1, 0),
    hosts: fleet ? positiveInt('hosts', values.hosts, 3) : 1,
    vmsPerHost: positiveInt(fleet ? 'vms-per-host' : 'vms', fleet ? values['vms-per-host'] : values.vms, 4, 0),
    timeScale: positiveNumber('time-scale', values['time-scale'], 1),
    statsIntervalMs: positiveInt('stats-interval-ms', values['stats-interval-ms'], 5000, 100),
    ...(values['host-prefix'] ? { hostPrefix: hostPrefix(values['host-prefix']) } : {}),
    churnPerSecond: positiveInt('churn-per-s', values['churn-per-s'], 0, 0),
  });
  let agent: RunningAgent;
  try {
    const tls = await loadOrCreateTlsIdentity(dataDir);
    const bearer = await loadOrCreateToken(dataDir, token);
    agent = await startAgentServer(
      { hosts: world.hosts.map((h) => ({ uuid: h.uuid, driver: h })), token: bearer, tls, fleet },
      { port, host },
    );
    const manifest: FleetManifest = {
      version: 1,
      fingerprint: tls.fingerprint,
      hosts: world.hosts.map((h) => ({
        uuid: h.uuid,
        hostname: h.hostname,
        url: agent.baseUrls.get(h.uuid) ?? '',
        token: bearer,
        fingerprint: tls.fingerprint,
      })),
    };
    if (values.manifest) {
      const file = path.resolve(values.manifest);
      await writeFile(`${file}.tmp`, `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
      await rename(`${file}.tmp`, file);
    }
    out(
      `vapor: ${fleet ? `fleet of ${world.hosts.length} simulated hosts` : `simulated host ${world.hosts[0]?.hostname ?? ''}`} on https://${host}:${agent.port}`,
    );
    out(`vapor: certificate SHA-256 fingerprint ${tls.fingerprint}`);
    if (!token)
      out(`vapor: bearer token ${bearer} (kept in ${path.join(dataDir, 'token')}; pass --token or VAPOR_TOKEN to choose it)`);
    if (values.manifest) out(`vapor: manifest written to ${path.resolve(values.manifest)}`);
    const admin =
      values['admin-port'] === undefined
        ? undefined
        : await startFaultAdmin(agent, positiveInt('admin-port', values['admin-port'], 0, 0), bearer);
    if (admin) out(`vapor: fault injection admin on http://127.0.0.1:${admin.port} (loopback only)`);
    return {
      manifest,
      stop: async () => {
        await admin?.close();
        await agent.close();
        await world.close();
      },
    };
  } catch (error) {
    await world.close();
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE')
      throw new UsageError(`Port ${port} on ${host} is already in use. Stop whatever holds it or pass --port.`);
    throw error;
  }
}

export { UsageError };
