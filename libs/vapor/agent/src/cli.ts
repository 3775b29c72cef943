import { rename, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { SimWorld } from '@cockpit/vapor-sim';
import { startAgentServer, type RunningAgent } from './agent-server.js';
import { loadVaporConfig } from './config.js';
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
      --admin-port opens fault injection on 127.0.0.1 (POST /hosts/<uuid>/faults); off by default.
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
        : await startFaultAdmin(agent, positiveInt('admin-port', values['admin-port'], 0, 0));
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

const FaultRequest = z.object({
  hang: z.boolean().optional(),
  slowMs: z.number().int().min(0).max(600_000).optional(),
  malformed: z.boolean().optional(),
  dropEvents: z.literal(true).optional(),
  powerLoss: z.literal(true).optional(),
  powerRestore: z.literal(true).optional(),
  failMigrationAt: z.number().min(0).max(1).optional(),
  clear: z.literal(true).optional(),
});

/**
 * `POST /hosts/<uuid>/faults` on 127.0.0.1 only: lets an out-of-process test break a host on purpose.
 * Off unless --admin-port is given.
 */
async function startFaultAdmin(agent: RunningAgent, port: number): Promise<{ port: number; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const reply = (status: number, body: unknown) =>
      res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
    const match = /^\/hosts\/([0-9a-f-]{36})\/faults$/.exec(req.url ?? '');
    if (req.method !== 'POST' || !match?.[1] || !agent.baseUrls.has(match[1])) {
      reply(404, { statusCode: 404, error: 'Not Found', message: 'POST /hosts/<uuid of a host here>/faults' });
      return;
    }
    const uuid = match[1];
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', () => {
      let body: z.infer<typeof FaultRequest>;
      try {
        body = FaultRequest.parse(JSON.parse(text || '{}'));
      } catch (error) {
        reply(400, { statusCode: 400, error: 'Bad Request', message: (error as Error).message });
        return;
      }
      if (body.clear) agent.faults.clear(uuid);
      const { hang, slowMs, malformed } = body;
      agent.faults.set(uuid, Object.fromEntries(Object.entries({ hang, slowMs, malformed }).filter(([, v]) => v !== undefined)));
      if (body.dropEvents) agent.faults.dropEvents(uuid);
      if (body.powerLoss) agent.faults.powerLoss(uuid);
      if (body.powerRestore) agent.faults.powerRestore(uuid);
      if (body.failMigrationAt !== undefined) agent.faults.failNextMigration(uuid, body.failMigrationAt);
      reply(200, agent.faults.get(uuid));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
