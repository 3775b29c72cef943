import { fork, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { SecretBox } from '@cockpit/api-core';
import { EmbeddedPostgres } from '@cockpit/embedded-postgres';
import type { FleetManifest } from '@cockpit/vapor-agent';
import type { Change, FleetMessage, FleetReply, RecordingFleetOptions } from './sim-fleet.js';

/** Real parts for benchmarks and chaos runs: our own PostgreSQL, a Vapor fleet process, api processes. */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The COCKPIT_SECRET_KEY of every api process the benchmarks start. */
export const BENCH_SECRET_KEY = Buffer.alloc(32, 7);

export async function scratchDir(name: string): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), `${name}-`));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

export async function startPostgres(dir: string, settings?: Record<string, string>): Promise<EmbeddedPostgres> {
  return EmbeddedPostgres.start({
    dir,
    database: 'cockpit',
    rootFallbackDir: path.join(dir, 'root-fallback'),
    ...(settings ? { settings } : {}),
  });
}

export interface Fleet {
  process: ChildProcess;
  manifest: FleetManifest;
  manifestFile: string;
  stop(): Promise<void>;
}

export async function startFleet(
  dir: string,
  options: {
    hosts: number;
    vmsPerHost: number;
    statsIntervalMs?: number;
    adminPort?: number;
    churnPerSecond?: number;
    /** Several fleets side by side need their own seed (other host uuids), name and data directory. */
    seed?: number;
    name?: string;
  },
): Promise<Fleet> {
  const name = options.name ?? 'fleet';
  const manifestFile = path.join(dir, `${name}.json`);
  const child = fork(
    path.join(ROOT, 'apps/vapor/dist/main.js'),
    [
      'fleet',
      '--hosts',
      String(options.hosts),
      '--vms-per-host',
      String(options.vmsPerHost),
      '--port',
      '0',
      '--seed',
      String(options.seed ?? 42),
      '--data-dir',
      path.join(dir, options.name ? `vapor-${name}` : 'vapor'),
      ...(options.name ? ['--host-prefix', name] : []),
      '--manifest',
      manifestFile,
      '--stats-interval-ms',
      String(options.statsIntervalMs ?? 5000),
      ...(options.adminPort ? ['--admin-port', String(options.adminPort)] : []),
      ...(options.churnPerSecond ? ['--churn-per-s', String(options.churnPerSecond)] : []),
    ],
    { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] },
  );
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`vapor fleet exited with ${code}; run the build first`)));
  });
  const manifest = JSON.parse(await readFile(manifestFile, 'utf8')) as FleetManifest;
  return { process: child, manifest, manifestFile, stop: () => stopProcess(child) };
}

export interface ApiProcess {
  process: ChildProcess;
  url: string;
  instanceId: string;
  stop(): Promise<void>;
}

/** One api instance as `npm start` runs it (the built apps/api), ready when it says so. */
export async function startApi(env: Record<string, string>, execArgv: string[] = []): Promise<ApiProcess> {
  const child = fork(path.join(ROOT, 'apps/api/dist/main.js'), [], {
    execArgv: [...process.execArgv, ...execArgv],
    env: {
      ...process.env,
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      PORT: '0',
      COCKPIT_ADMIN_PASSWORD: 'benchmark-admin-password',
      // Production settings on one machine: plain http on loopback, one key for every instance.
      ALLOW_INSECURE_HTTP: 'true',
      COCKPIT_SECRET_KEY: BENCH_SECRET_KEY.toString('base64'),
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('message', (message: { url: string }) => resolve(message.url));
    child.once('exit', (code) => reject(new Error(`api exited with ${code} before it was ready`)));
  });
  return { process: child, url, instanceId: env['INSTANCE_ID'] ?? '', stop: () => stopProcess(child) };
}

export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

/** Reads one value from a Prometheus text exposition. */
export async function scrape(apiUrl: string, metric: string): Promise<number> {
  const text = await (await fetch(`${apiUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${metric} `));
  return Number(line?.split(' ')[1] ?? NaN);
}

/** A free TCP port on 127.0.0.1 (for a process that must be told its port in advance). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Every `name value` line of a Prometheus text exposition (without labels), by name. */
export async function scrapeAll(apiUrl: string): Promise<Map<string, number>> {
  const text = await (await fetch(`${apiUrl}/metrics`)).text();
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*) (\S+)$/.exec(line);
    if (match?.[1] && match[2]) values.set(match[1], Number(match[2]));
  }
  return values;
}

/**
 * Enrols a fleet's hosts by writing their rows directly (the api's enrollment probes each host
 * in turn, which takes minutes for thousands): trusted, pinned, token sealed with the key the
 * benchmark's api processes use. The collectors pick them up on their next round.
 */
export async function insertHosts(db: Pick<pg.Client, 'query'>, manifest: FleetManifest): Promise<void> {
  const box = new SecretBox(BENCH_SECRET_KEY);
  const rows = manifest.hosts.map((host) => ({
    url: host.url,
    name: host.hostname,
    token: box.seal(host.token),
    fingerprint: host.fingerprint,
    uuid: host.uuid,
  }));
  await db.query(
    `INSERT INTO hosts (url, name, token, fingerprint, state, state_reason, enabled, host_uuid)
     SELECT x.url, x.name, x.token, x.fingerprint, 'unreachable', 'Not collected yet', true, x.uuid
     FROM jsonb_to_recordset($1::jsonb) AS x(url text, name text, token text, fingerprint text, uuid uuid)`,
    [JSON.stringify(rows)],
  );
}

export interface RecordingFleet extends Fleet {
  /** Start recording the simulation's VM state changes (resolves once it records). */
  record(): Promise<void>;
  /** Stop recording; every change made since `record()`, per host uuid. */
  report(): Promise<Record<string, Change[]>>;
}

/** A fleet (tools/bench/src/sim-fleet.ts) that can say which VM state changes its simulation made. */
export async function startRecordingFleet(dir: string, options: Omit<RecordingFleetOptions, 'dataDir'>): Promise<RecordingFleet> {
  const dataDir = path.join(dir, 'recording-fleet');
  await mkdir(dataDir, { recursive: true });
  const child = fork(path.join(ROOT, 'tools/bench/dist/sim-fleet.js'), [JSON.stringify({ ...options, dataDir })], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const next = <T extends FleetReply['type']>(type: T) =>
    new Promise<Extract<FleetReply, { type: T }>>((resolve, reject) => {
      const onMessage = (reply: FleetReply) => {
        if (reply.type !== type) return;
        child.off('message', onMessage);
        resolve(reply as Extract<FleetReply, { type: T }>);
      };
      child.on('message', onMessage);
      child.once('exit', (code) => reject(new Error(`recording fleet exited with ${code}`)));
    });
  const ready = await next('ready');
  return {
    process: child,
    manifest: ready.manifest,
    manifestFile: ready.manifestFile,
    stop: () => stopProcess(child),
    record: async () => {
      const recording = next('recording');
      child.send({ type: 'record' } satisfies FleetMessage);
      await recording;
    },
    report: async () => {
      const changes = next('changes');
      child.send({ type: 'report' } satisfies FleetMessage);
      return (await changes).byHost;
    },
  };
}
