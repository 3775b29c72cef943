import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MetricsStore } from '@cockpit/api-metrics';
import { ErrorResponse, FleetSummary, FleetVm, Host, HostDetail, MetricsSeries, pageOf } from '@cockpit/contracts';
import { freePort } from '@cockpit/embedded-postgres';
import { startVaporFleet, type FleetHost, type RunningFleet } from '@cockpit/dev-testing';
import { VaporClient } from '@cockpit/vapor-client';
import { signedIn, until, type Call } from '../test/sign-in.js';
import { startTestApi, type TestApi } from '../test/test-app.js';

const PASSWORD = 'inventory-admin-password';

describe('the collector: live inventory, event stream, faults and metrics, against a real fleet over HTTPS', () => {
  let api: TestApi;
  let fleet: RunningFleet;
  let adminPort: number;
  let call: Call;
  let first: FleetHost;
  let second: FleetHost;
  const hostIds = new Map<string, string>();
  const agent = (host: FleetHost) => new VaporClient({ baseUrl: host.url, token: host.token, fingerprint: host.fingerprint });
  const fault = async (host: FleetHost, body: Record<string, unknown>) => {
    const response = await fetch(`http://127.0.0.1:${adminPort}/hosts/${host.uuid}/faults`, {
      method: 'POST',
      // The admin obeys only the agent's own token (and refuses browsers: no Origin, JSON only).
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${host.token}` },
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(200);
  };
  const host = async (fleetHost: FleetHost) =>
    HostDetail.parse((await call('GET', `/api/hosts/${hostIds.get(fleetHost.uuid) ?? ''}`)).json);
  const vms = async (fleetHost?: FleetHost) =>
    pageOf(FleetVm).parse((await call('GET', `/api/vms${fleetHost ? `?hostId=${hostIds.get(fleetHost.uuid) ?? ''}` : ''}`)).json)
      .items;

  beforeAll(async () => {
    adminPort = await freePort();
    [api, fleet] = await Promise.all([
      startTestApi({ COCKPIT_ADMIN_PASSWORD: PASSWORD, INSTANCE_ID: 'api-inventory' }),
      startVaporFleet({ hosts: 2, vmsPerHost: 3, args: ['--stats-interval-ms', '500', '--admin-port', String(adminPort)] }),
    ]);
    call = await signedIn(api, PASSWORD);
    [first, second] = fleet.hosts as [FleetHost, FleetHost];
    for (const fleetHost of [first, second]) {
      const enrolled = await call('POST', '/api/hosts', {
        url: fleetHost.url,
        token: fleetHost.token,
        fingerprint: fleetHost.fingerprint,
      });
      expect(enrolled.status).toBe(201);
      hostIds.set(fleetHost.uuid, Host.parse(enrolled.json).id);
    }
  });
  afterAll(async () => {
    await api?.close();
    await fleet?.stop();
  });

  it('pulls each host’s hardware, pools, bridges and VMs (with disks and NICs) into the inventory', async () => {
    await until(async () => (await vms()).length === 6, 10_000, 'six VMs');
    for (const fleetHost of [first, second]) {
      const [detail, reported, theirs] = await Promise.all([
        host(fleetHost),
        agent(fleetHost).host(),
        agent(fleetHost).listVms(),
      ]);
      expect(detail).toMatchObject({ state: 'connected', name: reported.hostname, vmCount: 3, ownerInstance: 'api-inventory' });
      expect(detail.hardware?.cpu).toEqual(reported.cpu);
      expect(detail.pools.map((p) => p.id).sort()).toEqual(reported.pools.map((p) => p.id).sort());
      expect(detail.networks.map((n) => n.id).sort()).toEqual(reported.networks.map((n) => n.id).sort());
      const ours = await vms(fleetHost);
      expect(ours.map((vm) => vm.id).sort()).toEqual(theirs.map((vm) => vm.id).sort());
      for (const vm of theirs) {
        const mine = ours.find((candidate) => candidate.id === vm.id);
        expect(mine).toMatchObject({ name: vm.name, state: vm.state, vcpus: vm.vcpus, disks: vm.disks, nics: vm.nics });
      }
    }
  });

  it('applies VM changes from the event stream as they happen', async () => {
    const created = await agent(first).createVm({ name: 'evented', vcpus: 1, memoryMiB: 256 });
    await until(async () => (await vms(first)).some((vm) => vm.id === created.id), 3000, 'created VM seen');
    await agent(first).act(created.id, 'start');
    await until(
      async () => (await vms(first)).find((vm) => vm.id === created.id)?.state === 'running',
      3000,
      'running state seen',
    );
    await agent(first).act(created.id, 'poweroff');
    await agent(first).deleteVm(created.id, {});
    await until(async () => !(await vms(first)).some((vm) => vm.id === created.id), 3000, 'deleted VM gone');
  });

  it('resumes the stream after a drop without missing what happened meanwhile', async () => {
    const [victim] = await agent(first).listVms();
    if (!victim) throw new Error('no VM');
    await fault(first, { dropEvents: true });
    // Changed while the stream is down: only the replay after reconnecting can tell us.
    await agent(first).updateVm(victim.id, { name: 'renamed-while-away' });
    await until(
      async () => (await vms(first)).find((vm) => vm.id === victim.id)?.name === 'renamed-while-away',
      8000,
      'the rename replayed',
    );
    expect((await host(first)).state).toBe('connected');
  });

  it('marks a powered-off host unreachable within 10 s, and resyncs fully when it comes back with a new stream', async () => {
    await fault(first, { powerLoss: true });
    const took = await until(async () => (await host(first)).state === 'unreachable', 10_000, 'unreachable');
    expect(took).toBeLessThan(10_000);
    expect((await host(second)).state).toBe('connected');
    await fault(first, { powerRestore: true, clear: true });
    await until(async () => (await host(first)).state === 'connected', 15_000, 'connected again');
    const theirs = await agent(first).listVms();
    await until(
      async () => {
        const ours = await vms(first);
        return theirs.every((vm) => ours.find((mine) => mine.id === vm.id)?.state === vm.state);
      },
      5000,
      'states resynced',
    );
  });

  it('marks a host that answers garbage `error` with the reason, and leaves the other host alone', async () => {
    await fault(second, { malformed: true });
    await until(async () => (await host(second)).state === 'error', 10_000, 'error state');
    expect((await host(second)).stateReason).toMatch(/not JSON|contract/);
    const before = (await host(first)).stats?.at;
    await until(async () => (await host(first)).stats?.at !== before, 5000, 'the first host still reporting stats');
    expect((await host(first)).state).toBe('connected');
    await fault(second, { clear: true });
    await until(async () => (await host(second)).state === 'connected', 15_000, 'recovered');
  });

  it('marks a host that hangs unreachable within 10 s', async () => {
    await fault(second, { hang: true });
    const took = await until(async () => (await host(second)).state === 'unreachable', 10_000, 'unreachable');
    expect(took).toBeLessThan(10_000);
    expect((await host(second)).stateReason).toMatch(/did not answer|timed out/);
    await fault(second, { clear: true });
    await until(async () => (await host(second)).state === 'connected', 35_000, 'recovered');
  });

  it('writes stats in batches and reads them back at each resolution', async () => {
    const hostId = hostIds.get(first.uuid) ?? '';
    const [vm] = await vms(first);
    if (!vm) throw new Error('no VM');
    await until(async () => (await host(first)).stats !== null, 5000, 'latest stats');
    await until(
      async () => {
        await api.app.get(MetricsStore).flush();
        return MetricsSeries.parse((await call('GET', `/api/hosts/${hostId}/metrics?step=1`)).json).timestamps.length >= 3;
      },
      10_000,
      'raw points',
    );
    const raw = MetricsSeries.parse((await call('GET', `/api/hosts/${hostId}/metrics?step=1`)).json);
    expect(raw.resolution).toBe('raw');
    expect(raw.series.cpuPercent.length).toBe(raw.timestamps.length);
    expect(raw.series.cpuPercent.every((v) => v >= 0 && v <= 100)).toBe(true);

    await api.app.get(MetricsStore).flush();
    await api.app.get(MetricsStore).maintain();
    const minute = MetricsSeries.parse((await call('GET', `/api/hosts/${hostId}/metrics?step=60`)).json);
    expect(minute).toMatchObject({ resolution: '1m', stepSeconds: 60 });
    expect(minute.timestamps.length).toBeGreaterThan(0);
    const from = new Date(Date.now() - 7 * 86_400_000).toISOString();
    const hour = MetricsSeries.parse((await call('GET', `/api/hosts/${hostId}/metrics?from=${from}&step=3600`)).json);
    expect(hour).toMatchObject({ resolution: '1h', stepSeconds: 3600 });
    expect(hour.timestamps.length).toBeGreaterThan(0);
    // A week at one-minute steps comes from the 1-minute rollups, not raw samples.
    expect(MetricsSeries.parse((await call('GET', `/api/hosts/${hostId}/metrics?from=${from}&step=600`)).json).resolution).toBe(
      '1m',
    );

    const vmSeries = MetricsSeries.parse((await call('GET', `/api/vms/${vm.id}/metrics?step=1`)).json);
    expect(vmSeries.timestamps.length).toBeGreaterThan(0);

    expect(api.app.get(MetricsStore).written).toBeGreaterThan(0);
  });

  it('refuses bad metrics queries with a clear 400', async () => {
    const hostId = hostIds.get(first.uuid) ?? '';
    const backwards = await call('GET', `/api/hosts/${hostId}/metrics?from=2026-11-22T10:00:00Z&to=2026-11-22T09:00:00Z`);
    expect(backwards.status).toBe(400);
    const dayAgo = new Date(Date.now() - 23 * 3_600_000).toISOString();
    const tooMany = await call('GET', `/api/hosts/${hostId}/metrics?from=${dayAgo}&step=1`);
    expect(tooMany.status).toBe(400);
    expect(ErrorResponse.parse(tooMany.json).message).toMatch(/at most 10000/);
    expect((await call('GET', '/api/hosts/00000000-0000-4000-8000-000000000000/metrics')).status).toBe(404);
  });

  it('drops whole partitions past retention', async () => {
    const store = api.app.get(MetricsStore);
    await store.flush();
    const rawBefore = await store.partitions('host', 'raw');
    expect(rawBefore.length).toBeGreaterThan(0);
    const dropped = await store.dropExpired(new Date(Date.now() + 3 * 86_400_000));
    expect(dropped).toEqual(expect.arrayContaining(rawBefore));
    expect(await store.partitions('host', 'raw')).toEqual([]);
    expect((await store.partitions('host', '1m')).length).toBeGreaterThan(0); // kept 30 days
    expect(await store.dropExpired(new Date(Date.now() + 400 * 86_400_000))).toEqual(
      expect.arrayContaining([...(await store.partitions('host', '1h'))]),
    );
  });

  it('shows the fleet summary and lists only what a scoped viewer may see', async () => {
    const summary = FleetSummary.parse((await call('GET', '/api/fleet/summary')).json);
    expect(summary.hosts.total).toBe(2);
    expect(summary.vms.total).toBe(6);

    const viewerPassword = 'scoped-viewer-password';
    const user = (await call('POST', '/api/users', { username: 'scoped', password: viewerPassword })).json as { id: string };
    const roles = ((await call('GET', '/api/roles')).json as { items: { id: string; name: string }[] }).items;
    const viewer = roles.find((role) => role.name === 'Viewer');
    const firstId = hostIds.get(first.uuid) ?? '';
    const secondId = hostIds.get(second.uuid) ?? '';
    expect(
      (
        await call('POST', '/api/role-bindings', {
          subjectType: 'user',
          subjectId: user.id,
          roleId: viewer?.id,
          scope: `/hosts/${firstId}`,
        })
      ).status,
    ).toBe(201);
    const scoped = await signedIn(api, viewerPassword, 'scoped');
    const visible = pageOf(Host).parse((await scoped('GET', '/api/hosts')).json).items;
    expect(visible.map((h) => h.id)).toEqual([firstId]);
    expect((await scoped('GET', `/api/hosts/${secondId}`)).status).toBe(404);
    expect((await scoped('GET', `/api/hosts/${secondId}/metrics`)).status).toBe(404);
    const theirVms = pageOf(FleetVm).parse((await scoped('GET', '/api/vms')).json).items;
    expect(theirVms.length).toBeGreaterThan(0);
    expect(theirVms.every((vm) => vm.hostId === firstId)).toBe(true);
    expect(FleetSummary.parse((await scoped('GET', '/api/fleet/summary')).json).hosts.total).toBe(1);
    // Scoped access lets them ask, not change: managing hosts still needs host.manage on '/'.
    expect((await scoped('PATCH', `/api/hosts/${firstId}`, { enabled: false })).status).toBe(403);
  });
});
