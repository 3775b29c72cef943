import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ErrorResponse, FleetVm, Host, pageOf } from '@cockpit/contracts';
import { queryRows, startVaporFleet, type RunningFleet } from '@cockpit/dev-testing';
import { signedIn, until, type Call } from '../test/sign-in.js';
import { startTestApi, type TestApi } from '../test/test-app.js';

const PASSWORD = 'paged-lists-admin-password';
const VmPage = pageOf(FleetVm);
const HostPage = pageOf(Host);

/** Every item of a list, page by page, following nextCursor. */
async function walk(call: Call, path: string): Promise<{ ids: string[]; pages: number; totals: number[] }> {
  const ids: string[] = [];
  const totals: number[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const separator = path.includes('?') ? '&' : '?';
    const answer = await call('GET', `${path}${cursor ? `${separator}cursor=${cursor}` : ''}`);
    expect(answer.status).toBe(200);
    const page = VmPage.parse(answer.json);
    ids.push(...page.items.map((item) => item.id));
    totals.push(page.total);
    cursor = page.nextCursor;
    pages += 1;
  } while (cursor && pages < 100);
  return { ids, pages, totals };
}

describe('paged lists, filtered on the server to what the caller may view', () => {
  let api: TestApi;
  let fleet: RunningFleet;
  let call: Call;
  let viewer: Call;
  const hostIds: string[] = [];

  beforeAll(async () => {
    [api, fleet] = await Promise.all([
      startTestApi({ COCKPIT_ADMIN_PASSWORD: PASSWORD }),
      startVaporFleet({ hosts: 3, vmsPerHost: 7 }),
    ]);
    call = await signedIn(api, PASSWORD);
    for (const host of fleet.hosts) {
      const enrolled = await call('POST', '/api/hosts', { url: host.url, token: host.token, fingerprint: host.fingerprint });
      hostIds.push(Host.parse(enrolled.json).id);
    }
    await until(
      async () => Number((await queryRows(api.databaseUrl, 'SELECT count(*)::int AS n FROM vms'))[0]?.['n']) === 21,
      10_000,
      'inventory synced',
    );
    // A viewer bound on the first host only, plus one VM of the second.
    const user = (await call('POST', '/api/users', { username: 'pager', password: PASSWORD })).json as { id: string };
    const roles = ((await call('GET', '/api/roles')).json as { items: { id: string; name: string }[] }).items;
    const viewerRole = roles.find((role) => role.name === 'Viewer');
    const operatorRole = roles.find((role) => role.name === 'Operator');
    if (!viewerRole || !operatorRole) throw new Error('built-in roles missing');
    const bind = (roleId: string, scope: string) =>
      call('POST', '/api/role-bindings', { subjectType: 'user', subjectId: user.id, roleId, scope });
    expect((await bind(viewerRole.id, `/hosts/${hostIds[0] ?? ''}`)).status).toBe(201);
    const [secondVm] = await queryRows(api.databaseUrl, 'SELECT id FROM vms WHERE host_id = $1 ORDER BY name LIMIT 1', [
      hostIds[1],
    ]);
    expect((await bind(viewerRole.id, `/vms/${String(secondVm?.['id'])}`)).status).toBe(201);
    viewer = await signedIn(api, PASSWORD, 'pager');
  }, 60_000);
  afterAll(async () => {
    await api?.close();
    await fleet?.stop();
  });

  it('walks every VM exactly once with a keyset cursor, in name order, with the total on every page', async () => {
    const { ids, pages, totals } = await walk(call, '/api/vms?limit=4');
    expect(pages).toBe(6);
    expect(new Set(ids).size).toBe(21);
    expect(totals.every((total) => total === 21)).toBe(true);
    const byName = await queryRows(api.databaseUrl, 'SELECT id FROM vms ORDER BY name, id');
    expect(ids).toEqual(byName.map((row) => String(row['id'])));
  });

  it('sorts descending and by other fields, still without repeats', async () => {
    const down = await walk(call, '/api/vms?limit=5&sort=-name');
    const expected = await queryRows(api.databaseUrl, 'SELECT id FROM vms ORDER BY name DESC, id DESC');
    expect(down.ids).toEqual(expected.map((row) => String(row['id'])));
    const byHost = await walk(call, '/api/vms?limit=6&sort=hostName');
    expect(new Set(byHost.ids).size).toBe(21);
    const byCreated = await walk(call, '/api/vms?limit=10&sort=-createdAt');
    expect(new Set(byCreated.ids).size).toBe(21);
  });

  it('filters by state, host and name on the server', async () => {
    const running = VmPage.parse((await call('GET', '/api/vms?state=running&limit=1000')).json);
    const [counted] = await queryRows(api.databaseUrl, "SELECT count(*)::int AS n FROM vms WHERE state = 'running'");
    expect(running.total).toBe(counted?.['n']);
    expect(running.items.every((vm) => vm.state === 'running')).toBe(true);
    const onHost = VmPage.parse((await call('GET', `/api/vms?hostId=${hostIds[2] ?? ''}`)).json);
    expect(onHost.total).toBe(7);
    expect(onHost.items.every((vm) => vm.hostId === hostIds[2])).toBe(true);
    const someName = onHost.items[0]?.name ?? '';
    const named = VmPage.parse(
      (await call('GET', `/api/vms?name=${encodeURIComponent(someName.slice(1, -1).toUpperCase())}`)).json,
    );
    expect(named.items.map((vm) => vm.name)).toContain(someName);
    // Wildcards in the filter are text, not patterns.
    expect(VmPage.parse((await call('GET', '/api/vms?name=%25')).json).total).toBe(0);
  });

  it('shows a scoped viewer only what their bindings cover, with a total to match', async () => {
    const vms = await walk(viewer, '/api/vms?limit=3');
    expect(vms.ids).toHaveLength(8); // 7 on the first host, 1 on the second
    expect(vms.totals.every((total) => total === 8)).toBe(true);
    const hosts = HostPage.parse((await viewer('GET', '/api/hosts')).json);
    expect(hosts.items.map((host) => host.id)).toEqual([hostIds[0]]);
    expect(hosts.total).toBe(1);
    // A viewer of a few hosts is paged host by host: the same VMs, in the same order, as the
    // administrator's list filtered to them, ascending and descending, with a state filter too.
    const theirs = new Set(vms.ids);
    for (const query of ['sort=name', 'sort=-name', 'sort=name&state=running', 'sort=-name&state=shutoff']) {
      const mine = await walk(viewer, `/api/vms?limit=2&${query}`);
      const all = await walk(call, `/api/vms?limit=1000&${query}`);
      expect(mine.ids).toEqual(all.ids.filter((id) => theirs.has(id)));
      expect(new Set(mine.totals)).toEqual(new Set([mine.ids.length]));
    }
  });

  it('lets a token be scoped to a VM under a host its owner holds, and narrows it to that VM', async () => {
    const vmsOnFirst = await queryRows(api.databaseUrl, 'SELECT id FROM vms WHERE host_id = $1 ORDER BY name LIMIT 2', [
      hostIds[0],
    ]);
    const [mine, other] = vmsOnFirst.map((row) => String(row['id']));
    const created = await viewer('POST', '/api/tokens', {
      name: 'one-vm',
      permissions: ['vm.view'],
      scope: `/vms/${mine ?? ''}`,
    });
    expect(created.status).toBe(201);
    const token = (created.json as { token: string }).token;
    const asToken = (path: string) => fetch(`${api.url}${path}`, { headers: { Authorization: `Bearer ${token}` } });
    expect((await asToken(`/api/vms/${mine ?? ''}`)).status).toBe(200);
    expect((await asToken(`/api/vms/${other ?? ''}`)).status).toBe(404);
    const listed = VmPage.parse(await (await asToken('/api/vms')).json());
    expect(listed.items.map((vm) => vm.id)).toEqual([mine]);
    // Positive control of the refusal: a VM on a host the owner does not hold.
    const [foreign] = await queryRows(api.databaseUrl, 'SELECT id FROM vms WHERE host_id = $1 LIMIT 1', [hostIds[2]]);
    const refused = await viewer('POST', '/api/tokens', {
      name: 'not-mine',
      permissions: ['vm.view'],
      scope: `/vms/${String(foreign?.['id'])}`,
    });
    expect(refused.status).toBe(403);
  });

  it('refuses a bad cursor, sort or limit with a 400 naming the field', async () => {
    for (const [query, field] of [
      ['cursor=not-ours', 'query.cursor'],
      [`cursor=${Buffer.from('[1]').toString('base64url')}`, 'query.cursor'],
      ['limit=1001', 'query.limit'],
      ['limit=0', 'query.limit'],
      ['sort=password', 'query.sort'],
    ] as const) {
      const answer = await call('GET', `/api/vms?${query}`);
      expect(answer.status).toBe(400);
      expect(ErrorResponse.parse(answer.json).details?.map((detail) => detail.path)).toContain(field);
    }
  });

  it('checks objects in the guard: hidden is 404, visible without the permission is 403, held is allowed', async () => {
    const [hidden] = await queryRows(api.databaseUrl, 'SELECT id FROM vms WHERE host_id = $1 LIMIT 1', [hostIds[2]]);
    const [visible] = await queryRows(api.databaseUrl, 'SELECT id FROM vms WHERE host_id = $1 LIMIT 1', [hostIds[0]]);
    const hiddenId = String(hidden?.['id']);
    const visibleId = String(visible?.['id']);
    expect((await viewer('GET', `/api/vms/${hiddenId}`)).status).toBe(404);
    expect((await viewer('POST', `/api/vms/${hiddenId}/actions`, { action: 'pause' })).status).toBe(404);
    expect((await viewer('GET', `/api/vms/${visibleId}`)).status).toBe(200);
    const refused = await viewer('POST', `/api/vms/${visibleId}/actions`, { action: 'pause' });
    expect(refused.status).toBe(403);
    expect(ErrorResponse.parse(refused.json).message).toContain('vm.power');
    expect((await viewer('GET', `/api/hosts/${hostIds[2] ?? ''}`)).status).toBe(404);
    expect((await viewer('GET', '/api/vms/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await viewer('GET', '/api/vms/not-a-uuid')).status).toBe(400);
    // Positive control: the administrator may.
    expect((await call('GET', `/api/vms/${hiddenId}`)).status).toBe(200);
  });
});
