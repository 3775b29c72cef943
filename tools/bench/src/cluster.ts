import { fork, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EmbeddedPostgres } from '@cockpit/embedded-postgres';
import type { FleetManifest } from '@cockpit/vapor-agent';

/** Real parts for benchmarks and chaos runs: our own PostgreSQL, a Vapor fleet process, api processes. */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export async function scratchDir(name: string): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), `${name}-`));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

export async function startPostgres(dir: string): Promise<EmbeddedPostgres> {
  return EmbeddedPostgres.start({ dir, database: 'cockpit', rootFallbackDir: path.join(dir, 'root-fallback') });
}

export interface Fleet {
  process: ChildProcess;
  manifest: FleetManifest;
  manifestFile: string;
  stop(): Promise<void>;
}

export async function startFleet(
  dir: string,
  options: { hosts: number; vmsPerHost: number; statsIntervalMs?: number; adminPort?: number; churnPerSecond?: number },
): Promise<Fleet> {
  const manifestFile = path.join(dir, 'fleet.json');
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
      '42',
      '--data-dir',
      path.join(dir, 'vapor'),
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
export async function startApi(env: Record<string, string>): Promise<ApiProcess> {
  const child = fork(path.join(ROOT, 'apps/api/dist/main.js'), [], {
    env: {
      ...process.env,
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      PORT: '0',
      COCKPIT_ADMIN_PASSWORD: 'benchmark-admin-password',
      // Production settings on one machine: plain http on loopback, one key for every instance.
      ALLOW_INSECURE_HTTP: 'true',
      COCKPIT_SECRET_KEY: Buffer.alloc(32, 7).toString('base64'),
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
