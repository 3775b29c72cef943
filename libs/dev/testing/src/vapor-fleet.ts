import { fork, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const VAPOR_MAIN = fileURLToPath(new URL('../../../../apps/vapor/dist/main.js', import.meta.url));

export interface FleetHost {
  uuid: string;
  hostname: string;
  url: string;
  token: string;
  fingerprint: string;
}

export interface RunningFleet {
  hosts: FleetHost[];
  fingerprint: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** A real Vapor fleet process (sim driver, HTTPS), as `npm run vapor -- fleet` runs it. */
export async function startVaporFleet(
  options: { hosts?: number; vmsPerHost?: number; seed?: number; args?: string[] } = {},
): Promise<RunningFleet> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'cockpit-fleet-'));
  const child = fork(
    VAPOR_MAIN,
    [
      'fleet',
      '--hosts',
      String(options.hosts ?? 2),
      '--vms-per-host',
      String(options.vmsPerHost ?? 3),
      '--seed',
      String(options.seed ?? 1),
      '--port',
      '0',
      '--data-dir',
      dataDir,
      ...(options.args ?? []),
    ],
    { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] },
  );
  const manifest = await new Promise<{ fingerprint: string; hosts: FleetHost[] }>((resolve, reject) => {
    child.once('message', (message: { manifest: { fingerprint: string; hosts: FleetHost[] } }) => resolve(message.manifest));
    child.once('exit', (code) => reject(new Error(`vapor fleet exited with ${code}; is apps/vapor built?`)));
  });
  return {
    ...manifest,
    process: child,
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((resolve) => child.once('exit', resolve));
      }
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
