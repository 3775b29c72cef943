import { afterAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestDatabase, isAlive, queryRows, startCockpit } from '@cockpit/dev-testing';
import type { FleetManifest } from '@cockpit/vapor-agent';
import { VaporClient } from '@cockpit/vapor-client';

const dirs: string[] = [];
async function dataDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'cockpit-launch-'));
  await chmod(dir, 0o755); // like a directory made by `mkdir`, not mkdtemp's 700
  dirs.push(dir);
  return dir;
}
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function embeddedUrl(dir: string, output: string): Promise<string> {
  const { user, password } = JSON.parse(await readFile(path.join(dir, 'postgres', 'credentials.json'), 'utf8')) as {
    user: string;
    password: string;
  };
  const port = /embedded PostgreSQL on 127\.0\.0\.1:(\d+)/.exec(output)?.[1];
  return `postgres://${user}:${encodeURIComponent(password)}@127.0.0.1:${port}/cockpit`;
}

/** `ps` lines of the given pids, so a leftover process is named in the failure. */
function describeProcesses(pids: number[]): string[] {
  if (!pids.length) return [];
  try {
    return execFileSync('ps', ['-o', 'pid=,ppid=,stat=,cmd=', '-p', pids.join(',')], { encoding: 'utf8' })
      .trim()
      .split('\n');
  } catch {
    return [];
  }
}

/** Runs the launcher expecting it to fail; returns its output and how long it took. */
async function failingStart(env: Record<string, string>) {
  const started = Date.now();
  const cockpit = startCockpit(env);
  const code = await cockpit.exited;
  return { code, output: cockpit.output(), seconds: (Date.now() - started) / 1000 };
}

describe('npm start (the launcher)', () => {
  it('starts the database and the api serving the console, stops cleanly, and keeps data for the next start', async () => {
    const dir = await dataDir();
    const first = startCockpit({ DATA_DIR: dir, PORT: '0' });
    const url = await first.ready();
    expect((await fetch(`${url}/api/health/ready`)).status).toBe(200);
    const page = await fetch(`${url}/hosts`);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('<div id="root"></div>');
    await queryRows(await embeddedUrl(dir, first.output()), "CREATE TABLE kept AS SELECT 'still here' AS v");

    // The demo fleet runs beside it, reachable over pinned TLS as its manifest says.
    expect(first.output()).toContain(`Fleet:    3 simulated Vapor hosts, enrolled (manifest ${path.join(dir, 'fleet.json')})`);
    const manifest = JSON.parse(await readFile(path.join(dir, 'fleet.json'), 'utf8')) as FleetManifest;
    expect(manifest.hosts).toHaveLength(3);
    const [firstHost] = manifest.hosts;
    if (!firstHost) throw new Error('empty manifest');
    const host = await new VaporClient({
      baseUrl: firstHost.url,
      token: firstHost.token,
      fingerprint: firstHost.fingerprint,
    }).host();
    expect(host).toMatchObject({ uuid: firstHost.uuid, hostname: 'sim-01' });

    // The first start created the admin (password shown once) and enrolled the demo fleet.
    const password = /Sign in: {2}admin \/ (\S+)/.exec(first.output())?.[1] ?? '';
    const login = await fetch(`${url}/api/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password }),
    });
    expect(login.status).toBe(200);
    const cookie = (login.headers.getSetCookie()[0] ?? '').split(';')[0] ?? '';
    const hosts = (
      (await (await fetch(`${url}/api/hosts`, { headers: { Cookie: cookie } })).json()) as {
        items: { state: string; hostUuid: string }[];
      }
    ).items;
    expect(hosts.map((h) => h.state)).toEqual(['connected', 'connected', 'connected']);
    expect(hosts.map((h) => h.hostUuid).sort()).toEqual(manifest.hosts.map((h) => h.uuid).sort());

    const processes = first.tree();
    expect(processes.length).toBeGreaterThanOrEqual(3); // launcher, api, fleet (postgres runs detached)
    const postgresPid = Number((await readFile(path.join(dir, 'postgres', 'cluster', 'postmaster.pid'), 'utf8')).split('\n')[0]);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect([...processes, postgresPid].filter(isAlive)).toEqual([]);

    const second = startCockpit({ DATA_DIR: dir, PORT: '0' });
    try {
      await second.ready();
      expect(await queryRows(await embeddedUrl(dir, second.output()), 'SELECT v FROM kept')).toEqual([{ v: 'still here' }]);
    } finally {
      second.child.kill('SIGINT');
      expect(await second.exited).toBe(0);
    }
  });

  it('leaves nothing running when interrupted during start-up, and the next start works', async () => {
    const dir = await dataDir();
    for (const delayMs of [150, 600, 1200]) {
      const cockpit = startCockpit({ DATA_DIR: dir, PORT: '0' });
      const seen = new Set<number>();
      const watch = setInterval(() => cockpit.tree().forEach((pid) => seen.add(pid)), 20);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      cockpit.child.kill('SIGINT');
      await cockpit.exited;
      clearInterval(watch);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(describeProcesses([...seen].filter(isAlive))).toEqual([]);
      const pidFile = await readFile(path.join(dir, 'postgres', 'cluster', 'postmaster.pid'), 'utf8').catch(() => '');
      if (pidFile) expect(isAlive(Number(pidFile.split('\n')[0]))).toBe(false);
    }
    const after = startCockpit({ DATA_DIR: dir, PORT: '0' });
    try {
      const url = await after.ready();
      expect((await fetch(`${url}/api/health/ready`)).status).toBe(200);
    } finally {
      after.child.kill('SIGTERM');
      await after.exited;
    }
  });

  it('uses DATABASE_URL instead of the embedded database when it is set', async () => {
    const dir = await dataDir();
    const databaseUrl = await createTestDatabase('launcher');
    const cockpit = startCockpit({ DATA_DIR: dir, PORT: '0', DATABASE_URL: databaseUrl, DEMO_FLEET_HOSTS: '0' });
    try {
      const url = await cockpit.ready();
      expect((await fetch(`${url}/api/health/ready`)).status).toBe(200);
      expect(cockpit.output()).toContain('Database: DATABASE_URL');
      expect(cockpit.output()).toContain('Fleet:    none (DEMO_FLEET_HOSTS=0)');
      expect(cockpit.output()).not.toContain('Starting embedded PostgreSQL');
      // The api ran its migrations there.
      expect(await queryRows(databaseUrl, "SELECT to_regclass('typeorm_migrations') IS NOT NULL AS migrated")).toEqual([
        { migrated: true },
      ]);
    } finally {
      cockpit.child.kill('SIGTERM');
      expect(await cockpit.exited).toBe(0);
    }
  });

  it('runs several api instances on one database with --instances, sharing the hosts out', async () => {
    const dir = await dataDir();
    const cockpit = startCockpit(
      { DATA_DIR: dir, PORT: '0', DEMO_FLEET_HOSTS: '4', COCKPIT_ADMIN_PASSWORD: 'two-instances-pw' },
      ['--instances', '2'],
    );
    try {
      const url = await cockpit.ready();
      expect(cockpit.output()).toMatch(/Instances: #1 http:\/\/\S+, #2 http:\/\/\S+/);
      const login = await fetch(`${url}/api/auth/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password: 'two-instances-pw' }),
      });
      const cookie = (login.headers.getSetCookie()[0] ?? '').split(';')[0] ?? '';
      const owners = async () =>
        (
          (await (await fetch(`${url}/api/hosts`, { headers: { Cookie: cookie } })).json()) as {
            items: { ownerInstance: string | null }[];
          }
        ).items.map((h) => h.ownerInstance);
      const deadline = Date.now() + 20_000;
      let seen: (string | null)[] = [];
      while (Date.now() < deadline) {
        seen = await owners();
        if (seen.length === 4 && seen.every(Boolean) && new Set(seen).size === 2) break;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      expect(seen).toHaveLength(4);
      expect(new Set(seen).size).toBe(2);
    } finally {
      cockpit.child.kill('SIGTERM');
      expect(await cockpit.exited).toBe(0);
    }
  });

  it('refuses a second launcher on the same DATA_DIR', async () => {
    const dir = await dataDir();
    const first = startCockpit({ DATA_DIR: dir, PORT: '0' });
    try {
      await first.ready();
      const second = await failingStart({ DATA_DIR: dir, PORT: '0' });
      expect(second.code).toBe(1);
      expect(second.output).toMatch(/Another Cockpit \(pid \d+\) is already running with DATA_DIR/);
      expect((await fetch(`${await first.ready()}/api/health/ready`)).status).toBe(200);
    } finally {
      first.child.kill('SIGTERM');
      await first.exited;
    }
  });

  describe('fails fast with one clear line', () => {
    it('when the port is in use', async () => {
      const blocker = createServer();
      await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
      const port = (blocker.address() as { port: number }).port;
      try {
        const result = await failingStart({ DATA_DIR: await dataDir(), PORT: String(port) });
        expect(result.code).not.toBe(0);
        expect(result.output).toContain(
          `Port ${port} on 127.0.0.1 is already in use. Stop whatever holds it or set PORT to a free port.`,
        );
        expect(result.seconds).toBeLessThan(15);
      } finally {
        blocker.close();
      }
    });

    it('when DATA_DIR cannot be written', async () => {
      const file = path.join(await dataDir(), 'a-file');
      await writeFile(file, '');
      const result = await failingStart({ DATA_DIR: path.join(file, 'data') });
      expect(result.code).not.toBe(0);
      expect(result.output).toMatch(
        /DATA_DIR .*a-file\/data is not writable \(ENOTDIR\)\. Set DATA_DIR to a directory you can write/,
      );
      expect(result.seconds).toBeLessThan(15);
    });

    it('when a setting is invalid', async () => {
      const result = await failingStart({ DATA_DIR: await dataDir(), PORT: 'eighty' });
      expect(result.code).not.toBe(0);
      expect(result.output).toContain('PORT must be a whole number from 0 to 65535');
      expect(result.seconds).toBeLessThan(15);
    });

    it('when DATABASE_URL has a wrong password', async () => {
      const url = new URL(process.env['COCKPIT_TEST_PG_URL'] ?? '');
      url.password = 'not-the-password';
      const result = await failingStart({ DATA_DIR: await dataDir(), DATABASE_URL: url.toString(), PORT: '0' });
      expect(result.code).not.toBe(0);
      expect(result.output).toMatch(
        /rejected user "cockpit" \(wrong password or not allowed\)\. Fix the credentials in DATABASE_URL/,
      );
      expect(result.seconds).toBeLessThan(15);
    });

    it('when DATABASE_URL points at nothing', async () => {
      const closed = createServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const port = (closed.address() as { port: number }).port;
      await new Promise((resolve) => closed.close(resolve));
      const result = await failingStart({
        DATA_DIR: await dataDir(),
        DATABASE_URL: `postgres://u:p@127.0.0.1:${port}/db`,
        PORT: '0',
      });
      expect(result.code).not.toBe(0);
      expect(result.output).toContain(`Cannot reach PostgreSQL at 127.0.0.1:${port} (connection refused)`);
      expect(result.seconds).toBeLessThan(15);
    });
  });
});
