import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Socket } from 'socket.io-client';
import { freePort } from '@cockpit/embedded-postgres';
import {
  CockpitEvent,
  ErrorResponse,
  FleetVm,
  Migration,
  MovePlan,
  Preflight,
  type CreateVmBody,
  type MigrateOptions,
} from '@cockpit/contracts';
import { queryRows, startVaporFleet, type FleetHost, type RunningFleet } from '@cockpit/dev-testing';
import { VaporClient } from '@cockpit/vapor-client';
import { enrollAll } from '../test/fleet.js';
import { liveEvents } from '../test/live-events.js';
import { signedIn, until, type Call } from '../test/sign-in.js';
import { startTestApi, type TestApi } from '../test/test-app.js';

const PASSWORD = 'migrations-admin-password';
const GiB = 1024 ** 3;
type ProgressEvent = Extract<CockpitEvent, { type: 'job.progress' }>;

/**
 * Cockpit's migration orchestrator on a real sim fleet over HTTPS against embedded PostgreSQL:
 * the agents really move the VMs between themselves; what Cockpit says is checked against them.
 * Hosts (sim catalog, by index): 0 Broadwell, 1 Skylake (avx512), 2 Cascadelake; all mount the
 * shared pool ceph-a, each has its own `local` pool.
 */
describe('migrations through the api', () => {
  let api: TestApi;
  let fleet: RunningFleet;
  let adminPort: number;
  let call: Call;
  const hostIds: string[] = [];
  const agents = new Map<string, { host: FleetHost; client: VaporClient }>();
  const sockets: Socket[] = [];
  const progress: ProgressEvent[] = [];
  const deleted: { vmId: string; hostId: string }[] = [];

  const agent = (hostId: string) => {
    const found = agents.get(hostId);
    if (!found) throw new Error(`no agent for ${hostId}`);
    return found;
  };
  const errorOf = (answer: { json: unknown }) => ErrorResponse.parse(answer.json);
  const fault = async (hostId: string, body: Record<string, unknown>) => {
    const { host } = agent(hostId);
    const response = await fetch(`http://127.0.0.1:${adminPort}/hosts/${host.uuid}/faults`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${host.token}` },
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(200);
  };
  const createVm = async (hostId: string, name: string, extra: Partial<CreateVmBody> = {}) => {
    const created = await call('POST', '/api/vms', {
      name,
      vcpus: 1,
      memoryMiB: 512,
      disks: [{ poolId: 'ceph-a', sizeBytes: 2 * GiB }],
      nics: [{ networkId: 'br-mgmt' }],
      start: true,
      hostId,
      ...extra,
    } satisfies CreateVmBody);
    if (created.status !== 201) throw new Error(`create answered ${created.status}: ${JSON.stringify(created.json)}`);
    return FleetVm.parse((created.json as { vm: unknown }).vm);
  };
  const preflight = async (vmId: string, targetHostId: string, options: MigrateOptions = {}, as: Call = call) => {
    const answer = await as('POST', '/api/migrations/preflight', { vmId, targetHostId, options });
    expect(answer.status).toBe(200);
    return Preflight.parse(answer.json);
  };
  const start = async (vmId: string, targetHostId: string, options: MigrateOptions = {}) => {
    const answer = await call('POST', '/api/migrations', { vmId, targetHostId, options });
    if (answer.status !== 202) throw new Error(`start answered ${answer.status}: ${JSON.stringify(answer.json)}`);
    return Migration.parse(answer.json);
  };
  const read = async (id: string) => Migration.parse((await call('GET', `/api/migrations/${id}`)).json);
  const settled = async (id: string, timeoutMs = 60_000) => {
    await until(
      async () => ['succeeded', 'failed', 'cancelled'].includes((await read(id)).state),
      timeoutMs,
      `migration ${id} settles`,
    );
    return read(id);
  };
  const whereIs = async (vmId: string) => {
    const found: { hostId: string; state: string }[] = [];
    for (const [hostId, { client }] of agents) {
      const vm = await client.getVm(vmId).catch(() => undefined);
      if (vm) found.push({ hostId, state: vm.state });
    }
    return found;
  };
  const migrationCount = async () =>
    Number((await queryRows(api.databaseUrl, 'SELECT count(*)::int AS n FROM migrations'))[0]?.['n']);

  beforeAll(async () => {
    adminPort = await freePort();
    [api, fleet] = await Promise.all([
      startTestApi({
        COCKPIT_ADMIN_PASSWORD: PASSWORD,
        MIGRATIONS_STALL_SECONDS: '3',
        MIGRATIONS_OUTBOUND_PER_HOST: '1',
        MIGRATIONS_INBOUND_PER_HOST: '2',
      }),
      startVaporFleet({ hosts: 3, vmsPerHost: 1, args: ['--admin-port', String(adminPort)] }),
    ]);
    call = await signedIn(api, PASSWORD);
    for (const { id, host, client } of await enrollAll(call, api.databaseUrl, fleet.hosts)) {
      hostIds.push(id);
      agents.set(id, { host, client });
    }
    // A real socket.io client as the admin, for the live progress.
    sockets.push(
      await liveEvents(api.url, { username: 'admin', password: PASSWORD }, (event) => {
        if (event.type === 'job.progress' && event.data.migration) progress.push(event);
        if (event.type === 'vm.deleted') deleted.push(event.data);
      }),
    );
  }, 90_000);
  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await api?.close();
    await fleet?.stop();
  });

  it('answers each pre-flight failure in words and starts nothing when asked to migrate anyway', async () => {
    const [broadwell, skylake, cascade] = hostIds as [string, string, string];
    const avx = await createVm(skylake, 'pf-avx512', {
      cpu: { model: 'Skylake-Server-IBRS', features: ['avx512f', 'avx512bw'] },
    });
    const cpu = await preflight(avx.id, broadwell);
    expect(cpu.verdict).toBe('fail');
    expect(cpu.checks.find((check) => check.check === 'cpu')).toMatchObject({
      outcome: 'fail',
      message: expect.stringMatching(/lacks avx512f, avx512bw/),
    });
    // The same VM to a CPU that has the flags passes that check (positive control).
    expect((await preflight(avx.id, cascade)).checks.find((check) => check.check === 'cpu')?.outcome).toBe('pass');

    const same = await preflight(avx.id, skylake);
    expect(same.checks.find((check) => check.check === 'state')).toMatchObject({
      outcome: 'fail',
      message: expect.stringMatching(/already runs on/),
    });

    const local = await createVm(broadwell, 'pf-local', { disks: [{ poolId: 'local', sizeBytes: GiB }] });
    const noCopy = await preflight(local.id, cascade, { copyStorage: false });
    expect(noCopy.checks.find((check) => check.check === 'storage')).toMatchObject({
      outcome: 'fail',
      message: expect.stringMatching(/"local", which .* does not share: turn on copy storage/),
    });
    const auto = await preflight(local.id, cascade);
    expect(auto).toMatchObject({ type: 'shared-nothing', verdict: 'pass' });
    expect(auto.typeReason).toMatch(/copied block by block/);
    expect(auto.options.copyStorage).toBe(true);
    expect((await preflight(avx.id, cascade)).type).toBe('shared-storage');

    // Memory: a running VM larger than what another host has free (but not than its own host).
    const free = new Map<string, number>();
    for (const id of hostIds) free.set(id, (await agent(id).client.host()).memory.freeMiB);
    const [roomy, tight] = [...free.entries()].sort((a, b) => b[1] - a[1]) as [[string, number], ...[string, number][]];
    const smallest = [...free.entries()].sort((a, b) => a[1] - b[1])[0] as [string, number];
    expect(roomy[1] - smallest[1]).toBeGreaterThan(2048); // the seeded fleet has hosts of different sizes
    void tight;
    const huge = await createVm(roomy[0], 'pf-huge', { memoryMiB: smallest[1] + 1024 });
    const memory = await preflight(huge.id, smallest[0]);
    expect(memory.checks.find((check) => check.check === 'memory')).toMatchObject({
      outcome: 'fail',
      message: expect.stringMatching(/MiB free.*needs/),
    });
    expect((await call('POST', `/api/vms/${huge.id}/actions`, { action: 'poweroff' })).status).toBe(200);

    const before = await migrationCount();
    const refused = await call('POST', '/api/migrations', { vmId: avx.id, targetHostId: broadwell, options: {} });
    expect(refused.status).toBe(409);
    expect(errorOf(refused).message).toMatch(/Cannot migrate pf-avx512 .*lacks avx512f/);
    const self = await call('POST', '/api/migrations', { vmId: avx.id, targetHostId: skylake, options: {} });
    expect(self.status).toBe(409);
    for (const bad of [
      { vmId: avx.id, targetHostId: cascade, options: { maxBandwidthMBps: -5 } },
      { vmId: avx.id, targetHostId: cascade, options: { downtimeLimitMs: 0 } },
      { vmId: avx.id, targetHostId: cascade, options: { surprise: true } },
      { vmId: 'not-a-uuid', targetHostId: cascade },
      { vmId: avx.id, targetHostId: cascade, options: { live: 'yes' } },
    ]) {
      const answer = await call('POST', '/api/migrations', bad);
      expect(answer.status).toBe(400);
    }
    const nowhere = await call('POST', '/api/migrations', {
      vmId: avx.id,
      targetHostId: '00000000-0000-4000-8000-000000000000',
      options: {},
    });
    expect(nowhere.status).toBe(404);
    expect(await migrationCount()).toBe(before);
    expect((await agent(skylake).client.listJobs()).filter((job) => job.vmId === avx.id)).toEqual([]);
  });

  it('moves a running VM on shared storage live, with progress at least every second, and the inventory follows', async () => {
    const [broadwell, , cascade] = hostIds as [string, string, string];
    const vm = await createVm(broadwell, 'live-shared', { memoryMiB: 1024 });
    const started = await start(vm.id, cascade, { autoConverge: true, downtimeLimitMs: 500, maxBandwidthMBps: 200 });
    expect(started).toMatchObject({
      type: 'shared-storage',
      state: 'queued',
      options: { autoConverge: true, downtimeLimitMs: 500 },
    });
    const done = await settled(started.id);
    expect(done).toMatchObject({ state: 'succeeded', reason: null });
    expect(done.transferredBytes).toBeGreaterThan(1024 * 1024 * 1024 * 0.9);
    expect(done.downtimeMs).not.toBeNull();
    expect(done.preflight.every((check) => check.outcome !== 'fail')).toBe(true);
    expect(await whereIs(vm.id)).toEqual([{ hostId: cascade, state: 'running' }]);
    const inventory = FleetVm.parse((await call('GET', `/api/vms/${vm.id}`)).json);
    expect(inventory).toMatchObject({ hostId: cascade, state: 'running' });
    // 1 GiB at 200 MB/s takes ~5 s: progress came at least every second, with the figures.
    const mine = progress.filter((event) => event.data.migration?.migrationId === started.id);
    const running = mine.filter((event) => event.data.migration?.progress && event.data.migration.state === 'running');
    expect(running.length).toBeGreaterThanOrEqual(4);
    const gaps = running.slice(1).map((event, index) => Date.parse(event.ts) - Date.parse(running[index]?.ts ?? event.ts));
    expect(Math.max(...gaps)).toBeLessThan(1200);
    expect(running.at(-1)?.data.migration?.progress).toMatchObject({
      throughputMBps: expect.any(Number),
      etaSeconds: expect.any(Number),
    });
    expect(mine.at(-1)?.data.migration?.state).toBe('succeeded');
    const job = (await call('GET', `/api/jobs/${done.jobId}`)).json as { state: string; kind: string };
    expect(job).toMatchObject({ state: 'succeeded', kind: 'vm.migration' });
  });

  it('copies local disks (shared-nothing) and moves a stopped VM offline', async () => {
    const [broadwell, skylake] = hostIds as [string, string];
    const vm = await createVm(broadwell, 'nothing-shared', { disks: [{ poolId: 'local', sizeBytes: GiB }] });
    const moved = await settled((await start(vm.id, skylake)).id);
    expect(moved).toMatchObject({ state: 'succeeded', type: 'shared-nothing', options: { copyStorage: true } });
    expect(await whereIs(vm.id)).toEqual([{ hostId: skylake, state: 'running' }]);
    const there = await agent(skylake).client.getVm(vm.id);
    expect(there.disks.map((disk) => disk.poolId)).toEqual(['local']);

    // Keep the source's definition, converge automatically, limit the bandwidth: the VM runs on the
    // target (and the inventory says so), the source keeps an inactive copy.
    const kept = await createVm(broadwell, 'kept-definition', { disks: [{ poolId: 'local', sizeBytes: GiB }] });
    const keeping = await settled(
      (await start(kept.id, skylake, { undefineSource: false, autoConverge: true, maxBandwidthMBps: 500 })).id,
    );
    expect(keeping).toMatchObject({
      state: 'succeeded',
      type: 'shared-nothing',
      options: { undefineSource: false, autoConverge: true, maxBandwidthMBps: 500 },
    });
    expect(await whereIs(kept.id)).toEqual([
      { hostId: broadwell, state: 'shutoff' },
      { hostId: skylake, state: 'running' },
    ]);
    await until(
      async () => FleetVm.parse((await call('GET', `/api/vms/${kept.id}`)).json).hostId === skylake,
      5_000,
      'the inventory shows the running copy',
    );
    // The inactive copy removed on the source leaves the VM as it is (it would block a move back).
    await agent(broadwell).client.deleteVm(kept.id);
    // Positive control: the collector applied the source's vm.deleted (announced once written).
    await until(
      () => deleted.some((event) => event.vmId === kept.id && event.hostId === broadwell),
      10_000,
      'the deletion on the source reached Cockpit',
    );
    expect(FleetVm.parse((await call('GET', `/api/vms/${kept.id}`)).json)).toMatchObject({ hostId: skylake, state: 'running' });
    // Not persistent: it runs there without a lasting definition, so stopping it leaves nothing.
    const passing = await createVm(broadwell, 'transient-one');
    const moved2 = await settled((await start(passing.id, skylake, { persistent: false })).id);
    expect(moved2).toMatchObject({ state: 'succeeded', options: { persistent: false } });
    expect(await whereIs(passing.id)).toEqual([{ hostId: skylake, state: 'running' }]);
    expect((await call('POST', `/api/vms/${passing.id}/actions`, { action: 'poweroff' })).status).toBe(200);
    expect(await whereIs(passing.id)).toEqual([]);
    await until(async () => (await call('GET', `/api/vms/${passing.id}`)).status === 404, 10_000, 'gone from the inventory');
    const off = await createVm(broadwell, 'offline-one', { start: false });
    const offline = await settled((await start(off.id, skylake)).id);
    expect(offline).toMatchObject({ state: 'succeeded', type: 'offline', options: { live: false } });
    expect(await whereIs(off.id)).toEqual([{ hostId: skylake, state: 'shutoff' }]);
  });

  it('moves a running VM’s disk to another pool: mirrored, pivoted, the source deleted', async () => {
    const [, , cascade] = hostIds as [string, string, string];
    const vm = await createVm(cascade, 'disk-mover', { disks: [{ poolId: 'local', sizeBytes: GiB }] });
    const before = (await agent(cascade).client.host()).pools.find((pool) => pool.id === 'local');
    const answer = await call('POST', '/api/migrations/storage', {
      vmId: vm.id,
      disks: [{ diskId: 'vda', targetPoolId: 'ceph-a' }],
    });
    expect(answer.status).toBe(202);
    const done = await settled(Migration.parse(answer.json).id);
    expect(done).toMatchObject({ state: 'succeeded', type: 'storage', deleteSource: true });
    expect(done.storage).toEqual([{ diskId: 'vda', fromPoolId: 'local', toPoolId: 'ceph-a', state: 'done' }]);
    const after = await agent(cascade).client.getVm(vm.id);
    expect(after.disks[0]?.poolId).toBe('ceph-a');
    expect(after.state).toBe('running');
    const pool = (await agent(cascade).client.host()).pools.find((candidate) => candidate.id === 'local');
    expect(Number(pool?.freeBytes)).toBeGreaterThan(Number(before?.freeBytes));
    const again = await call('POST', '/api/migrations/storage', {
      vmId: vm.id,
      disks: [{ diskId: 'vda', targetPoolId: 'ceph-a' }],
    });
    expect(again.status).toBe(409);
    expect(errorOf(again).message).toMatch(/already on pool "ceph-a"/);
  });

  it('cancels mid-flight: the VM keeps running on its source, and says so', async () => {
    const [broadwell, , cascade] = hostIds as [string, string, string];
    const vm = await createVm(broadwell, 'cancel-me', { memoryMiB: 1024 });
    const started = await start(vm.id, cascade, { maxBandwidthMBps: 20 });
    await until(async () => (await read(started.id)).state === 'running', 15_000, 'running');
    const cancel = await call('POST', `/api/migrations/${started.id}/cancel`);
    expect(cancel.status).toBe(202);
    const done = await settled(started.id);
    expect(done.state).toBe('cancelled');
    expect(done.reason).toMatch(/cancel-me is running on/);
    expect(await whereIs(vm.id)).toEqual([{ hostId: broadwell, state: 'running' }]);
    expect((await call('POST', `/api/migrations/${started.id}/cancel`)).status).toBe(409);
    expect(((await call('GET', `/api/jobs/${done.jobId}`)).json as { state: string }).state).toBe('cancelled');
  });

  it('refuses a cancel during the switch-over, and the migration ends truly (the VM on one host)', async () => {
    const [broadwell, , cascade] = hostIds as [string, string, string];
    const vm = await createVm(broadwell, 'switching', { memoryMiB: 512 });
    // The destination takes 4 s to start the VM at the switch-over.
    await fault(cascade, { nextRequests: { count: 1, delayMs: 4000, routeId: 'completeIncoming' } });
    const started = await start(vm.id, cascade);
    await until(async () => (await read(started.id)).state === 'completing', 15_000, 'switching over');
    const refused = await call('POST', `/api/migrations/${started.id}/cancel`);
    expect(refused.status).toBe(409);
    expect(errorOf(refused).message).toMatch(/switching over .* can no longer be cancelled/);
    const done = await settled(started.id);
    expect(done.state).toBe('succeeded');
    expect(await whereIs(vm.id)).toEqual([{ hostId: cascade, state: 'running' }]);
  });

  it('fails cleanly when the destination stops answering mid-copy: the VM runs on its source, the inventory agrees', async () => {
    const [broadwell, skylake] = hostIds as [string, string];
    const vm = await createVm(broadwell, 'lost-peer', { memoryMiB: 1024 });
    const started = await start(vm.id, skylake, { maxBandwidthMBps: 40 });
    await until(async () => ((await read(started.id)).progress?.transferredBytes ?? 0) > 0, 15_000, 'copying');
    await fault(skylake, { hang: true });
    try {
      const done = await settled(started.id, 60_000);
      expect(done.state).toBe('failed');
      expect(done.reason).toMatch(/lost the destination.*lost-peer is running on/);
      expect((await agent(broadwell).client.getVm(vm.id)).state).toBe('running');
      expect(FleetVm.parse((await call('GET', `/api/vms/${vm.id}`)).json)).toMatchObject({ hostId: broadwell, state: 'running' });
    } finally {
      await fault(skylake, { clear: true });
    }
    await until(
      async () =>
        (await queryRows(api.databaseUrl, 'SELECT state FROM hosts WHERE id = $1', [skylake]))[0]?.['state'] === 'connected',
      30_000,
      'the destination back',
    );
    await expect(agent(skylake).client.getVm(vm.id)).rejects.toThrow();
  });

  it('takes a new bandwidth limit while it runs, and the host applies it', async () => {
    const [broadwell, skylake] = hostIds as [string, string];
    const vm = await createVm(broadwell, 'throttled', { memoryMiB: 1024 });
    const started = await start(vm.id, skylake, { maxBandwidthMBps: 10 });
    await until(async () => (await read(started.id)).progress?.maxBandwidthMBps === 10, 15_000, 'running at 10 MB/s');
    expect(
      (await agent(broadwell).client.listJobs()).find((job) => job.vmId === vm.id && job.type === 'migration')?.maxBandwidthMBps,
    ).toBe(10);
    const patched = await call('PATCH', `/api/migrations/${started.id}`, { maxBandwidthMBps: null });
    expect(patched.status).toBe(200);
    expect(Migration.parse(patched.json).options.maxBandwidthMBps).toBeNull();
    expect((await call('PATCH', `/api/migrations/${started.id}`, { maxBandwidthMBps: 0 })).status).toBe(400);
    // The host's own job says the limit it runs under (the positive control: 10 before).
    const hostJob = async () =>
      (await agent(broadwell).client.listJobs()).find((job) => job.vmId === vm.id && job.type === 'migration');
    await until(async () => (await hostJob())?.maxBandwidthMBps === null, 10_000, 'the host runs unlimited');
    // 1 GiB at 10 MB/s would take 100 s; unlimited it ends in seconds.
    const done = await settled(started.id, 30_000);
    expect(done.state).toBe('succeeded');
    expect(await whereIs(vm.id)).toEqual([{ hostId: skylake, state: 'running' }]);
    expect((await call('PATCH', `/api/migrations/${started.id}`, { maxBandwidthMBps: 50 })).status).toBe(409);
  });

  it('aborts a migration that stops making progress, and the VM still runs on its source', async () => {
    const [, skylake, cascade] = hostIds as [string, string, string];
    const vm = await createVm(skylake, 'stalls', { memoryMiB: 1024 });
    await fault(skylake, { stallMigrations: { stall: true } });
    try {
      const started = await start(vm.id, cascade, { maxBandwidthMBps: 50 });
      const done = await settled(started.id, 30_000);
      expect(done.state).toBe('failed');
      expect(done.reason).toMatch(/Stalled: no progress for 3 s/);
      expect(done.reason).toMatch(/stalls is running on/);
      expect(await whereIs(vm.id)).toEqual([{ hostId: skylake, state: 'running' }]);
    } finally {
      await fault(skylake, { stallMigrations: { stall: false } });
    }
  });

  it('reports a migration the host could not finish (its stream broke) as failed, the VM on its source', async () => {
    const [broadwell, skylake] = hostIds as [string, string];
    const vm = await createVm(broadwell, 'breaks', { memoryMiB: 1024 });
    await fault(broadwell, { failMigrationAt: 0.3 });
    const done = await settled((await start(vm.id, skylake, { maxBandwidthMBps: 400 })).id);
    expect(done.state).toBe('failed');
    expect(done.reason).toMatch(/migration stream broke.*breaks is running on/);
    expect(await whereIs(vm.id)).toEqual([{ hostId: broadwell, state: 'running' }]);
    expect(FleetVm.parse((await call('GET', `/api/vms/${vm.id}`)).json)).toMatchObject({ hostId: broadwell, state: 'running' });
    expect(((await call('GET', `/api/jobs/${done.jobId}`)).json as { state: string }).state).toBe('failed');
  });

  it('queues within the per-host limit: the second waits for a slot, then runs', async () => {
    const [broadwell, skylake, cascade] = hostIds as [string, string, string];
    const first = await createVm(broadwell, 'slot-1', { memoryMiB: 1024 });
    const second = await createVm(broadwell, 'slot-2', { memoryMiB: 512 });
    const a = await start(first.id, skylake, { maxBandwidthMBps: 250 });
    await until(async () => (await read(a.id)).state === 'running', 15_000, 'first running');
    const b = await start(second.id, cascade);
    let maxActive = 0;
    let sawWaiting = false;
    await until(
      async () => {
        const [row] = (await queryRows(
          api.databaseUrl,
          `SELECT count(*) FILTER (WHERE state IN ('preflight', 'running', 'completing'))::int AS active FROM migrations WHERE source_host_id = $1`,
          [broadwell],
        )) as { active: number }[];
        maxActive = Math.max(maxActive, row?.active ?? 0);
        const waiting = await read(b.id);
        if (waiting.state === 'queued' && /wait for a slot/.test(waiting.reason ?? '')) sawWaiting = true;
        return (await read(b.id)).state === 'succeeded';
      },
      60_000,
      'both done',
    );
    expect(sawWaiting).toBe(true);
    expect(maxActive).toBe(1);
    expect((await read(a.id)).state).toBe('succeeded');
  });

  it('runs the checks again when a queued migration starts: a change meanwhile refuses it with the new reason', async () => {
    const [broadwell, skylake, cascade] = hostIds as [string, string, string];
    const first = await createVm(broadwell, 'recheck-1', { memoryMiB: 1024 });
    const second = await createVm(broadwell, 'recheck-2');
    const a = await start(first.id, skylake, { maxBandwidthMBps: 150 });
    await until(async () => (await read(a.id)).state === 'running', 15_000, 'first running');
    const b = await start(second.id, cascade);
    await until(async () => /wait for a slot/.test((await read(b.id)).reason ?? ''), 10_000, 'second waiting');
    expect((await call('PATCH', `/api/hosts/${cascade}`, { enabled: false })).status).toBe(200);
    try {
      const done = await settled(b.id, 60_000);
      expect(done.state).toBe('failed');
      expect(done.reason).toMatch(/Refused at start: .* is disabled/);
      expect(done.preflight.find((check) => check.check === 'target')?.outcome).toBe('fail');
      expect(await whereIs(second.id)).toEqual([{ hostId: broadwell, state: 'running' }]);
      expect((await settled(a.id)).state).toBe('succeeded');
    } finally {
      expect((await call('PATCH', `/api/hosts/${cascade}`, { enabled: true })).status).toBe(200);
    }
    await until(
      async () =>
        (await queryRows(api.databaseUrl, 'SELECT state FROM hosts WHERE id = $1', [cascade]))[0]?.['state'] === 'connected',
      15_000,
      'host back',
    );
  });

  it('plans an evacuation (who goes where and why, who cannot and why), then runs it', async () => {
    const [broadwell, skylake] = hostIds as [string, string];
    const stuck = await createVm(skylake, 'evac-avx', { cpu: { model: 'Skylake-Server-IBRS', features: ['avx512dq'] } });
    const dry = await call('POST', `/api/hosts/${skylake}/evacuation`, { dryRun: true, targetHostIds: [broadwell] });
    expect(dry.status).toBe(200);
    const { plan, job } = dry.json as { plan: unknown; job: unknown };
    expect(job).toBeNull();
    const parsed = MovePlan.parse(plan);
    expect(parsed.unmovable.find((entry) => entry.vmId === stuck.id)?.reasons.join(' ')).toMatch(/lacks avx512dq/);
    expect(parsed.moves.length).toBeGreaterThan(0);
    expect(parsed.moves.every((move) => move.target.id === broadwell && move.reason.length > 0)).toBe(true);
    expect(await whereIs(parsed.moves[0]?.vmId ?? '')).toEqual([expect.objectContaining({ hostId: skylake })]);

    const run = await call('POST', `/api/hosts/${skylake}/evacuation`, { dryRun: false, targetHostIds: [broadwell] });
    expect(run.status).toBe(200);
    const answer = run.json as { job: { id: string } | null; migrations: string[] };
    expect(answer.migrations.length).toBe(parsed.moves.length);
    for (const id of answer.migrations) expect((await settled(id, 90_000)).state).toBe('succeeded');
    for (const move of parsed.moves) expect((await whereIs(move.vmId)).map((entry) => entry.hostId)).toEqual([broadwell]);
    expect(await whereIs(stuck.id)).toEqual([expect.objectContaining({ hostId: skylake })]);
  });

  it('stops an evacuation on request: queued moves never start, the running one is stopped, every VM stays home', async () => {
    const [broadwell, , cascade] = hostIds as [string, string, string];
    const mine = [
      await createVm(cascade, 'stay-1', { memoryMiB: 1024 }),
      await createVm(cascade, 'stay-2', { memoryMiB: 1024 }),
      await createVm(cascade, 'stay-3', { memoryMiB: 1024 }),
    ];
    const run = await call('POST', `/api/hosts/${cascade}/evacuation`, {
      dryRun: false,
      targetHostIds: [broadwell],
      options: { maxBandwidthMBps: 20 },
    });
    expect(run.status).toBe(200);
    const { job, migrations } = run.json as { job: { id: string }; migrations: string[] };
    expect(migrations.length).toBeGreaterThanOrEqual(3);
    await until(async () => (await Promise.all(migrations.map(read))).some((m) => m.state === 'running'), 20_000, 'one running');
    expect((await call('POST', `/api/jobs/${job.id}/cancel`)).status).toBe(200);
    const ended = await Promise.all(migrations.map((id) => settled(id, 60_000)));
    expect(ended.every((migration) => migration.state === 'cancelled')).toBe(true);
    for (const vm of mine) expect(await whereIs(vm.id)).toEqual([{ hostId: cascade, state: 'running' }]);
    await until(
      async () => ((await call('GET', `/api/jobs/${job.id}`)).json as { state: string }).state === 'cancelled',
      15_000,
      'the job cancelled',
    );
  });

  it('plans a rebalance that narrows the spread, then applies it', async () => {
    const dry = await call('POST', '/api/migrations/rebalance', { hostIds, dryRun: true, maxMoves: 5 });
    expect(dry.status).toBe(200);
    const plan = MovePlan.parse((dry.json as { plan: unknown }).plan);
    expect(plan.before.hosts.length).toBe(3);
    expect(plan.moves.length).toBeGreaterThan(0); // the evacuation left one host nearly empty
    const unevenness = (spread: typeof plan.before) => Math.max(spread.memorySpread, spread.cpuSpread);
    expect(unevenness(plan.after)).toBeLessThan(unevenness(plan.before));
    const run = await call('POST', '/api/migrations/rebalance', { hostIds, dryRun: false, maxMoves: 5 });
    const { migrations } = run.json as { migrations: string[] };
    expect(migrations.length).toBeGreaterThan(0);
    for (const id of migrations) expect((await settled(id, 90_000)).state).toBe('succeeded');
    const history = (await call('GET', '/api/migrations?state=succeeded&limit=1000')).json as {
      items: Migration[];
      total: number;
    };
    expect(history.items.filter((item) => item.origin === 'rebalance').length).toBe(migrations.length);
  });

  it('keeps the history paged and filterable, and shows a user only the migrations of VMs they may view', async () => {
    const [broadwell] = hostIds as [string];
    const page = (await call('GET', `/api/migrations?hostId=${broadwell}&limit=2`)).json as {
      items: Migration[];
      nextCursor: string | null;
      total: number;
    };
    expect(page.items.length).toBe(2);
    expect(page.total).toBeGreaterThan(2);
    expect(page.items.every((item) => item.source.id === broadwell || item.target.id === broadwell)).toBe(true);
    const next = (await call('GET', `/api/migrations?hostId=${broadwell}&limit=2&cursor=${page.nextCursor ?? ''}`)).json as {
      items: Migration[];
    };
    expect(next.items.map((item) => item.id)).not.toContain(page.items[0]?.id);

    const user = (await call('POST', '/api/users', { username: 'vm-viewer', password: PASSWORD })).json as { id: string };
    const roles = ((await call('GET', '/api/roles')).json as { items: { id: string; name: string }[] }).items;
    const someVm = page.items[0] as Migration;
    const bound = await call('POST', '/api/role-bindings', {
      subjectType: 'user',
      subjectId: user.id,
      roleId: roles.find((role) => role.name === 'Viewer')?.id,
      scope: `/vms/${someVm.vmId}`,
    });
    expect(bound.status).toBe(201);
    const viewer = await signedIn(api, PASSWORD, 'vm-viewer');
    const seen = (await viewer('GET', '/api/migrations?limit=1000')).json as { items: Migration[] };
    expect(seen.items.length).toBeGreaterThan(0);
    expect(seen.items.every((item) => item.vmId === someVm.vmId)).toBe(true);
    // A viewer may ask pre-flight (the permissions check says no) but not migrate or cancel.
    const other = hostIds.find((id) => id !== someVm.target.id) as string;
    const answer = await viewer('POST', '/api/migrations/preflight', { vmId: someVm.vmId, targetHostId: other, options: {} });
    expect(answer.status).toBe(200);
    expect(Preflight.parse(answer.json).checks.find((check) => check.check === 'permissions')?.outcome).toBe('fail');
    expect((await viewer('POST', '/api/migrations', { vmId: someVm.vmId, targetHostId: other, options: {} })).status).toBe(403);
    const hidden = (await call('GET', '/api/migrations?limit=1000')).json as { items: Migration[] };
    const notTheirs = hidden.items.find((item) => item.vmId !== someVm.vmId) as Migration;
    expect((await viewer('GET', `/api/migrations/${notTheirs.id}`)).status).toBe(404);
    expect((await viewer('GET', `/api/migrations/${notTheirs.id}/`)).status).toBe(404);
    expect(
      (await viewer('POST', '/api/migrations/preflight', { vmId: notTheirs.vmId, targetHostId: other, options: {} })).status,
    ).toBe(404);

    // A token narrower than its owner: vm.migrate on one VM only. Another VM is hidden (404); its
    // own VM may not go to a host outside the token (404); with vm.view only, migrating is 403.
    const narrow = async (permissions: string[]) => {
      const made = await call('POST', '/api/tokens', {
        name: `narrow-${permissions.join('-')}`,
        permissions,
        scope: `/vms/${someVm.vmId}`,
      });
      expect(made.status).toBe(201);
      const token = (made.json as { token: string }).token;
      return (method: string, path: string, body?: unknown) =>
        fetch(`${api.url}${path}`, {
          method,
          headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
          body: body === undefined ? undefined : JSON.stringify(body),
        }).then((response) => response.status);
    };
    const migrateOnly = await narrow(['vm.view', 'vm.migrate']);
    const before = await migrationCount();
    expect(await migrateOnly('POST', '/api/migrations', { vmId: notTheirs.vmId, targetHostId: other, options: {} })).toBe(404);
    expect(await migrateOnly('POST', '/api/migrations', { vmId: someVm.vmId, targetHostId: other, options: {} })).toBe(404);
    expect(await migrateOnly('POST', `/api/migrations/${notTheirs.id}/cancel`)).toBe(404);
    expect(await migrateOnly('PATCH', `/api/migrations/${notTheirs.id}`, { maxBandwidthMBps: 5 })).toBe(404);
    expect(await migrateOnly('POST', `/api/hosts/${other}/evacuation`, { dryRun: true })).toBe(404);
    const viewOnly = await narrow(['vm.view']);
    expect(await viewOnly('POST', '/api/migrations', { vmId: someVm.vmId, targetHostId: other, options: {} })).toBe(403);
    expect(await viewOnly('GET', `/api/migrations/${someVm.id}`)).toBe(200); // positive control: it may view its own
    // Malformed strings and huge values: 400, never a 500.
    expect(await migrateOnly('POST', '/api/migrations', { vmId: `${someVm.vmId}\u0000`, targetHostId: other })).toBe(400);
    expect(await migrateOnly('POST', '/api/migrations', { vmId: '\ud800', targetHostId: other })).toBe(400);
    expect(
      await migrateOnly('POST', '/api/migrations', {
        vmId: someVm.vmId,
        targetHostId: other,
        options: { maxBandwidthMBps: 1e308 },
      }),
    ).toBe(400);
    expect(
      await migrateOnly('POST', '/api/migrations/preflight/matrix', { vmIds: Array(501).fill(someVm.vmId), options: {} }),
    ).toBe(400);
    expect(await migrationCount()).toBe(before);
  });
});
