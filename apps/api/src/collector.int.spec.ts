import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { CollectorService, HostsService } from '@cockpit/api-hosts';
import { createTestDatabase, startVaporFleet, type RunningFleet } from '@cockpit/dev-testing';
import { startTestApi, type TestApi } from '../test/test-app.js';

async function rows(url: string, text: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text)).rows as Record<string, unknown>[];
  } finally {
    await client.end();
  }
}

async function until(condition: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<number> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > timeoutMs) throw new Error(`${what} not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return Date.now() - started;
}

describe('host ownership across api instances (advisory locks)', () => {
  let databaseUrl: string;
  let fleet: RunningFleet;
  let a: TestApi;
  let b: TestApi;
  const owners = async () =>
    (await rows(databaseUrl, 'SELECT owner_instance AS o, state FROM hosts ORDER BY id')).map((r) => [r['o'], r['state']]);

  beforeAll(async () => {
    [databaseUrl, fleet] = await Promise.all([createTestDatabase('collector'), startVaporFleet({ hosts: 4, vmsPerHost: 1 })]);
    a = await startTestApi({ DATABASE_URL: databaseUrl, INSTANCE_ID: 'api-a', COCKPIT_ADMIN_PASSWORD: 'collector-admin-pw' });
    for (const host of fleet.hosts) await a.app.get(HostsService).enroll(host.url, host.token, host.fingerprint);
  });
  afterAll(async () => {
    await b?.close().catch(() => undefined);
    await a?.close().catch(() => undefined);
    await fleet?.stop();
  });

  it('one instance owns every host and records it connected', async () => {
    await until(
      async () => (await owners()).every(([o, s]) => o === 'api-a' && s === 'connected'),
      8000,
      'api-a owning all hosts',
    );
    expect(a.app.get(CollectorService).ownedHosts()).toHaveLength(4);
  });

  it('a second instance takes half, and no host ever has two owners', async () => {
    b = await startTestApi({ DATABASE_URL: databaseUrl, INSTANCE_ID: 'api-b' });
    const collectorA = a.app.get(CollectorService);
    const collectorB = b.app.get(CollectorService);
    let doubles = 0;
    await until(
      () => {
        const mine = new Set(collectorA.ownedHosts());
        doubles += collectorB.ownedHosts().filter((id) => mine.has(id)).length;
        return collectorA.ownedHosts().length === 2 && collectorB.ownedHosts().length === 2;
      },
      15_000,
      'an even split',
    );
    expect(doubles).toBe(0);
    const locks = await rows(
      databaseUrl,
      "SELECT objid, count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND classid = 7140 AND granted GROUP BY objid",
    );
    expect(locks).toHaveLength(4);
    expect(locks.every((l) => l['n'] === 1)).toBe(true);
  });

  it('when an instance stops, the other takes its hosts within 10 s', async () => {
    await a.close();
    const took = await until(() => b.app.get(CollectorService).ownedHosts().length === 4, 10_000, 'takeover');
    expect(took).toBeLessThan(10_000);
    await until(async () => (await owners()).every(([o]) => o === 'api-b'), 5000, 'owner recorded');
  });

  it('marks hosts unreachable within 10 s when their agent goes away', async () => {
    await fleet.stop();
    const took = await until(async () => (await owners()).every(([, s]) => s === 'unreachable'), 10_000, 'unreachable');
    expect(took).toBeLessThan(10_000);
  });
});
