import { afterAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { EmbeddedPostgres } from './embedded-postgres.js';

const dirs: string[] = [];
async function freshDir(mode = 0o755): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'cockpit-epg-'));
  await chmod(dir, mode);
  dirs.push(dir);
  return dir;
}
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function query(url: string, sql: string, params: unknown[] = []) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as Record<string, unknown>[];
  } finally {
    await client.end();
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('EmbeddedPostgres', () => {
  it('initialises, serves the database, and keeps data across a stop and restart', async () => {
    const dir = await freshDir();
    const first = await EmbeddedPostgres.start({ dir });
    await query(first.url(), 'CREATE TABLE kept (v text)');
    await query(first.url(), 'INSERT INTO kept VALUES ($1)', ['across restarts']);
    const pid = first.pid ?? -1;
    await first.stop();
    expect(alive(pid)).toBe(false);

    const second = await EmbeddedPostgres.start({ dir });
    try {
      expect(await query(second.url(), 'SELECT v FROM kept')).toEqual([{ v: 'across restarts' }]);
      // Only loopback TCP with a password: a wrong one is refused.
      const wrong = second.url().replace(/:[^:@]+@/, ':wrong@');
      await expect(query(wrong, 'SELECT 1')).rejects.toThrow(/password authentication failed/);
    } finally {
      await second.stop();
    }
    const credentials = await stat(path.join(dir, 'credentials.json'));
    expect(credentials.mode & 0o077).toBe(0);
  });

  it('takes over from a server orphaned by a killed launcher', async () => {
    const dir = await freshDir();
    // A launcher that is SIGKILLed leaves its detached server running; simulate with a child process.
    const script = `
      import { EmbeddedPostgres } from ${JSON.stringify(path.join(import.meta.dirname, '../dist/index.js'))};
      const s = await EmbeddedPostgres.start({ dir: ${JSON.stringify(dir)} });
      process.stdout.write(String(s.pid) + '\\n');
      setInterval(() => {}, 1000);`;
    const orphanMaker = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const orphanPid = await new Promise<number>((resolve) =>
      orphanMaker.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))),
    );
    orphanMaker.kill('SIGKILL');
    await new Promise((resolve) => orphanMaker.once('exit', resolve));
    expect(alive(orphanPid)).toBe(true);

    const server = await EmbeddedPostgres.start({ dir });
    try {
      expect(alive(orphanPid)).toBe(false);
      expect(await query(server.url(), 'SELECT 1 AS ok')).toEqual([{ ok: 1 }]);
    } finally {
      await server.stop();
    }
  });

  it('cleans up when start-up is aborted, and the next start works', async () => {
    const dir = await freshDir();
    const abort = new AbortController();
    const starting = EmbeddedPostgres.start({ dir, signal: abort.signal });
    setTimeout(() => abort.abort(new Error('Ctrl-C')), 50);
    await expect(starting).rejects.toThrow();
    const pidFile = await readFile(path.join(dir, 'cluster', 'postmaster.pid'), 'utf8').catch(() => undefined);
    if (pidFile) expect(alive(Number(pidFile.split('\n')[0]))).toBe(false);

    const server = await EmbeddedPostgres.start({ dir });
    try {
      expect(await query(server.url(), 'SELECT 1 AS ok')).toEqual([{ ok: 1 }]);
    } finally {
      await server.stop();
    }
  });

  (process.getuid?.() === 0 ? it : it.skip)('as root, keeps the cluster where the postgres user can reach it', async () => {
    const privateDir = path.join(await freshDir(0o700), 'data');
    const fallback = await freshDir();
    const first = await EmbeddedPostgres.start({ dir: privateDir, rootFallbackDir: fallback });
    try {
      expect(first.clusterDir.startsWith(fallback)).toBe(true);
      await query(first.url(), 'CREATE TABLE kept (v int)');
    } finally {
      await first.stop();
    }
    const second = await EmbeddedPostgres.start({ dir: privateDir, rootFallbackDir: fallback });
    try {
      expect(second.clusterDir).toBe(first.clusterDir);
      expect(await query(second.url(), 'SELECT count(*)::int AS n FROM kept')).toEqual([{ n: 0 }]);
    } finally {
      await second.stop();
    }
  });

  it('refuses a port that is taken, saying so', async () => {
    const dir = await freshDir();
    const holder = await EmbeddedPostgres.start({ dir: await freshDir() });
    try {
      await expect(EmbeddedPostgres.start({ dir, port: holder.port })).rejects.toThrow(/already in use/i);
    } finally {
      await holder.stop();
    }
  });
});
