import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CollectorService, HostsService } from '@cockpit/api-hosts';
import { MetricsStore } from '@cockpit/api-metrics';
import { EmbeddedPostgres } from '@cockpit/embedded-postgres';
import { queryRows, startVaporFleet, type RunningFleet } from '@cockpit/dev-testing';
import { until } from '../test/sign-in.js';
import { startTestApi, type TestApi } from '../test/test-app.js';

describe('PostgreSQL restarting under load', () => {
  let dir: string;
  let postgres: EmbeddedPostgres;
  let fleet: RunningFleet;
  let api: TestApi;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cockpit-pg-restart-'));
    [postgres, fleet] = await Promise.all([
      EmbeddedPostgres.start({ dir, database: 'cockpit', rootFallbackDir: path.join(dir, 'root'), settings: { fsync: 'off' } }),
      startVaporFleet({ hosts: 2, vmsPerHost: 2, args: ['--stats-interval-ms', '250'] }),
    ]);
    api = await startTestApi({ DATABASE_URL: postgres.url(), INSTANCE_ID: 'api-restart' });
    for (const host of fleet.hosts) await api.app.get(HostsService).enroll(host.url, host.token, host.fingerprint);
  });
  afterAll(async () => {
    await api?.close().catch(() => undefined);
    await fleet?.stop();
    await postgres?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps the samples it had received, then re-owns its hosts and goes on writing', async () => {
    const databaseUrl = postgres.url();
    const collector = api.app.get(CollectorService);
    const store = api.app.get(MetricsStore);
    await until(() => collector.ownedHosts().length === 2, 10_000, 'both hosts owned');
    await until(async () => store.written > 20, 15_000, 'samples flowing');

    // What is in the table now; whatever arrives from here until the stop is only in the buffer.
    const newest = async () =>
      (await queryRows(databaseUrl, 'SELECT host_id, max(ts) AS ts FROM host_samples GROUP BY 1')).map((r) => [
        String(r['host_id']),
        (r['ts'] as Date).getTime(),
      ]);
    const written = new Map((await newest()) as [string, number][]);
    // Each host's newer samples only in the buffer: they arrive every 250 ms, written every round.
    await until(
      () => [...written.keys()].every((hostId) => store.pendingHosts().has(hostId)),
      5000,
      'samples of every host waiting for the next batch',
    );
    const stoppedAt = Date.now();
    await postgres.stop();
    const buffered = store.pending();
    expect(buffered).toBeGreaterThan(0);
    // Kept, not thrown away: by the time the collector has fenced itself (it cannot heartbeat),
    // the buffered samples are all still there.
    await until(() => collector.ownedHosts().length === 0, 15_000, 'the collector fenced itself');
    expect(store.pending()).toBeGreaterThanOrEqual(buffered);
    postgres = await EmbeddedPostgres.start({
      dir,
      database: 'cockpit',
      port: postgres.port,
      rootFallbackDir: path.join(dir, 'root'),
      settings: { fsync: 'off' },
    });

    await until(() => collector.ownedHosts().length === 2, 20_000, 'ownership re-established');
    await until(
      async () =>
        (
          await queryRows(
            databaseUrl,
            "SELECT count(*)::int AS n FROM hosts WHERE state = 'connected' AND owner_instance = 'api-restart'",
          )
        )[0]?.['n'] === 2,
      15_000,
      'hosts connected again',
    );
    await until(() => store.pending() === 0, 20_000, 'the buffer drained');
    expect(store.dropped).toBe(0);
    // The samples that were only in the buffer when the database stopped are in the table now.
    for (const [hostId, before] of written) {
      const kept = await queryRows(
        databaseUrl,
        'SELECT count(*)::int AS n FROM host_samples WHERE host_id = $1 AND ts > $2 AND ts <= $3',
        [hostId, new Date(before).toISOString(), new Date(stoppedAt).toISOString()],
      );
      expect(kept[0]?.['n']).toBeGreaterThan(0);
    }
    // And new ones keep coming.
    const after = Date.now();
    await until(
      async () =>
        ((
          await queryRows(databaseUrl, 'SELECT count(*)::int AS n FROM host_samples WHERE ts > $1', [
            new Date(after).toISOString(),
          ])
        )[0]?.['n'] as number) > 4,
      10_000,
      'new samples written',
    );
  });
});
