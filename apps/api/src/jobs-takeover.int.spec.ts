import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '@cockpit/embedded-postgres';
import { Host, JobSummary } from '@cockpit/contracts';
import { createTestDatabase, queryRows, startVaporFleet, type RunningFleet } from '@cockpit/dev-testing';
import { VaporClient } from '@cockpit/vapor-client';
import { startApiProcess, type ApiProcess } from '../test/api-process.js';
import { actionsReceived, finished, followAgents, jobOf, slowActions, targetsOf } from '../test/job-oracles.js';
import { signedIn, until, type Call } from '../test/sign-in.js';

const PASSWORD = 'jobs-takeover-password';
const HOSTS = 4;
const VMS_PER_HOST = 12;
const DELAY_MS = 1000;

/**
 * A bulk job survives the death of the api instance running it: two api processes on one
 * database, the one running a slow job is killed with SIGKILL mid-run, and the other resumes it
 * from its recorded targets. The agents say whether any VM was acted on twice.
 */
describe('a bulk job resumed by another instance after kill -9', () => {
  let databaseUrl: string;
  let fleet: RunningFleet;
  let adminPort: number;
  const apis = new Map<string, ApiProcess>();
  const callers = new Map<string, Call>();

  beforeAll(async () => {
    adminPort = await freePort();
    [databaseUrl, fleet] = await Promise.all([
      createTestDatabase('jobs-takeover'),
      startVaporFleet({ hosts: HOSTS, vmsPerHost: VMS_PER_HOST, args: ['--admin-port', String(adminPort)] }),
    ]);
    for (const instance of ['jobs-a', 'jobs-b']) {
      const api = await startApiProcess({
        DATABASE_URL: databaseUrl,
        INSTANCE_ID: instance,
        COCKPIT_ADMIN_PASSWORD: PASSWORD,
        JOBS_HEARTBEAT_SECONDS: '10',
        // Production refuses loopback hosts by default; the sim fleet is on 127.0.0.1.
        HOST_ENROLL_DENY_NETWORKS: 'none',
        DATA_DIR: await mkdtemp(path.join(tmpdir(), `${instance}-`)),
      });
      apis.set(instance, api);
      callers.set(instance, await signedIn(api, PASSWORD));
    }
    const call = callers.get('jobs-a') as Call;
    for (const host of fleet.hosts) {
      const enrolled = await call('POST', '/api/hosts', { url: host.url, token: host.token, fingerprint: host.fingerprint });
      expect({ status: enrolled.status, json: enrolled.status === 201 ? undefined : enrolled.json }).toEqual({ status: 201 });
      Host.parse(enrolled.json);
    }
    await until(
      async () =>
        (await queryRows(databaseUrl, 'SELECT count(*)::int AS n FROM vms'))[0]?.['n'] === HOSTS * VMS_PER_HOST &&
        (await queryRows(databaseUrl, 'SELECT state FROM hosts')).every((row) => row['state'] === 'connected'),
      20_000,
      'hosts connected and synced',
    );
  }, 60_000);
  afterAll(async () => {
    for (const api of apis.values()) api.child.kill('SIGKILL');
    await fleet?.stop();
  });

  it('finishes the job on the other instance: attempts 2, every target once, no VM acted on twice, nothing stuck', async () => {
    // Every VM off, directly on the agents; then every action waits 1 s at the agent and is counted.
    for (const host of fleet.hosts) {
      const client = new VaporClient({ baseUrl: host.url, token: host.token, fingerprint: host.fingerprint });
      for (const vm of await client.listVms()) if (vm.state !== 'shutoff') await client.act(vm.id, 'poweroff');
    }
    await until(
      async () => (await queryRows(databaseUrl, "SELECT count(*)::int AS n FROM vms WHERE state = 'shutoff'"))[0]?.['n'] === 48,
      10_000,
      'inventory shows every VM off',
    );
    const agents = await followAgents(fleet.hosts);
    for (const host of fleet.hosts) await slowActions(adminPort, host, DELAY_MS);
    const vmIds = (await queryRows(databaseUrl, 'SELECT id FROM vms')).map((row) => String(row['id']));

    const submitted = await (callers.get('jobs-a') as Call)('POST', '/api/vms/bulk-actions', {
      action: 'start',
      vmIds,
      perHost: 2,
    });
    expect(submitted.status).toBe(202);
    const job = JobSummary.parse(submitted.json);
    let victim = '';
    await until(
      async () => {
        const now = await jobOf(callers.get('jobs-a') as Call, job.id);
        victim = now.instance ?? '';
        return now.state === 'running' && now.progress.done >= 10;
      },
      20_000,
      'the job under way',
    );
    const survivor = victim === 'jobs-a' ? 'jobs-b' : 'jobs-a';
    const dying = apis.get(victim) as ApiProcess;
    dying.child.kill('SIGKILL');
    const killedAt = Date.now();
    await dying.exited;
    const atKill = await queryRows(databaseUrl, 'SELECT target_id, state FROM job_targets WHERE job_id = $1', [job.id]);
    const inFlight = atKill.filter((row) => row['state'] === 'running').map((row) => String(row['target_id']));
    const doneAtKill = atKill.filter((row) => ['succeeded', 'failed'].includes(String(row['state']))).length;
    expect(doneAtKill).toBeLessThan(vmIds.length);
    expect(inFlight.length).toBeGreaterThan(0);

    const call = callers.get(survivor) as Call;
    const done = await finished(call, job.id, 45_000);
    expect(done).toMatchObject({ state: 'succeeded', attempts: 2, instance: survivor, error: null });
    expect(done.progress).toEqual({ total: 48, done: 48, succeeded: 48, failed: 0, skipped: 0, cancelled: 0 });
    const resumedAfterMs = Date.parse(done.finishedAt ?? '') - killedAt;

    // Every target ended once: one row each, succeeded; those in flight at the kill were settled
    // by reading the VM (or run once if they had not reached the agent).
    const targets = await targetsOf(call, job.id);
    expect(targets.map((target) => target.targetId).sort()).toEqual([...vmIds].sort());
    expect(targets.every((target) => target.state === 'succeeded' && target.finishedAt !== null)).toBe(true);
    for (const id of inFlight)
      expect(targets.find((target) => target.targetId === id)?.message).toMatch(/confirmed after the job moved|^running on /);

    // The agents' side: each host was asked exactly once per VM (a second request, even a refused
    // one, would count), each VM went from off to running exactly once, and every VM runs.
    for (const host of fleet.hosts)
      expect({ host: host.hostname, asked: await actionsReceived(adminPort, host) }).toEqual({
        host: host.hostname,
        asked: VMS_PER_HOST,
      });
    const startsPerVm = new Map<string, number>();
    for (const change of agents.all())
      if (change.state === 'running') startsPerVm.set(change.vmId, (startsPerVm.get(change.vmId) ?? 0) + 1);
    expect([...startsPerVm.keys()].sort()).toEqual([...vmIds].sort());
    expect([...startsPerVm.values()].every((count) => count === 1)).toBe(true);
    expect(agents.all().some((change) => change.state !== 'running')).toBe(false);
    agents.close();

    // Nothing stuck: no job unfinished, pg-boss's entry completed.
    expect(await queryRows(databaseUrl, "SELECT id FROM jobs WHERE state IN ('queued', 'running', 'cancelling')")).toEqual([]);
    const boss = await queryRows(databaseUrl, "SELECT state FROM pgboss.job WHERE data->>'jobId' = $1", [job.id]);
    expect(boss.map((row) => row['state'])).toEqual(['completed']);
    expect(resumedAfterMs).toBeLessThan(40_000);
  }, 90_000);
});
