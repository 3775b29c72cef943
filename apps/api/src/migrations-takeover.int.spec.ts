import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FleetVm, Migration } from '@cockpit/contracts';
import { createTestDatabase, queryRows, startVaporFleet, type RunningFleet } from '@cockpit/dev-testing';
import { VaporClient } from '@cockpit/vapor-client';
import { startApiProcess, type ApiProcess } from '../test/api-process.js';
import { jobOf } from '../test/job-oracles.js';
import { enrollAll } from '../test/fleet.js';
import { signedIn, until, type Call } from '../test/sign-in.js';

const PASSWORD = 'migrations-takeover-password';
const GiB = 1024 ** 3;

/**
 * A running migration survives the death of the api instance driving it: two api processes on
 * one database, the driver is killed with SIGKILL mid-copy, and the other instance adopts the
 * host's migration job (never starts a second) and follows it to the end.
 */
describe('a migration taken over by another instance after kill -9', () => {
  let databaseUrl: string;
  let fleet: RunningFleet;
  const apis = new Map<string, ApiProcess>();
  const callers = new Map<string, Call>();
  const hostIds: string[] = [];
  const clients = new Map<string, VaporClient>();

  beforeAll(async () => {
    [databaseUrl, fleet] = await Promise.all([
      createTestDatabase('migrations-takeover'),
      startVaporFleet({ hosts: 2, vmsPerHost: 1 }),
    ]);
    for (const instance of ['mig-a', 'mig-b']) {
      const api = await startApiProcess({
        DATABASE_URL: databaseUrl,
        INSTANCE_ID: instance,
        COCKPIT_ADMIN_PASSWORD: PASSWORD,
        JOBS_HEARTBEAT_SECONDS: '10',
        HOST_ENROLL_DENY_NETWORKS: 'none',
        DATA_DIR: await mkdtemp(path.join(tmpdir(), `${instance}-`)),
      });
      apis.set(instance, api);
      callers.set(instance, await signedIn(api, PASSWORD));
    }
    for (const { id, client } of await enrollAll(callers.get('mig-a') as Call, databaseUrl, fleet.hosts, 20_000)) {
      hostIds.push(id);
      clients.set(id, client);
    }
  }, 60_000);
  afterAll(async () => {
    for (const api of apis.values()) api.child.kill('SIGKILL');
    await fleet?.stop();
  });

  it('finishes on the other instance: one host job, the VM on its destination only, attempts 2', async () => {
    const [source, target] = hostIds as [string, string];
    const call = callers.get('mig-a') as Call;
    const created = await call('POST', '/api/vms', {
      name: 'survivor',
      vcpus: 1,
      memoryMiB: 512,
      disks: [{ poolId: 'ceph-a', sizeBytes: GiB }],
      nics: [{ networkId: 'br-mgmt' }],
      start: true,
      hostId: source,
    });
    expect(created.status).toBe(201);
    const vm = FleetVm.parse((created.json as { vm: unknown }).vm);
    // 512 MiB at 8 MB/s: about a minute, far longer than the takeover takes.
    const started = await call('POST', '/api/migrations', {
      vmId: vm.id,
      targetHostId: target,
      options: { maxBandwidthMBps: 8 },
    });
    expect(started.status).toBe(202);
    const migration = Migration.parse(started.json);
    let victim = '';
    await until(
      async () => {
        const job = await jobOf(call, migration.jobId);
        victim = job.instance ?? '';
        const now = Migration.parse((await call('GET', `/api/migrations/${migration.id}`)).json);
        return now.state === 'running' && (now.progress?.transferredBytes ?? 0) > 0;
      },
      20_000,
      'the migration under way',
    );
    const survivor = victim === 'mig-a' ? 'mig-b' : 'mig-a';
    const dying = apis.get(victim) as ApiProcess;
    dying.child.kill('SIGKILL');
    await dying.exited;
    const other = callers.get(survivor) as Call;
    // The new driver follows the host's job: its progress moves on under the survivor.
    const before = Migration.parse((await other('GET', `/api/migrations/${migration.id}`)).json).progress?.transferredBytes ?? 0;
    await until(async () => (await jobOf(other, migration.jobId)).attempts === 2, 40_000, 'the job taken over');
    await until(
      async () =>
        (Migration.parse((await other('GET', `/api/migrations/${migration.id}`)).json).progress?.transferredBytes ?? 0) > before,
      15_000,
      'progress under the new driver',
    );
    // A change of bandwidth reaches the host through the new driver: the rest goes fast.
    expect((await other('PATCH', `/api/migrations/${migration.id}`, { maxBandwidthMBps: null })).status).toBe(200);
    await until(
      async () => Migration.parse((await other('GET', `/api/migrations/${migration.id}`)).json).state === 'succeeded',
      60_000,
      'the migration succeeds',
    );
    const done = Migration.parse((await other('GET', `/api/migrations/${migration.id}`)).json);
    expect(done).toMatchObject({ state: 'succeeded', reason: null });
    expect(await jobOf(other, migration.jobId)).toMatchObject({ state: 'succeeded', attempts: 2, instance: survivor });
    // The source host was asked to migrate the VM once; it runs on the destination and nowhere else.
    const jobs = (await (clients.get(source) as VaporClient).listJobs()).filter(
      (job) => job.vmId === vm.id && job.type === 'migration',
    );
    expect(jobs.map((job) => job.state)).toEqual(['completed']);
    expect((await (clients.get(target) as VaporClient).getVm(vm.id)).state).toBe('running');
    await expect((clients.get(source) as VaporClient).getVm(vm.id)).rejects.toThrow();
    expect(FleetVm.parse((await other('GET', `/api/vms/${vm.id}`)).json).hostId).toBe(target);
    expect(
      await queryRows(databaseUrl, "SELECT id FROM migrations WHERE state NOT IN ('succeeded', 'failed', 'cancelled')"),
    ).toEqual([]);
  }, 150_000);
});
