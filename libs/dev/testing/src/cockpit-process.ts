import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { processAlive } from '@cockpit/embedded-postgres';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
export const LAUNCHER_MAIN = `${ROOT}tools/launcher/dist/main.js`;

export interface CockpitProcess {
  child: ChildProcessWithoutNullStreams;
  /** Everything printed so far, stdout and stderr interleaved. */
  output(): string;
  /** Resolves with the console URL once the banner is printed; rejects if the process exits first. */
  ready(timeoutMs?: number): Promise<string>;
  /** Resolves with the exit code (or signal name). */
  exited: Promise<number | string>;
  /** Pids of the process and all its descendants, now. */
  tree(): number[];
}

/** Runs `npm start`'s launcher as a real process, the way a newcomer would. */
export function startCockpit(env: Record<string, string>, args: string[] = []): CockpitProcess {
  const child = spawn(process.execPath, [LAUNCHER_MAIN, ...args], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      VAPOR_PORT: '0',
      // Production settings on a laptop: plain http on loopback, and one fixed key for the run.
      ALLOW_INSECURE_HTTP: 'true',
      COCKPIT_SECRET_KEY: Buffer.alloc(32, 7).toString('base64'),
      ...env,
    },
    stdio: 'pipe',
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  return {
    child,
    output: () => output,
    exited,
    ready: (timeoutMs = 60_000) =>
      new Promise<string>((resolve, reject) => {
        const deadline = Date.now() + timeoutMs;
        const poll = setInterval(() => {
          const match = /Cockpit is running: (\S+)/.exec(output);
          if (match?.[1]) {
            clearInterval(poll);
            resolve(match[1]);
          } else if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
            clearInterval(poll);
            reject(new Error(`Cockpit did not start:\n${output}`));
          }
        }, 50);
      }),
    tree: () => descendants(child.pid ?? -1),
  };
}

function descendants(pid: number): number[] {
  let children: number[] = [];
  try {
    children = execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    children = [];
  }
  return [pid, ...children.flatMap(descendants)];
}

/**
 * Whether a process still runs. A zombie (exited, not yet reaped) counts as gone: in containers
 * whose PID 1 never reaps, orphaned helpers that exited stay zombies forever.
 */
export function isAlive(pid: number): boolean {
  if (!processAlive(pid)) return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}
