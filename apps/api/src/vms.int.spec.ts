import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { freePort } from '@cockpit/embedded-postgres';
import { ErrorResponse, FleetVm, Host, type CreateVmBody } from '@cockpit/contracts';
import { queryRows, startVaporFleet, type FleetHost, type RunningFleet } from '@cockpit/dev-testing';
import { VaporClient } from '@cockpit/vapor-client';
import { signedIn, until, type Call } from '../test/sign-in.js';
import { startTestApi, type TestApi } from '../test/test-app.js';

const PASSWORD = 'vms-lifecycle-admin-password';
const GiB = 1024 ** 3;

/** A VM's whole life through Cockpit's REST API, on a real sim fleet over HTTPS. */
describe('VM lifecycle through the api', () => {
  let api: TestApi;
  let fleet: RunningFleet;
  let adminPort: number;
  let call: Call;
  const hostIds: string[] = [];
  const agents = new Map<string, { host: FleetHost; client: VaporClient }>();

  const vmOf = (answer: { json: unknown }) => FleetVm.parse((answer.json as { vm: unknown }).vm);
  const errorOf = (answer: { json: unknown }) => ErrorResponse.parse(answer.json).message;
  const onHost = (hostId: string) => {
    const agent = agents.get(hostId);
    if (!agent) throw new Error(`no agent for ${hostId}`);
    return agent;
  };
  const fault = async (hostId: string, body: Record<string, unknown>) => {
    const { host } = onHost(hostId);
    const response = await fetch(`http://127.0.0.1:${adminPort}/hosts/${host.uuid}/faults`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${host.token}` },
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(200);
  };
  const audited = async (action: string, result: string) =>
    Number(
      (
        await queryRows(api.databaseUrl, 'SELECT count(*)::int AS n FROM audit_log WHERE action = $1 AND result = $2', [
          action,
          result,
        ])
      )[0]?.['n'],
    );
  const spec = (name: string, extra: Partial<CreateVmBody> = {}): CreateVmBody => ({
    name,
    vcpus: 2,
    memoryMiB: 2048,
    disks: [{ poolId: 'local', sizeBytes: 10 * GiB }],
    nics: [{ networkId: 'br-mgmt' }],
    ...extra,
  });

  beforeAll(async () => {
    adminPort = await freePort();
    [api, fleet] = await Promise.all([
      startTestApi({ COCKPIT_ADMIN_PASSWORD: PASSWORD }),
      startVaporFleet({ hosts: 2, vmsPerHost: 2, args: ['--admin-port', String(adminPort)] }),
    ]);
    call = await signedIn(api, PASSWORD);
    for (const host of fleet.hosts) {
      const enrolled = await call('POST', '/api/hosts', { url: host.url, token: host.token, fingerprint: host.fingerprint });
      const id = Host.parse(enrolled.json).id;
      hostIds.push(id);
      agents.set(id, { host, client: new VaporClient({ baseUrl: host.url, token: host.token, fingerprint: host.fingerprint }) });
    }
    await until(
      async () => (await queryRows(api.databaseUrl, 'SELECT state FROM hosts')).every((row) => row['state'] === 'connected'),
      15_000,
      'hosts connected',
    );
  }, 60_000);
  afterAll(async () => {
    await api?.close();
    await fleet?.stop();
  });

  it('places a new VM on a host that passes every check, says why, and the host has it', async () => {
    const created = await call('POST', '/api/vms', spec('placed-1', { start: true }));
    expect(created.status).toBe(201);
    const { placement } = created.json as { placement: { hostId: string; chosen: string; reason: string } };
    expect(placement.chosen).toBe('placed');
    expect(placement.reason).toMatch(/most free memory/);
    const vm = vmOf(created);
    expect(vm).toMatchObject({ name: 'placed-1', hostId: placement.hostId, state: 'running', vcpus: 2, memoryMiB: 2048 });
    const onAgent = await onHost(placement.hostId).client.getVm(vm.id);
    expect(onAgent.state).toBe('running');
    expect((await call('GET', `/api/vms/${vm.id}`)).status).toBe(200);
    expect(await audited('createVm', 'success')).toBe(1);
  });

  it('creates on a named host and relays the host’s refusals: name taken, unknown pool; nothing half-created', async () => {
    const [hostA] = hostIds as [string];
    const first = await call('POST', '/api/vms', spec('named-1', { hostId: hostA }));
    expect(first.status).toBe(201);
    expect((first.json as { placement: { chosen: string } }).placement.chosen).toBe('asked');
    const before = (await onHost(hostA).client.listVms()).length;
    const clash = await call('POST', '/api/vms', spec('named-1', { hostId: hostA }));
    expect(clash.status).toBe(409);
    expect(errorOf(clash)).toMatch(/named-1/);
    const noPool = await call(
      'POST',
      '/api/vms',
      spec('named-2', { hostId: hostA, disks: [{ poolId: 'no-such-pool', sizeBytes: GiB }] }),
    );
    expect([404, 409]).toContain(noPool.status);
    expect(errorOf(noPool)).toMatch(/no-such-pool/);
    expect((await onHost(hostA).client.listVms()).length).toBe(before);
    expect(await audited('createVm', 'failure')).toBeGreaterThanOrEqual(2);
  });

  it('refuses to place what no host can take, naming each host’s reason', async () => {
    const tooBig = await call('POST', '/api/vms', spec('huge', { memoryMiB: 4 * 1024 * 1024, start: true }));
    expect(tooBig.status).toBe(409);
    expect(errorOf(tooBig)).toMatch(/No host can take this VM: .*MiB free/);
    const noBridge = await call('POST', '/api/vms', spec('lost', { nics: [{ networkId: 'br-nowhere' }] }));
    expect(noBridge.status).toBe(409);
    expect(errorOf(noBridge)).toMatch(/no bridge "br-nowhere"/);
  });

  it('edits a running VM: name at once, vCPUs at next boot; If-Match refuses a lost update with 412', async () => {
    const vm = vmOf(await call('POST', '/api/vms', spec('edit-me', { start: true, hostId: hostIds[1] })));
    const stale = vm.generation;
    expect((await call('GET', `/api/vms/${vm.id}`)).headers?.get('etag')).toBe(`"${stale}"`);
    const edited = await call('PATCH', `/api/vms/${vm.id}`, { name: 'edited', vcpus: 4 }, { 'If-Match': `"${stale}"` });
    expect(edited.status).toBe(200);
    const answer = edited.json as { appliedNow: string[]; appliesAtNextBoot: string[] };
    expect(answer.appliedNow).toEqual(['name']);
    expect(answer.appliesAtNextBoot).toEqual(['vcpus']);
    const after = vmOf(edited);
    expect(after).toMatchObject({ name: 'edited', vcpus: 2, pendingChanges: { vcpus: 4 } });
    expect(after.generation).toBeGreaterThan(stale);

    const lost = await call('PATCH', `/api/vms/${vm.id}`, { name: 'lost-update' }, { 'If-Match': `"${stale}"` });
    expect(lost.status).toBe(412);
    expect(errorOf(lost)).toMatch(new RegExp(`generation ${after.generation}`));
    expect((await onHost(vm.hostId).client.getVm(vm.id)).name).toBe('edited');
    const bad = await call('PATCH', `/api/vms/${vm.id}`, { name: 'x' }, { 'If-Match': 'yesterday' });
    expect(bad.status).toBe(400);

    // The staged vCPUs apply at the next cold start, not before.
    expect((await call('POST', `/api/vms/${vm.id}/actions`, { action: 'reboot' })).status).toBe(200);
    expect(FleetVm.parse((await call('GET', `/api/vms/${vm.id}`)).json).vcpus).toBe(2);
    expect((await call('POST', `/api/vms/${vm.id}/actions`, { action: 'poweroff' })).status).toBe(200);
    const started = await call('POST', `/api/vms/${vm.id}/actions`, { action: 'start' });
    expect(started.status).toBe(200);
    expect(vmOf(started)).toMatchObject({ state: 'running', vcpus: 4, pendingChanges: {} });
  });

  it('runs every action, answers with the host’s state, and refuses what the state does not allow', async () => {
    const vm = vmOf(await call('POST', '/api/vms', spec('actor', { start: true, hostId: hostIds[0] })));
    const act = async (action: string, body: Record<string, unknown> = {}) =>
      call('POST', `/api/vms/${vm.id}/actions`, { action, ...body });
    const expectState = async (action: string, state: string) => {
      const answer = await act(action);
      expect({ action, status: answer.status }).toEqual({ action, status: 200 });
      expect((answer.json as { state: string }).state).toBe(state);
      expect((await onHost(vm.hostId).client.getVm(vm.id)).state).toBe(state);
    };
    await expectState('pause', 'paused');
    await expectState('resume', 'running');
    await expectState('reboot', 'running');
    await expectState('reset', 'running');
    const again = await act('start');
    expect(again.status).toBe(409);
    expect(errorOf(again)).toMatch(/already running/);
    await expectState('shutdown', 'shutoff');
    await expectState('start', 'running');
    await expectState('poweroff', 'shutoff');
    expect(await audited('actOnVm', 'success')).toBeGreaterThanOrEqual(7);
    expect(await audited('actOnVm', 'failure')).toBeGreaterThanOrEqual(1);
  });

  it('fails a shutdown the guest ignores after its timeout, with the VM still running', async () => {
    const vm = vmOf(await call('POST', '/api/vms', spec('stubborn', { start: true, hostId: hostIds[0] })));
    await fault(vm.hostId, { ignoreAcpi: { vmId: vm.id, ignore: true } });
    const started = Date.now();
    const answer = await call('POST', `/api/vms/${vm.id}/actions`, { action: 'shutdown', timeoutSeconds: 2 });
    expect(answer.status).toBe(409);
    expect(errorOf(answer)).toMatch(/did not shut down within 2 s/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
    expect((await onHost(vm.hostId).client.getVm(vm.id)).state).toBe('running');
    // Positive control: once the guest listens again, the same request shuts it down.
    await fault(vm.hostId, { ignoreAcpi: { vmId: vm.id, ignore: false } });
    const obeyed = await call('POST', `/api/vms/${vm.id}/actions`, { action: 'shutdown', timeoutSeconds: 10 });
    expect(obeyed.status).toBe(200);
    expect((obeyed.json as { state: string }).state).toBe('shutoff');
  });

  it('fails an action clearly when the host breaks mid-way, and reads the VM’s true state again', async () => {
    const vm = vmOf(await call('POST', '/api/vms', spec('flaky', { hostId: hostIds[0] })));
    await fault(vm.hostId, {
      nextRequests: { count: 1, routeId: 'actOnVm', refuse: { status: 502, message: 'hypervisor went away' } },
    });
    const broken = await call('POST', `/api/vms/${vm.id}/actions`, { action: 'start' });
    expect(broken.status).toBe(502);
    expect(errorOf(broken)).toMatch(/flaky is shutoff now \(read again from its host\)/);
    // Positive control: the next request reaches the host and the VM starts.
    const retried = await call('POST', `/api/vms/${vm.id}/actions`, { action: 'start' });
    expect(retried.status).toBe(200);
    expect((retried.json as { state: string }).state).toBe('running');
  });

  it('takes, lists, reverts and deletes snapshots', async () => {
    const vm = vmOf(await call('POST', '/api/vms', spec('snappy', { start: true, hostId: hostIds[1] })));
    const taken = await call('POST', `/api/vms/${vm.id}/snapshots`, { name: 'before', memory: true });
    expect(taken.status).toBe(201);
    const { snapshot } = taken.json as { snapshot: { id: string; name: string; memory: boolean } };
    expect(snapshot).toMatchObject({ name: 'before', memory: true });
    expect(vmOf(taken).snapshotCount).toBe(1);
    const clash = await call('POST', `/api/vms/${vm.id}/snapshots`, { name: 'before', memory: false });
    expect(clash.status).toBe(409);

    const listed = await call('GET', `/api/vms/${vm.id}/snapshots`);
    expect(listed.status).toBe(200);
    expect((listed.json as { items: { id: string }[]; total: number }).total).toBe(1);

    expect((await call('PATCH', `/api/vms/${vm.id}`, { memoryMiB: 3072 })).status).toBe(200);
    expect((await call('POST', `/api/vms/${vm.id}/actions`, { action: 'poweroff' })).status).toBe(200);
    const reverted = await call('POST', `/api/vms/${vm.id}/snapshots/${snapshot.id}/revert`);
    expect(reverted.status).toBe(200);
    expect(FleetVm.parse(reverted.json)).toMatchObject({ memoryMiB: 2048, state: 'running' });

    const removed = await call('DELETE', `/api/vms/${vm.id}/snapshots/${snapshot.id}`);
    expect(removed.status).toBe(200);
    expect(FleetVm.parse(removed.json).snapshotCount).toBe(0);
    expect((await onHost(vm.hostId).client.listSnapshots(vm.id)).length).toBe(0);
    expect(await audited('createVmSnapshot', 'success')).toBe(1);
    expect(await audited('revertVmSnapshot', 'success')).toBe(1);
    expect(await audited('deleteVmSnapshot', 'success')).toBe(1);
  });

  it('deletes only a VM that is off, keeping or removing its disks', async () => {
    const vm = vmOf(await call('POST', '/api/vms', spec('doomed', { start: true, hostId: hostIds[0] })));
    const running = await call('DELETE', `/api/vms/${vm.id}`);
    expect(running.status).toBe(409);
    expect((await call('GET', `/api/vms/${vm.id}`)).status).toBe(200);
    expect((await call('POST', `/api/vms/${vm.id}/actions`, { action: 'poweroff' })).status).toBe(200);
    const gone = await call('DELETE', `/api/vms/${vm.id}?keepDisks=false`);
    expect(gone.status).toBe(200);
    expect(gone.json).toEqual({ deleted: true, keptDisks: false });
    expect((await call('GET', `/api/vms/${vm.id}`)).status).toBe(404);
    await expect(onHost(vm.hostId).client.getVm(vm.id)).rejects.toThrow(/404|No VM|not/i);
  });

  it('checks access on the VM or its host: 403 where it may be seen, 404 where not, nothing done', async () => {
    const [hostA, hostB] = hostIds as [string, string];
    const user = (await call('POST', '/api/users', { username: 'vm-viewer', password: PASSWORD })).json as { id: string };
    const roles = ((await call('GET', '/api/roles')).json as { items: { id: string; name: string }[] }).items;
    const viewer = roles.find((role) => role.name === 'Viewer');
    if (!viewer) throw new Error('no Viewer role');
    expect(
      (
        await call('POST', '/api/role-bindings', {
          subjectType: 'user',
          subjectId: user.id,
          roleId: viewer.id,
          scope: `/hosts/${hostA}`,
        })
      ).status,
    ).toBe(201);
    const lesser = await signedIn(api, PASSWORD, 'vm-viewer');
    const [onA] = await queryRows(api.databaseUrl, `SELECT id, state FROM vms WHERE host_id = $1 ORDER BY name LIMIT 1`, [hostA]);
    const [onB] = await queryRows(api.databaseUrl, `SELECT id FROM vms WHERE host_id = $1 ORDER BY name LIMIT 1`, [hostB]);
    const a = String(onA?.['id']);
    const b = String(onB?.['id']);
    const before = (await onHost(hostA).client.getVm(a)).generation;

    expect((await lesser('POST', `/api/vms/${a}/actions`, { action: 'reboot' })).status).toBe(403);
    expect((await lesser('PATCH', `/api/vms/${a}`, { name: 'hijack' })).status).toBe(403);
    expect((await lesser('POST', `/api/vms/${a}/snapshots`, { name: 's', memory: false })).status).toBe(403);
    expect((await lesser('DELETE', `/api/vms/${a}`)).status).toBe(403);
    expect((await lesser('POST', `/api/vms/${b}/actions`, { action: 'reboot' })).status).toBe(404);
    expect((await lesser('GET', `/api/vms/${b}/snapshots`)).status).toBe(404);
    expect((await lesser('POST', '/api/vms', spec('sneak', { hostId: hostB }))).status).toBe(403);
    // Encodings and trailing slashes reach the same guard.
    expect((await lesser('POST', `/api/vms/${a}/actions/`, { action: 'reboot' })).status).toBe(403);
    expect((await lesser('POST', `/api/vms/${encodeURIComponent(a)}/actions`, { action: 'reboot' })).status).toBe(403);
    expect((await onHost(hostA).client.getVm(a)).generation).toBe(before);
    // Positive control: the viewer may read what the binding covers.
    expect((await lesser('GET', `/api/vms/${a}/snapshots`)).status).toBe(200);
  });
});
