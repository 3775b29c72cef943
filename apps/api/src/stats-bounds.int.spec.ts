import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { HostsService } from '@cockpit/api-hosts';
import { freePort } from '@cockpit/embedded-postgres';
import { createTestDatabase, queryRows, startVaporFleet, type FleetHost, type RunningFleet } from '@cockpit/dev-testing';
import { VaporClient } from '@cockpit/vapor-client';
import { until } from '../test/sign-in.js';
import { startTestApi, type TestApi } from '../test/test-app.js';

/** What a host's stats rows may hold that no database column (real) or chart can take. */
describe('one host sending impossible stats numbers costs only its bad rows', () => {
  let databaseUrl: string;
  let fleet: RunningFleet;
  let api: TestApi;
  let adminPort: number;
  /** Host uuid (the agent's) → Cockpit's host id. */
  const hostIds = new Map<string, string>();
  let since: Date;
  let bad: { host: FleetHost; vms: string[] };
  let badHostRow: FleetHost;
  let clean: FleetHost;
  const goodVms: string[] = [];

  const fault = async (host: FleetHost, body: Record<string, unknown>) => {
    const response = await fetch(`http://127.0.0.1:${adminPort}/hosts/${host.uuid}/faults`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${host.token}` },
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(200);
  };
  const runningVms = async (host: FleetHost) =>
    (await new VaporClient({ baseUrl: host.url, token: host.token, fingerprint: host.fingerprint }).listVms())
      .filter((vm) => vm.state === 'running')
      .map((vm) => vm.id);
  /** Samples per host or VM id stored since the bad numbers started. */
  const stored = async (kind: 'host' | 'vm') => {
    const key = kind === 'host' ? 'host_id' : 'vm_id';
    const rows = await queryRows(
      databaseUrl,
      `SELECT ${key}::text AS id, count(*)::int AS n FROM ${kind}_samples WHERE ts > $1 GROUP BY 1`,
      [since.toISOString()],
    );
    return new Map(rows.map((row) => [String(row['id']), Number(row['n'])]));
  };
  const rejected = async () => {
    const text = await (await fetch(`${api.url}/metrics`)).text();
    const counts: Record<string, number> = {};
    for (const match of text.matchAll(/^cockpit_stats_rows_rejected_total\{([^}]*)\} (\S+)$/gm))
      counts[match[1] ?? ''] = Number(match[2]);
    return counts;
  };

  beforeAll(async () => {
    adminPort = await freePort();
    [databaseUrl, fleet] = await Promise.all([
      createTestDatabase('stats_bounds'),
      startVaporFleet({
        hosts: 3,
        vmsPerHost: 4,
        args: ['--stats-interval-ms', '500', '--admin-port', String(adminPort)],
      }),
    ]);
    api = await startTestApi({ DATABASE_URL: databaseUrl, INSTANCE_ID: 'api-stats-bounds' });
    for (const host of fleet.hosts) {
      const enrolled = await api.app.get(HostsService).enroll(host.url, host.token, host.fingerprint);
      hostIds.set(host.uuid, enrolled.id);
    }
    await until(
      async () => (await queryRows(databaseUrl, 'SELECT state FROM hosts')).every((r) => r['state'] === 'connected'),
      10_000,
      'every host connected',
    );
    const [first, second, third] = fleet.hosts as [FleetHost, FleetHost, FleetHost];
    const running = await runningVms(first);
    if (running.length < 3) throw new Error(`host ${first.hostname} runs only ${running.length} VMs; pick another seed`);
    bad = { host: first, vms: running.slice(0, 3) };
    badHostRow = second;
    clean = third;
    goodVms.push(...running.slice(3), ...(await runningVms(second)), ...(await runningVms(third)));
    expect(goodVms.length).toBeGreaterThanOrEqual(3);
    // A value that overflows a real column, a negative rate, and NaN (JSON carries it as null).
    await fault(first, {
      badStats: [
        { target: bad.vms[0], field: 'memoryUsedMiB', value: 1e300 },
        { target: bad.vms[1], field: 'netRxBps', value: -5 },
        { target: bad.vms[2], field: 'cpuPercent', value: null },
      ],
    });
    // The host's own row is bad; its VMs' rows are fine.
    await fault(second, { badStats: [{ target: 'host', field: 'cpuPercent', value: 1e300 }] });
    // Frames stamped after this were sent with the bad numbers in (agent and test share a clock).
    since = new Date();
  });
  afterAll(async () => {
    await api?.close();
    await fleet?.stop();
  });

  it('stores every good row of every host (the bad host’s other VMs included) and none of the bad ones', async () => {
    const hostsWithSamples = [bad.host, clean].map((h) => hostIds.get(h.uuid) ?? '');
    await until(
      async () => {
        const [hosts, vms] = [await stored('host'), await stored('vm')];
        return hostsWithSamples.every((id) => (hosts.get(id) ?? 0) >= 2) && goodVms.every((id) => (vms.get(id) ?? 0) >= 2);
      },
      25_000,
      'samples of every good row stored',
    );
    const [hosts, vms] = [await stored('host'), await stored('vm')];
    for (const vmId of bad.vms) expect([vmId, vms.get(vmId) ?? 0]).toEqual([vmId, 0]);
    expect(hosts.get(hostIds.get(badHostRow.uuid) ?? '') ?? 0).toBe(0);
    // The hosts stayed connected: a bad row is not a bad host.
    expect((await queryRows(databaseUrl, 'SELECT state FROM hosts')).map((r) => r['state'])).toEqual([
      'connected',
      'connected',
      'connected',
    ]);
  });

  it('counts the rejected rows by reason in Prometheus', async () => {
    const counts = await rejected();
    expect(counts['kind="vm",reason="too_large"']).toBeGreaterThanOrEqual(2);
    expect(counts['kind="vm",reason="negative"']).toBeGreaterThanOrEqual(2);
    expect(counts['kind="vm",reason="not_a_number"']).toBeGreaterThanOrEqual(2);
    expect(counts['kind="host",reason="too_large"']).toBeGreaterThanOrEqual(2);
  });

  it('stores the rows again once the host sends sane numbers', async () => {
    await fault(bad.host, { badStats: [] });
    const resumed = new Date();
    await until(
      async () => {
        const rows = await queryRows(
          databaseUrl,
          'SELECT count(DISTINCT vm_id)::int AS n FROM vm_samples WHERE ts > $1 AND vm_id = ANY($2::uuid[])',
          [resumed.toISOString(), bad.vms],
        );
        return rows[0]?.['n'] === bad.vms.length;
      },
      20_000,
      'the formerly bad VMs stored again',
    );
  });
});
