import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { io as connect, type Socket } from 'socket.io-client';
import { freePort } from '@cockpit/embedded-postgres';
import { CockpitEvent, ErrorResponse, Host, JobSummary, type JobTarget } from '@cockpit/contracts';
import { queryRows, startVaporFleet, type FleetHost, type RunningFleet } from '@cockpit/dev-testing';
import { VaporClient } from '@cockpit/vapor-client';
import {
  actionsReceived,
  agentConcurrency,
  fault,
  finished,
  followAgents,
  jobOf,
  recordedConcurrency,
  slowActions,
  targetsOf,
} from '../test/job-oracles.js';
import { signedIn, until, type Call } from '../test/sign-in.js';
import { startTestApi, type TestApi } from '../test/test-app.js';

const PASSWORD = 'jobs-admin-password';
const HOSTS = 3;
const VMS_PER_HOST = 8;

type JobProgressEvent = Extract<CockpitEvent, { type: 'job.progress' }>;

/**
 * Durable jobs through their first user, bulk VM actions: the api in-process on its own
 * PostgreSQL, a real sim fleet over HTTPS, real HTTP and socket.io. What happened is read from
 * the agents (their VMs, their own event streams, their fault admin's request count), not from
 * Cockpit's answers alone.
 */
describe('durable jobs: bulk VM actions on a sim fleet', () => {
  let api: TestApi;
  let fleet: RunningFleet;
  let adminPort: number;
  let call: Call;
  let agents: Awaited<ReturnType<typeof followAgents>>;
  const hostIds: string[] = [];
  const fleetHost = new Map<string, FleetHost>();
  const clients = new Map<string, VaporClient>();
  const sockets: Socket[] = [];

  const hostOf = (hostId: string) => {
    const host = fleetHost.get(hostId);
    if (!host) throw new Error(`no fleet host for ${hostId}`);
    return host;
  };
  const agent = (hostId: string) => {
    const client = clients.get(hostId);
    if (!client) throw new Error(`no agent for ${hostId}`);
    return client;
  };
  const errorOf = (answer: { json: unknown }) => ErrorResponse.parse(answer.json).message;
  const vmsOn = async (hostId: string) =>
    (await queryRows(api.databaseUrl, 'SELECT id, name FROM vms WHERE host_id = $1 ORDER BY name', [hostId])).map((row) => ({
      id: String(row['id']),
      name: String(row['name']),
      hostId,
    }));
  const jobCount = async () => Number((await queryRows(api.databaseUrl, 'SELECT count(*)::int AS n FROM jobs'))[0]?.['n']);
  /** The VMs' states on their agents. */
  const agentStates = async () => {
    const states = new Map<string, string>();
    for (const hostId of hostIds) for (const vm of await agent(hostId).listVms()) states.set(vm.id, vm.state);
    return states;
  };
  /** Puts VMs in a state directly on their agents, then waits until Cockpit's inventory says so too. */
  const prepare = async (vms: readonly { id: string; hostId: string }[], state: 'running' | 'shutoff') => {
    for (const vm of vms) {
      const now = (await agent(vm.hostId).getVm(vm.id)).state;
      if (now === state) continue;
      if (state === 'running') {
        if (now === 'paused') await agent(vm.hostId).act(vm.id, 'resume');
        else await agent(vm.hostId).act(vm.id, 'start');
      } else await agent(vm.hostId).act(vm.id, 'poweroff');
    }
    const ids = vms.map((vm) => vm.id);
    const stale = async () =>
      queryRows(api.databaseUrl, 'SELECT id, name, state, generation FROM vms WHERE id = ANY($1::uuid[]) AND state <> $2', [
        ids,
        state,
      ]);
    await until(async () => (await stale()).length === 0, 10_000, `inventory shows ${ids.length} VMs ${state}`).catch(
      async (error: Error) => {
        const rows = await stale();
        const onAgents = await Promise.all(
          rows.map(async (row) => {
            const vm = vms.find((candidate) => candidate.id === row['id']);
            const real = vm ? await agent(vm.hostId).getVm(vm.id) : undefined;
            return `${String(row['name'])}: inventory ${String(row['state'])}@${String(row['generation'])}, agent ${real?.state}@${real?.generation}`;
          }),
        );
        throw new Error(`${error.message}: ${onAgents.join('; ')}`);
      },
    );
  };
  const bulk = async (body: Record<string, unknown>, caller: Call = call) => {
    const answer = await caller('POST', '/api/vms/bulk-actions', body);
    if (answer.status !== 202) throw new Error(`bulk action answered ${answer.status}: ${JSON.stringify(answer.json)}`);
    return JobSummary.parse(answer.json);
  };
  const byVm = (targets: readonly JobTarget[]) => new Map(targets.map((target) => [target.targetId, target]));
  const clearFaults = async () => {
    for (const host of fleet.hosts) await fault(adminPort, host, { clear: true });
  };

  const createUser = async (username: string, bindings: { role: string; scope: string }[]) => {
    const user = (await call('POST', '/api/users', { username, password: PASSWORD })).json as { id: string };
    const roles = ((await call('GET', '/api/roles')).json as { items: { id: string; name: string }[] }).items;
    const bindingIds: string[] = [];
    for (const binding of bindings) {
      const roleId = roles.find((role) => role.name === binding.role)?.id;
      const made = await call('POST', '/api/role-bindings', {
        subjectType: 'user',
        subjectId: user.id,
        roleId,
        scope: binding.scope,
      });
      expect(made.status).toBe(201);
      bindingIds.push((made.json as { id: string }).id);
    }
    return { id: user.id, call: await signedIn(api, PASSWORD, username), bindingIds };
  };
  /** A real socket.io client signed in as the user, subscribed to `/` ("everything I may see"). */
  const listener = async (username: string) => {
    const login = await fetch(`${api.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username, password: PASSWORD }),
    });
    const cookie = (login.headers.getSetCookie()[0] ?? '').split(';')[0] ?? '';
    const socket = connect(api.url, {
      path: '/socket.io',
      transports: ['websocket'],
      extraHeaders: { Cookie: cookie },
      reconnection: false,
    });
    sockets.push(socket);
    const events: JobProgressEvent[] = [];
    socket.on('event', (raw: unknown) => {
      const event = CockpitEvent.parse(raw);
      if (event.type === 'job.progress') events.push(event);
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    const reply = await new Promise<{ error?: string }>((resolve) => socket.emit('subscribe', { scopes: ['/'] }, resolve));
    expect(reply.error).toBeUndefined();
    return { events, of: (jobId: string) => events.filter((event) => event.data.jobId === jobId) };
  };

  beforeAll(async () => {
    adminPort = await freePort();
    [api, fleet] = await Promise.all([
      startTestApi({ COCKPIT_ADMIN_PASSWORD: PASSWORD, INSTANCE_ID: 'jobs-int' }),
      startVaporFleet({ hosts: HOSTS, vmsPerHost: VMS_PER_HOST, args: ['--admin-port', String(adminPort)] }),
    ]);
    call = await signedIn(api, PASSWORD);
    for (const host of fleet.hosts) {
      const enrolled = await call('POST', '/api/hosts', { url: host.url, token: host.token, fingerprint: host.fingerprint });
      const id = Host.parse(enrolled.json).id;
      hostIds.push(id);
      fleetHost.set(id, host);
      clients.set(id, new VaporClient({ baseUrl: host.url, token: host.token, fingerprint: host.fingerprint }));
    }
    await until(
      async () =>
        (await queryRows(api.databaseUrl, 'SELECT count(*)::int AS n FROM vms'))[0]?.['n'] === HOSTS * VMS_PER_HOST &&
        (await queryRows(api.databaseUrl, 'SELECT state FROM hosts')).every((row) => row['state'] === 'connected'),
      20_000,
      'hosts connected and synced',
    );
    agents = await followAgents(fleet.hosts);
  }, 60_000);
  afterAll(async () => {
    for (const socket of sockets) socket.disconnect();
    agents?.close();
    await api?.close();
    await fleet?.stop();
  });

  it('starts VMs on several hosts by ids: per-VM results, the job succeeds, the agents run them; those already running succeed as such', async () => {
    const [hostA, hostB] = hostIds as [string, string];
    const onA = (await vmsOn(hostA)).slice(0, 4);
    const onB = (await vmsOn(hostB)).slice(0, 4);
    const off = [...onA.slice(0, 2), ...onB.slice(0, 2)];
    const on = [...onA.slice(2), ...onB.slice(2)];
    await prepare(off, 'shutoff');
    await prepare(on, 'running');
    const since = Date.now();

    const job = await bulk({ action: 'start', vmIds: [...off, ...on].map((vm) => vm.id) });
    expect(job).toMatchObject({ kind: 'vm.bulk-action', title: 'Start 8 VMs', scope: '/', state: 'queued' });
    expect(job.progress).toMatchObject({ total: 8, done: 0 });
    const done = await finished(call, job.id);
    expect(done).toMatchObject({ state: 'succeeded', error: null, attempts: 1, instance: 'jobs-int' });
    expect(done.progress).toEqual({ total: 8, done: 8, succeeded: 8, failed: 0, skipped: 0, cancelled: 0 });
    expect(done.params).toMatchObject({ action: 'start', perHost: 4 });

    const targets = byVm(await targetsOf(call, job.id));
    expect(targets.size).toBe(8);
    for (const vm of off) {
      expect(targets.get(vm.id)).toMatchObject({ state: 'succeeded', label: vm.name, group: vm.hostId });
      expect(targets.get(vm.id)?.message).toMatch(/^running on /);
    }
    for (const vm of on) expect(targets.get(vm.id)).toMatchObject({ state: 'succeeded', message: 'already running' });
    const states = await agentStates();
    for (const vm of [...off, ...on]) expect(states.get(vm.id)).toBe('running');
    // The agents saw exactly one start per stopped VM and none for the others.
    const started = agents.all(since).filter((change) => change.state === 'running');
    expect(started.map((change) => change.vmId).sort()).toEqual(off.map((vm) => vm.id).sort());
  });

  it('powers off by the list’s filter (one host): only that host’s VMs, already-off ones succeed as such', async () => {
    const [hostA, , hostC] = hostIds as [string, string, string];
    const onC = await vmsOn(hostC);
    await prepare(onC.slice(0, 3), 'shutoff');
    await prepare(onC.slice(3), 'running');
    const before = await agentStates();
    const since = Date.now();

    const job = await bulk({ action: 'poweroff', filter: { hostId: hostC } });
    expect(job).toMatchObject({ title: `Power off ${VMS_PER_HOST} VMs`, scope: `/hosts/${hostC}` });
    const done = await finished(call, job.id);
    expect(done.state).toBe('succeeded');
    const targets = byVm(await targetsOf(call, job.id));
    expect([...targets.keys()].sort()).toEqual(onC.map((vm) => vm.id).sort());
    for (const vm of onC.slice(0, 3)) expect(targets.get(vm.id)?.message).toBe('already shutoff');
    for (const vm of onC.slice(3)) expect(targets.get(vm.id)?.message).toMatch(/^shutoff on /);
    const after = await agentStates();
    for (const vm of onC) expect(after.get(vm.id)).toBe('shutoff');
    // Nothing elsewhere moved.
    for (const vm of await vmsOn(hostA)) expect(after.get(vm.id)).toBe(before.get(vm.id));
    expect(new Set(agents.all(since).map((change) => change.vmId))).toEqual(new Set(onC.slice(3).map((vm) => vm.id)));

    // A filter by state and name selects only what matches (here: nothing left running on C).
    const none = await call('POST', '/api/vms/bulk-actions', { action: 'poweroff', filter: { hostId: hostC, state: 'running' } });
    expect(none.status).toBe(409);
    expect(errorOf(none)).toMatch(/selects no VM/);
  });

  it('asks the host when the inventory lags: a VM it says is off but runs succeeds as already running, nothing started twice', async () => {
    const [, hostB] = hostIds as [string, string];
    const [vm] = await vmsOn(hostB);
    if (!vm) throw new Error('fleet too small');
    await prepare([vm], 'running');
    // The inventory says off (as if an event were still on its way); the host knows better.
    await queryRows(api.databaseUrl, "UPDATE vms SET state = 'shutoff' WHERE id = $1", [vm.id]);
    await slowActions(adminPort, hostOf(hostB), 0);
    try {
      const since = Date.now();
      const job = await bulk({ action: 'start', vmIds: [vm.id] });
      const done = await finished(call, job.id);
      expect(done.state).toBe('succeeded');
      expect((await targetsOf(call, job.id))[0]).toMatchObject({ state: 'succeeded', message: 'already running' });
      expect(await actionsReceived(adminPort, hostOf(hostB))).toBe(1); // the one refused start
      expect(agents.of(hostOf(hostB).uuid, since)).toEqual([]);
      await until(
        async () =>
          (await queryRows(api.databaseUrl, 'SELECT state FROM vms WHERE id = $1', [vm.id]))[0]?.['state'] === 'running',
        5000,
        'the inventory corrected',
      );
    } finally {
      await clearFaults();
    }
  });

  it('fails only the targets of a host that refuses, with the host’s reason; the job fails with a count', async () => {
    const [hostA, hostB] = hostIds as [string, string];
    const onA = (await vmsOn(hostA)).slice(0, 4);
    const onB = (await vmsOn(hostB)).slice(0, 4);
    await prepare([...onA, ...onB], 'shutoff');
    await fault(adminPort, hostOf(hostB), {
      nextRequests: {
        count: 100,
        routeId: 'actOnVm',
        refuse: { status: 503, message: 'host in maintenance until 14:00' },
      },
    });
    try {
      const job = await bulk({ action: 'start', vmIds: [...onA, ...onB].map((vm) => vm.id) });
      const done = await finished(call, job.id);
      expect(done).toMatchObject({ state: 'failed', error: '4 of 8 failed' });
      expect(done.progress).toMatchObject({ total: 8, done: 8, succeeded: 4, failed: 4 });
      const targets = byVm(await targetsOf(call, job.id));
      for (const vm of onA) expect(targets.get(vm.id)?.state).toBe('succeeded');
      for (const vm of onB) {
        expect(targets.get(vm.id)?.state).toBe('failed');
        expect(targets.get(vm.id)?.message).toMatch(/host in maintenance until 14:00/);
      }
      const failedOnly = await call('GET', `/api/jobs/${job.id}/targets?state=failed`);
      expect((failedOnly.json as { total: number }).total).toBe(4);
      const states = await agentStates();
      for (const vm of onA) expect(states.get(vm.id)).toBe('running');
      for (const vm of onB) expect(states.get(vm.id)).toBe('shutoff');
    } finally {
      await clearFaults();
    }
  });

  it('never runs more than perHost actions at once on a host (agent-side and recorded), and does run more with a higher limit', async () => {
    const all = (await Promise.all(hostIds.map(vmsOn))).flat();
    await prepare(all, 'shutoff');
    const DELAY = 400;
    for (const host of fleet.hosts) await slowActions(adminPort, host, DELAY);
    try {
      const measure = async (action: 'start' | 'poweroff', perHost: number) => {
        const since = Date.now();
        const job = await bulk({ action, vmIds: all.map((vm) => vm.id), perHost });
        const done = await finished(call, job.id, 60_000);
        expect(done.state).toBe('succeeded');
        const targets = await targetsOf(call, job.id);
        expect(targets.every((target) => target.state === 'succeeded' && !/^already/.test(target.message ?? ''))).toBe(true);
        const recorded = recordedConcurrency(targets);
        const atAgent = hostIds.map((hostId) => agentConcurrency(agents.of(hostOf(hostId).uuid, since), DELAY));
        return { recorded: Math.max(...recorded.values()), atAgent: Math.max(...atAgent), perHostAtAgent: atAgent };
      };
      const low = await measure('start', 2);
      expect(low.recorded).toBeLessThanOrEqual(2);
      expect(low.atAgent).toBeLessThanOrEqual(2);
      // The agent-side bound is tight enough to see the limit itself on every host.
      expect(low.perHostAtAgent).toEqual(hostIds.map(() => 2));

      // Positive control: the same oracles see more at once when the limit allows it.
      const high = await measure('poweroff', 6);
      expect(high.atAgent).toBeGreaterThan(2);
      expect(high.recorded).toBeGreaterThan(2);
      expect(high.recorded).toBeLessThanOrEqual(6);
      expect(high.atAgent).toBeLessThanOrEqual(6);
    } finally {
      await clearFaults();
    }
  });

  it('announces job.progress over socket.io to the actor and to viewers of the job’s scope, not to users bound elsewhere', async () => {
    const [hostA, hostB] = hostIds as [string, string];
    const [vmA1, vmA2, vmA3] = await vmsOn(hostA);
    const [vmB1] = await vmsOn(hostB);
    if (!vmA1 || !vmA2 || !vmA3 || !vmB1) throw new Error('fleet too small');
    await createUser('root-viewer', [{ role: 'Viewer', scope: '/' }]);
    await createUser('a-viewer', [{ role: 'Viewer', scope: `/hosts/${hostA}` }]);
    await createUser('b-viewer', [{ role: 'Viewer', scope: `/hosts/${hostB}` }]);
    // An operator of host A and of one VM on B: their job over both sits at `/`, which they may not view.
    const actor = await createUser('ev-operator', [
      { role: 'Operator', scope: `/hosts/${hostA}` },
      { role: 'Operator', scope: `/vms/${vmB1.id}` },
    ]);
    const [adminL, rootL, aL, bL, actorL] = await Promise.all(
      ['admin', 'root-viewer', 'a-viewer', 'b-viewer', 'ev-operator'].map((name) => listener(name)),
    );
    if (!adminL || !rootL || !aL || !bL || !actorL) throw new Error('listeners');

    // A job on host A only (scope /hosts/A), by the administrator.
    await prepare([vmA1, vmA2], 'shutoff');
    const onA = await bulk({ action: 'start', vmIds: [vmA1.id, vmA2.id] });
    expect(onA.scope).toBe(`/hosts/${hostA}`);
    await finished(call, onA.id);
    const last = (events: JobProgressEvent[]) => events.at(-1)?.data;
    for (const [who, got] of [
      ['admin', adminL],
      ['root-viewer', rootL],
      ['a-viewer', aL],
    ] as const)
      await until(() => last(got.of(onA.id))?.state === 'succeeded', 5000, `${who} saw the job finish`);
    expect(last(aL.of(onA.id))).toMatchObject({ kind: 'vm.bulk-action', progress: { total: 2, done: 2, succeeded: 2 } });
    // Events of one job come in order: done never goes back.
    const dones = adminL.of(onA.id).map((event) => event.data.progress.done);
    expect([...dones].sort((x, y) => x - y)).toEqual(dones);

    // A job at `/` by the operator: theirs (own room) and the root viewer's, not host A's viewer's.
    await prepare([vmA3, vmB1], 'shutoff');
    const mixed = await bulk({ action: 'start', vmIds: [vmA3.id, vmB1.id] }, actor.call);
    expect(mixed.scope).toBe('/');
    expect(mixed.actor).toEqual({ id: actor.id, name: 'ev-operator' });
    await finished(call, mixed.id);
    for (const [who, got] of [
      ['ev-operator', actorL],
      ['root-viewer', rootL],
      ['admin', adminL],
    ] as const)
      await until(() => last(got.of(mixed.id))?.state === 'succeeded', 5000, `${who} saw the mixed job finish`);

    // The host-B viewer got nothing of either; host A's viewer nothing of the job at `/`.
    expect(bL.of(onA.id)).toEqual([]);
    expect(bL.of(mixed.id)).toEqual([]);
    expect(aL.of(mixed.id)).toEqual([]);
    expect(actorL.of(onA.id).length).toBeGreaterThan(0); // the operator views host A: a viewer of that job too
  });

  it('checks access: a VM the caller may not power refuses the whole request, naming it, and nothing runs', async () => {
    const [hostA, hostB, hostC] = hostIds as [string, string, string];
    const [vmA1, vmA2] = await vmsOn(hostA);
    const [vmB1] = await vmsOn(hostB);
    const [vmC1] = await vmsOn(hostC);
    if (!vmA1 || !vmA2 || !vmB1 || !vmC1) throw new Error('fleet too small');
    await prepare([vmA1, vmA2, vmB1, vmC1], 'shutoff');
    const opA = await createUser('op-a', [
      { role: 'Operator', scope: `/hosts/${hostA}` },
      { role: 'Viewer', scope: `/hosts/${hostB}` },
    ]);
    const jobsBefore = await jobCount();
    const since = Date.now();

    const unseen = await opA.call('POST', '/api/vms/bulk-actions', { action: 'start', vmIds: [vmA1.id, vmC1.id] });
    expect(unseen.status).toBe(404);
    expect(errorOf(unseen)).toContain(vmC1.id);
    expect(errorOf(unseen)).toMatch(/nothing was done/);
    const unpowered = await opA.call('POST', '/api/vms/bulk-actions', { action: 'start', vmIds: [vmA1.id, vmB1.id] });
    expect(unpowered.status).toBe(403);
    expect(errorOf(unpowered)).toContain(vmB1.name);
    expect(errorOf(unpowered)).not.toContain(vmA1.name);
    expect(await jobCount()).toBe(jobsBefore);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(agents.all(since)).toEqual([]);
    const states = await agentStates();
    for (const vm of [vmA1, vmB1, vmC1]) expect(states.get(vm.id)).toBe('shutoff');

    // By filter: only what they may power (host A), whatever else the list shows them.
    const everything = await bulk({ action: 'poweroff', filter: {} }, opA.call);
    expect(everything.scope).toBe(`/hosts/${hostA}`);
    expect((await targetsOf(opA.call, everything.id)).every((target) => target.group === hostA)).toBe(true);
    await finished(opA.call, everything.id);
    expect((await agentStates()).get(vmB1.id)).toBe('shutoff');
    expect(
      Number(
        (
          await queryRows(
            api.databaseUrl,
            "SELECT count(*)::int AS n FROM audit_log WHERE action = 'bulkVmActions' AND result = 'failure'",
          )
        )[0]?.['n'],
      ),
    ).toBeGreaterThanOrEqual(2);
  });

  it('shows a job to its actor and its scope’s viewers only; cancel by others is refused', async () => {
    const [hostA, hostB, hostC] = hostIds as [string, string, string];
    const [vmA1, vmA2] = await vmsOn(hostA);
    const [vmB1] = await vmsOn(hostB);
    if (!vmA1 || !vmA2 || !vmB1) throw new Error('fleet too small');
    await prepare([vmA1, vmA2, vmB1], 'shutoff');
    const actor = await createUser('solo-operator', [
      { role: 'Operator', scope: `/hosts/${hostA}` },
      { role: 'Operator', scope: `/vms/${vmB1.id}` },
    ]);
    const aViewer = await createUser('a-watcher', [{ role: 'Viewer', scope: `/hosts/${hostA}` }]);
    const cOperator = await createUser('c-operator', [{ role: 'Operator', scope: `/hosts/${hostC}` }]);

    // Slow, so cancel attempts find it running.
    await slowActions(adminPort, hostOf(hostA), 1500);
    try {
      const onA = await bulk({ action: 'start', vmIds: [vmA1.id, vmA2.id], perHost: 1 }, actor.call);
      expect(onA.scope).toBe(`/hosts/${hostA}`);
      expect((await actor.call('GET', `/api/jobs/${onA.id}`)).status).toBe(200);
      expect((await aViewer.call('GET', `/api/jobs/${onA.id}`)).status).toBe(200);
      expect((await aViewer.call('GET', `/api/jobs/${onA.id}/targets`)).status).toBe(200);
      expect((await cOperator.call('GET', `/api/jobs/${onA.id}`)).status).toBe(404);
      expect((await cOperator.call('GET', `/api/jobs/${onA.id}/targets`)).status).toBe(404);
      // Cancel: someone who cannot see it gets 404, a viewer without job.cancel 403; the job goes on.
      expect((await cOperator.call('POST', `/api/jobs/${onA.id}/cancel`)).status).toBe(404);
      const viewerCancel = await aViewer.call('POST', `/api/jobs/${onA.id}/cancel`);
      expect(viewerCancel.status).toBe(403);
      expect(errorOf(viewerCancel)).toMatch(/job\.cancel/);
      const listedForC = (await cOperator.call('GET', '/api/jobs?limit=1000')).json as { items: { id: string }[] };
      expect(listedForC.items.map((job) => job.id)).not.toContain(onA.id);
      const done = await finished(call, onA.id);
      expect(done.state).toBe('succeeded');
      expect(done.progress.cancelled).toBe(0);
    } finally {
      await clearFaults();
    }

    // A job at `/` (VMs on two hosts) by an actor bound on one host (and one VM): theirs to see;
    // still theirs once the VM binding is gone; not host A's viewer's.
    const mixed = await bulk({ action: 'poweroff', vmIds: [vmA1.id, vmB1.id] }, actor.call);
    expect(mixed.scope).toBe('/');
    await finished(actor.call, mixed.id);
    expect((await call('DELETE', `/api/role-bindings/${actor.bindingIds[1] ?? ''}`)).status).toBe(200);
    const own = await actor.call('GET', `/api/jobs/${mixed.id}`);
    expect(own.status).toBe(200);
    expect((own.json as { actor: { id: string } }).actor.id).toBe(actor.id);
    expect((await actor.call('GET', `/api/jobs/${mixed.id}/targets`)).status).toBe(200);
    const mine = (await actor.call('GET', '/api/jobs?mine=true&limit=1000')).json as { items: { id: string }[] };
    expect(mine.items.map((job) => job.id)).toEqual(expect.arrayContaining([mixed.id]));
    expect((await aViewer.call('GET', `/api/jobs/${mixed.id}`)).status).toBe(404);
    const seenByA = (await aViewer.call('GET', '/api/jobs?limit=1000')).json as { items: { id: string }[] };
    expect(seenByA.items.map((job) => job.id)).not.toContain(mixed.id);
    // Finished: cancelling it is a conflict, for the actor as for the administrator.
    const late = await actor.call('POST', `/api/jobs/${mixed.id}/cancel`);
    expect(late.status).toBe(409);
    expect(errorOf(late)).toMatch(/already failed|already succeeded/);
  });

  it('runs a job for an API token as its owner, never beyond the token’s scope', async () => {
    const [hostA, hostB] = hostIds as [string, string];
    const [vmA1] = await vmsOn(hostA);
    const [vmB1] = await vmsOn(hostB);
    if (!vmA1 || !vmB1) throw new Error('fleet too small');
    await prepare([vmA1, vmB1], 'shutoff');
    const owner = await createUser('token-owner', [{ role: 'Operator', scope: '/' }]);
    const made = await owner.call('POST', '/api/tokens', {
      name: 'bulk-script',
      permissions: ['vm.view', 'vm.power', 'job.view'],
      scope: `/hosts/${hostA}`,
    });
    expect(made.status).toBe(201);
    const bearer = { Authorization: `Bearer ${(made.json as { token: string }).token}` };
    const viaToken: Call = async (method, path, body) => {
      const response = await fetch(`${api.url}${path}`, {
        method,
        headers: { ...bearer, ...(body ? { 'Content-Type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      const text = await response.text();
      return { status: response.status, json: text ? (JSON.parse(text) as unknown) : undefined };
    };
    const job = await bulk({ action: 'start', vmIds: [vmA1.id] }, viaToken);
    expect(job.actor).toEqual({ id: owner.id, name: 'token-owner/bulk-script' });
    expect(job.scope).toBe(`/vms/${vmA1.id}`);
    const done = await finished(viaToken, job.id);
    expect(done.state).toBe('succeeded');
    expect((await agentStates()).get(vmA1.id)).toBe('running');
    // The owner's session sees the token's job as their own.
    const mine = (await owner.call('GET', '/api/jobs?mine=true')).json as { items: { id: string }[] };
    expect(mine.items.map((item) => item.id)).toContain(job.id);
    // The owner may power host B, the token may not: 404 (not even visible through the token), nothing done.
    const before = await jobCount();
    const beyond = await viaToken('POST', '/api/vms/bulk-actions', { action: 'start', vmIds: [vmB1.id] });
    expect(beyond.status).toBe(404);
    expect(await jobCount()).toBe(before);
    expect((await agentStates()).get(vmB1.id)).toBe('shutoff');
    // Without job.cancel the token cannot cancel even its own job.
    expect((await viaToken('POST', `/api/jobs/${job.id}/cancel`)).status).toBe(403);
  });

  it('cancels a slow job mid-way: cancelling, then cancelled; pending targets cancelled; nothing starts after the cancel', async () => {
    const all = (await Promise.all(hostIds.map(vmsOn))).flat();
    await prepare(all, 'shutoff');
    const DELAY = 500;
    for (const host of fleet.hosts) await slowActions(adminPort, host, DELAY);
    try {
      const since = Date.now();
      const job = await bulk({ action: 'start', vmIds: all.map((vm) => vm.id), perHost: 1 });
      await until(async () => (await jobOf(call, job.id)).progress.done >= 4, 20_000, 'a few targets done');
      const cancelled = await call('POST', `/api/jobs/${job.id}/cancel`);
      const cancelAnswered = Date.now();
      expect(cancelled.status).toBe(200);
      expect(JobSummary.parse(cancelled.json).state).toBe('cancelling');
      expect((await call('POST', `/api/jobs/${job.id}/cancel`)).status).toBe(200); // again while cancelling: no change

      const done = await finished(call, job.id);
      expect(done.state).toBe('cancelled');
      const targets = await targetsOf(call, job.id);
      const succeeded = targets.filter((target) => target.state === 'succeeded');
      const dropped = targets.filter((target) => target.state === 'cancelled');
      expect(succeeded.length + dropped.length).toBe(all.length);
      expect(dropped.length).toBeGreaterThan(0);
      expect(done.progress).toMatchObject({
        total: all.length,
        succeeded: succeeded.length,
        cancelled: dropped.length,
        failed: 0,
      });
      for (const target of dropped) expect(target).toMatchObject({ startedAt: null, message: 'cancelled before it started' });
      // No target started once the cancel was answered.
      for (const target of succeeded) expect(Date.parse(target.startedAt ?? '')).toBeLessThan(cancelAnswered);

      // The agents agree: exactly the succeeded ones were asked and run, the cancelled ones never.
      let asked = 0;
      for (const host of fleet.hosts) asked += await actionsReceived(adminPort, host);
      expect(asked).toBe(succeeded.length);
      const states = await agentStates();
      for (const target of succeeded) expect(states.get(target.targetId)).toBe('running');
      for (const target of dropped) expect(states.get(target.targetId)).toBe('shutoff');
      const changes = agents.all(since);
      expect(changes.length).toBe(succeeded.length);
      // What was in flight at the cancel finished within one action's time; nothing came later.
      for (const change of changes) expect(change.at).toBeLessThanOrEqual(cancelAnswered + DELAY + 1000);

      const again = await call('POST', `/api/jobs/${job.id}/cancel`);
      expect(again.status).toBe(409);
      expect(errorOf(again)).toMatch(/already been cancelled/);
    } finally {
      await clearFaults();
    }
  });
});
