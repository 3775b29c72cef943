import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CollectorService, HostsService } from '@cockpit/api-hosts';
import { freePort } from '@cockpit/embedded-postgres';
import { createTestDatabase, queryRows, startVaporFleet, type RunningFleet } from '@cockpit/dev-testing';
import { startApiProcess, type ApiProcess } from '../test/api-process.js';
import { signedIn, until } from '../test/sign-in.js';
import { startTestApi, type TestApi } from '../test/test-app.js';

describe('host ownership across api instances (advisory locks)', () => {
  let databaseUrl: string;
  let fleet: RunningFleet;
  let a: TestApi;
  let b: ApiProcess | undefined;
  const owners = async () =>
    (await queryRows(databaseUrl, 'SELECT owner_instance AS o, state FROM hosts ORDER BY id')).map((r) => [r['o'], r['state']]);

  beforeAll(async () => {
    [databaseUrl, fleet] = await Promise.all([createTestDatabase('collector'), startVaporFleet({ hosts: 4, vmsPerHost: 1 })]);
    a = await startTestApi({ DATABASE_URL: databaseUrl, INSTANCE_ID: 'api-a', COCKPIT_ADMIN_PASSWORD: 'collector-admin-pw' });
    for (const host of fleet.hosts) await a.app.get(HostsService).enroll(host.url, host.token, host.fingerprint);
  });
  afterAll(async () => {
    b?.child.kill('SIGKILL');
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

  it('a second instance (its own process) takes half, and no host ever has two owners', async () => {
    b = await startApiProcess({ DATABASE_URL: databaseUrl, INSTANCE_ID: 'api-b' });
    const collectorA = a.app.get(CollectorService);
    const adminOfB = await signedIn(b, 'collector-admin-pw');
    const ownedByB = async () => ((await adminOfB('GET', '/api/collector/ownership')).json as { hosts: string[] }).hosts;
    let doubles = 0;
    await until(
      async () => {
        const ofB = await ownedByB();
        const ofA = new Set(collectorA.ownedHosts());
        doubles += ofB.filter((id) => ofA.has(id)).length;
        return ofA.size === 2 && ofB.length === 2;
      },
      15_000,
      'an even split',
    );
    expect(doubles).toBe(0);
    const locks = await queryRows(
      databaseUrl,
      "SELECT objid, count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND classid = 7140 AND granted GROUP BY objid",
    );
    expect(locks).toHaveLength(4);
    expect(locks.every((l) => l['n'] === 1)).toBe(true);
  });

  it('when an instance is killed (kill -9), the other takes its hosts within 10 s', async () => {
    b?.child.kill('SIGKILL');
    expect(await b?.exited).toBe('SIGKILL');
    const took = await until(() => a.app.get(CollectorService).ownedHosts().length === 4, 10_000, 'takeover');
    expect(took).toBeLessThan(10_000);
    await until(async () => (await owners()).every(([o]) => o === 'api-a'), 5000, 'owner recorded');
  });

  it('marks hosts unreachable within 10 s when their agent goes away', async () => {
    await fleet.stop();
    const took = await until(async () => (await owners()).every(([, s]) => s === 'unreachable'), 10_000, 'unreachable');
    expect(took).toBeLessThan(10_000);
  });
});

describe('a host whose certificate changes', () => {
  it('is marked untrusted and left alone until an administrator trusts the new certificate', async () => {
    const port = await freePort();
    const args = ['--port', String(port), '--token', 'same-token-for-both-runs'];
    const databaseUrl = await createTestDatabase('untrusted');
    let fleet = await startVaporFleet({ hosts: 1, vmsPerHost: 0, args });
    const api = await startTestApi({ DATABASE_URL: databaseUrl, INSTANCE_ID: 'api-c' });
    try {
      const [original] = fleet.hosts;
      if (!original) throw new Error('empty fleet');
      const hosts = api.app.get(HostsService);
      const host = await hosts.enroll(original.url, original.token, original.fingerprint);
      // The same host comes back with a new certificate (say, a reinstall): same URL, new key.
      await fleet.stop();
      fleet = await startVaporFleet({ hosts: 1, vmsPerHost: 0, args });
      const renewed = fleet.fingerprint;
      expect(renewed).not.toBe(original.fingerprint);
      await until(async () => (await hosts.get(host.id)).state === 'untrusted', 10_000, 'untrusted');
      expect((await hosts.get(host.id)).stateReason).toContain(renewed);
      expect((await hosts.get(host.id)).fingerprint).toBe(original.fingerprint); // never replaced by itself
      await expect(hosts.trust(host.id, original.fingerprint)).rejects.toThrow(/presents/);
      expect((await hosts.trust(host.id, renewed)).state).toBe('connected');
      await until(async () => (await hosts.get(host.id)).ownerInstance === 'api-c', 8000, 'owned again');
    } finally {
      await api.close();
      await fleet.stop();
    }
  });
});
