import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { ConfigError, loadConfig, type AppConfig } from '@cockpit/api-config';
import { EmbeddedPostgres } from '@cockpit/embedded-postgres';
import { lockDataDir, prepareDataDir } from './data-dir.js';

/** The repository root, from tools/launcher/{src,dist}/. */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CHILD_READY_TIMEOUT_MS = 60_000;
const CHILD_STOP_TIMEOUT_MS = 15_000;

type Cleanup = () => Promise<void>;

/** A start-up problem with a message meant for the person at the terminal. */
class LaunchError extends Error {}

/**
 * `npm start`: the database (embedded unless DATABASE_URL is set), the api serving the console,
 * then the URL. Ctrl-C or SIGTERM at any moment stops everything it started, newest first.
 */
export class Launcher {
  private readonly cleanups: Cleanup[] = [];
  private readonly abort = new AbortController();
  private stopping?: Promise<void>;
  private starting?: Promise<unknown>;

  constructor(
    private readonly env: NodeJS.ProcessEnv = process.env,
    private readonly out: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
    /** `npm start -- --instances 2`: api instances on one database, to watch HA on a laptop. */
    private readonly instances = 1,
  ) {}

  /** Runs until a signal or a child's death; resolves with the exit code. */
  async run(): Promise<number> {
    const exitCode = new Promise<number>((resolve) => {
      for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
        process.on(signal, () => {
          if (!this.stopping) this.out(`\nStopping Cockpit (${signal})...`);
          void this.stop().then(() => resolve(0));
        });
      }
      const starting = this.start();
      this.starting = starting;
      starting.then(
        ({ died }) =>
          void died.then((code) => {
            void this.stop().then(() => resolve(code));
          }),
        (error: unknown) => {
          if (this.abort.signal.aborted) return; // a signal is already shutting us down
          const message = error instanceof LaunchError || error instanceof ConfigError ? error.message : (error as Error).message;
          process.stderr.write(`cockpit: ${message}\n`);
          void this.stop().then(() => resolve(1));
        },
      );
    });
    return exitCode;
  }

  /** Starts everything; `died` resolves with an exit code when a child dies on its own. */
  private async start(): Promise<{ died: Promise<number> }> {
    const config = this.loadConfig();
    await prepareDataDir(config.dataDir);
    this.cleanups.push(await lockDataDir(config.dataDir));
    this.abort.signal.throwIfAborted();

    let databaseUrl = config.databaseUrl;
    let database: EmbeddedPostgres | undefined;
    if (!databaseUrl) {
      this.out(`Starting embedded PostgreSQL in ${path.join(config.dataDir, 'postgres')} ...`);
      database = await EmbeddedPostgres.start({ dir: path.join(config.dataDir, 'postgres'), signal: this.abort.signal });
      const started = database;
      this.cleanups.push(() => started.stop());
      databaseUrl = database.url();
    }
    this.abort.signal.throwIfAborted();

    let fleet: { hosts: number; manifest: string; exited: Promise<number> } | undefined;
    if (config.demoFleetHosts > 0) {
      const manifest = path.join(config.dataDir, 'fleet.json');
      const started = await this.startChild<{ type: 'ready'; manifest: { hosts: unknown[] } }>(
        'demo fleet',
        path.join(ROOT, 'apps/vapor/dist/main.js'),
        [
          'fleet',
          '--hosts',
          String(config.demoFleetHosts),
          '--seed',
          '1',
          '--data-dir',
          path.join(config.dataDir, 'vapor'),
          '--manifest',
          manifest,
        ],
        {},
      );
      fleet = { hosts: started.ready.manifest.hosts.length, manifest, exited: started.exited };
    }
    this.abort.signal.throwIfAborted();

    const consoleDir = this.env.CONSOLE_DIR || consoleBuild();
    const apis = [];
    for (let n = 1; n <= this.instances; n++) {
      // Several instances: consecutive ports (or each a free one when PORT=0), one id each.
      const port = config.port === 0 ? 0 : config.port + n - 1;
      apis.push(
        await this.startChild<{ type: 'ready'; url: string; admin?: { username: string; password: string } }>(
          this.instances > 1 ? `api instance ${n}` : 'api',
          path.join(ROOT, 'apps/api/dist/main.js'),
          [],
          {
            DATABASE_URL: databaseUrl,
            CONSOLE_DIR: consoleDir ?? '',
            DATA_DIR: config.dataDir,
            DEMO_FLEET_MANIFEST: fleet?.manifest ?? '',
            // The demo fleet listens on this machine's loopback, which NODE_ENV=production refuses
            // to enroll by default; an operator's own HOST_ENROLL_DENY_NETWORKS still wins.
            ...(fleet && !this.env.HOST_ENROLL_DENY_NETWORKS ? { HOST_ENROLL_DENY_NETWORKS: '169.254.0.0/16,fe80::/10' } : {}),
            PORT: String(port),
            ...(this.instances > 1 ? { INSTANCE_ID: `${config.instanceId.replace(/-\d+$/, '')}-api-${n}` } : {}),
          },
        ),
      );
    }
    const [first] = apis;
    if (!first) throw new LaunchError('No api instance started');
    const url = first.ready.url;
    const exited = Promise.race(apis.map((api) => api.exited));
    this.banner(config, url, consoleDir, database, fleet, apis.find((api) => api.ready.admin)?.ready.admin);
    if (apis.length > 1)
      this.out(
        `  Instances: ${apis.map((api, i) => `#${i + 1} ${api.ready.url}`).join(', ')} (one database; hosts are shared out between them)\n`,
      );

    const databaseDied = database
      ? database.whenExited().then(() => {
          if (!this.stopping)
            process.stderr.write(`cockpit: the embedded PostgreSQL stopped unexpectedly; see ${database.logFile}\n`);
          return 1;
        })
      : new Promise<number>(() => undefined);
    const fleetDied = fleet
      ? fleet.exited.then((code) => {
          if (!this.stopping) process.stderr.write('cockpit: the demo fleet stopped unexpectedly\n');
          return code || 1;
        })
      : new Promise<number>(() => undefined);
    return { died: Promise.race([exited, databaseDied, fleetDied]) };
  }

  private loadConfig(): AppConfig {
    try {
      return loadConfig(this.env);
    } catch (error) {
      if (error instanceof ConfigError)
        throw new LaunchError(`${error.message}. Fix the environment variable(s) and start again.`);
      throw error;
    }
  }

  /**
   * Forks one of our Node programs and waits for its `{ type: 'ready' }` IPC message; its stop is
   * registered before waiting, so an interrupted start-up stops it too.
   */
  private async startChild<T extends { type?: string }>(
    name: string,
    main: string,
    args: string[],
    env: Record<string, string>,
  ): Promise<{ ready: T; exited: Promise<number> }> {
    const child = fork(main, args, { env: { ...this.env, ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const exited = new Promise<number>((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
    this.cleanups.push(() => this.stopChild(child, exited));
    const ready = await new Promise<T>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new LaunchError(`The ${name} did not become ready within ${CHILD_READY_TIMEOUT_MS / 1000} s.`)),
        CHILD_READY_TIMEOUT_MS,
      );
      const onAbort = () => reject(this.abort.signal.reason as Error);
      this.abort.signal.addEventListener('abort', onAbort, { once: true });
      child.on('message', (message: T) => {
        if (message.type === 'ready') {
          clearTimeout(timer);
          resolve(message);
        }
      });
      // The child printed why it stopped; no need to repeat it.
      void exited.then((code) => {
        clearTimeout(timer);
        reject(new LaunchError(`The ${name} exited during start-up (code ${code}).`));
      });
    });
    return { ready, exited };
  }

  private async stopChild(child: ChildProcess, exited: Promise<number>): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  }

  /** Idempotent: the first call does the work, later calls wait for it. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.abort.abort(new LaunchError('Start-up interrupted'));
      // Let an interrupted start-up unwind first (it stops what it was starting, e.g. initdb),
      // so nothing is left running when we exit.
      await this.starting?.catch(() => undefined);
      for (const cleanup of this.cleanups.reverse()) {
        await cleanup().catch((error: unknown) => process.stderr.write(`cockpit: while stopping: ${(error as Error).message}\n`));
      }
    })();
    return this.stopping;
  }

  private banner(
    config: AppConfig,
    url: string,
    consoleDir: string | undefined,
    database: EmbeddedPostgres | undefined,
    fleet: { hosts: number; manifest: string } | undefined,
    admin: { username: string; password: string } | undefined,
  ): void {
    const lines = [
      '',
      `  Cockpit is running: ${url}`,
      consoleDir ? `  Console:  ${url}/` : '  Console:  not built (run `npx nx build console`); the API still answers',
      `  API docs: ${url}/api/docs`,
      admin
        ? `  Sign in:  ${admin.username} / ${admin.password}   (first start: shown once, not stored in clear; change it after signing in)`
        : `  Sign in:  as admin${config.adminPassword ? ' with COCKPIT_ADMIN_PASSWORD' : ' with the password printed at the first start'}`,
      `  Database: ${database ? `embedded PostgreSQL on 127.0.0.1:${database.port}, files in ${database.clusterDir}` : 'DATABASE_URL'}`,
      `  Fleet:    ${fleet ? `${fleet.hosts} simulated Vapor hosts, enrolled (manifest ${fleet.manifest})` : 'none (DEMO_FLEET_HOSTS=0)'}`,
      `  Data:     ${config.dataDir}`,
      '  Press Ctrl-C to stop.',
      '',
    ];
    this.out(lines.join('\n'));
  }
}

function consoleBuild(): string | undefined {
  const dir = path.join(ROOT, 'apps/console/dist');
  return existsSync(path.join(dir, 'index.html')) ? dir : undefined;
}
