import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { TEST_SECRET_KEY } from './test-app.js';

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));

export interface ApiProcess {
  child: ChildProcess;
  url: string;
  /** Resolves with the exit code or signal once the process is gone. */
  exited: Promise<number | string | null>;
}

/** The built api as its own process (so a test can kill -9 it), on a database shared with others. */
export async function startApiProcess(env: Record<string, string>): Promise<ApiProcess> {
  const child = fork(MAIN, [], {
    env: {
      ...process.env,
      NODE_ENV: 'production',
      ALLOW_INSECURE_HTTP: 'true',
      COCKPIT_SECRET_KEY: TEST_SECRET_KEY,
      LOG_LEVEL: 'silent',
      PORT: '0',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const exited = new Promise<number | string | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  const url = await new Promise<string>((resolve, reject) => {
    child.once('message', (message: { url?: string }) => (message.url ? resolve(message.url) : reject(new Error('no url'))));
    void exited.then((code) => reject(new Error(`api exited (${String(code)}) before it was ready`)));
  });
  return { child, url, exited };
}
