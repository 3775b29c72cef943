import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { VmCounts } from '@cockpit/api-hosts';
import { queryRows } from '@cockpit/dev-testing';
import { signedIn, type Call } from '../test/sign-in.js';
import { startTestApi, type TestApi } from '../test/test-app.js';

const PASSWORD = 'vm-counts-admin-password';

/**
 * The VM list's totals come from counts the `vms` triggers keep: after every kind of write the
 * inventory makes (bulk inserts, upserts, state changes, a VM moving host, deletes, a host removed
 * with its VMs), before and after the deltas are folded, they equal a count(*) of the table.
 */
describe('maintained VM counts', () => {
  let api: TestApi;
  let call: Call;
  let counts: VmCounts;
  const sql = (text: string, params: unknown[] = []) => queryRows(api.databaseUrl, text, params);

  /** Per (host, state): the truth, and what the counts say. */
  const compare = async () => {
    const truth = await sql('SELECT host_id::text AS h, state AS s, count(*)::int AS n FROM vms GROUP BY 1, 2 ORDER BY 1, 2');
    const kept = await sql(
      `SELECT h, s, sum(n)::int AS n FROM (SELECT host_id::text AS h, state AS s, n FROM vm_state_counts
         UNION ALL SELECT host_id::text, state, delta FROM vm_count_deltas) x GROUP BY 1, 2 HAVING sum(n) <> 0 ORDER BY 1, 2`,
    );
    expect(kept).toEqual(truth);
  };
  const listTotal = async (query = '') => ((await call('GET', `/api/vms?limit=1${query}`)).json as { total: number }).total;

  beforeAll(async () => {
    api = await startTestApi({ COCKPIT_ADMIN_PASSWORD: PASSWORD });
    call = await signedIn(api, PASSWORD);
    counts = api.app.get(VmCounts);
    await sql(
      `INSERT INTO hosts (id, url, name, token, fingerprint, state, enabled, host_uuid)
       SELECT ('00000000-0000-4000-8000-' || lpad(n::text, 12, '0'))::uuid, 'https://10.9.0.' || n || ':9443', 'count-host-' || n,
         'x', 'AA:BB', 'disabled', false, gen_random_uuid() FROM generate_series(1, 3) AS n`,
    );
  }, 60_000);
  afterAll(async () => {
    await api?.close();
  });

  it('stays exact through inserts, upserts, state changes, moves, deletes and a removed host, folded or not', async () => {
    const host = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
    await sql(
      `INSERT INTO vms (id, host_id, name, state, vcpus, memory_mib, cpu_model, cpu_features, generation, created_at, updated_at)
       SELECT gen_random_uuid(), (ARRAY[$1::uuid, $2::uuid, $3::uuid])[1 + k % 3], 'c-' || k,
         (ARRAY['running', 'shutoff', 'paused'])[1 + (k / 3) % 3], 1, 512, 'm', '{}', 1, now(), now()
       FROM generate_series(1, 300) AS k`,
      [host(1), host(2), host(3)],
    );
    await compare();
    expect(await listTotal()).toBe(300);
    expect(await listTotal('&state=running')).toBe(
      Number((await sql("SELECT count(*)::int AS n FROM vms WHERE state = 'running'"))[0]?.['n']),
    );

    // Upserts as the collector writes them: some update (one changes state), some insert.
    const [one] = await sql("SELECT id FROM vms WHERE state = 'shutoff' LIMIT 1");
    await sql(
      `INSERT INTO vms (id, host_id, name, state, vcpus, memory_mib, cpu_model, cpu_features, generation, created_at, updated_at)
       VALUES ($1, $2, 'up-1', 'running', 1, 512, 'm', '{}', 2, now(), now()), (gen_random_uuid(), $2, 'up-2', 'crashed', 1, 512, 'm', '{}', 1, now(), now())
       ON CONFLICT (id) DO UPDATE SET state = EXCLUDED.state, name = EXCLUDED.name`,
      [one?.['id'], host(2)],
    );
    await compare();
    // A stats write (no state, no host) adds no delta.
    const before = Number((await sql('SELECT count(*)::int AS n FROM vm_count_deltas'))[0]?.['n']);
    await sql("UPDATE vms SET cpu_percent = 5, memory_used_mib = 100, stats_at = now() WHERE state = 'running'");
    expect(Number((await sql('SELECT count(*)::int AS n FROM vm_count_deltas'))[0]?.['n'])).toBe(before);
    // State changes in one statement, a VM moving to another host (a migration), deletes.
    await sql(
      "UPDATE vms SET state = CASE state WHEN 'running' THEN 'paused' WHEN 'paused' THEN 'running' ELSE state END WHERE name LIKE 'c-1%'",
    );
    await sql('UPDATE vms SET host_id = $1 WHERE name = $2', [host(3), 'up-1']);
    await sql("DELETE FROM vms WHERE name LIKE 'c-2%'");
    await compare();
    expect(await counts.fold()).toBeGreaterThan(0);
    expect(Number((await sql('SELECT count(*)::int AS n FROM vm_count_deltas'))[0]?.['n'])).toBe(0);
    await compare();
    // A host removed takes its VMs (ON DELETE CASCADE), and its counts with them.
    await sql('DELETE FROM hosts WHERE id = $1', [host(1)]);
    await compare();
    await counts.fold();
    await compare();
    expect(await sql('SELECT 1 FROM vm_state_counts WHERE host_id = $1', [host(1)])).toEqual([]);
    const truth = Number((await sql('SELECT count(*)::int AS n FROM vms'))[0]?.['n']);
    expect(await listTotal()).toBe(truth);
    expect(await listTotal('&state=paused')).toBe(
      Number((await sql("SELECT count(*)::int AS n FROM vms WHERE state = 'paused'"))[0]?.['n']),
    );
    expect(await listTotal(`&hostId=${host(3)}&state=running`)).toBe(
      Number((await sql("SELECT count(*)::int AS n FROM vms WHERE host_id = $1 AND state = 'running'", [host(3)]))[0]?.['n']),
    );
    // With a name filter the total is still a count over the matching VMs.
    expect(await listTotal('&name=up-')).toBe(2);
  });
});
