import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ErrorResponse, Me } from '@cockpit/contracts';
import { Client } from '../test/auth-client.js';
import { startTestApi, type TestApi } from '../test/test-app.js';

const PASSWORD = 'correct horse battery staple';

/** A user.admin who holds less than Administrator cannot get more through groups or other users. */
describe('user.admin gives only what it holds, where it holds it', () => {
  let api: TestApi;
  let admin: Client;
  let dee: { id: string; client: Client };
  let adminId: string;

  const roleId = async (name: string) =>
    ((await admin.call('GET', '/api/roles')).json as { items: { id: string; name: string }[] }).items.find((r) => r.name === name)
      ?.id ?? '';
  const newRole = async (name: string, permissions: string[]) => {
    const created = await admin.call('POST', '/api/roles', { body: { name, permissions } });
    expect(created.status).toBe(201);
    return (created.json as { id: string }).id;
  };
  const bind = async (subjectType: 'user' | 'group', subjectId: string, role: string, scope = '/') => {
    const bound = await admin.call('POST', '/api/role-bindings', { body: { subjectType, subjectId, roleId: role, scope } });
    expect(bound.status).toBe(201);
  };
  const newUser = async (username: string) => {
    const created = await admin.call('POST', '/api/users', { body: { username, password: `${username}-password-1` } });
    expect(created.status).toBe(201);
    const client = new Client(api.url);
    expect((await client.login(username, `${username}-password-1`)).status).toBe(200);
    return { id: (created.json as { id: string }).id, client };
  };
  const newGroup = async (name: string, members: string[] = []) => {
    const created = await admin.call('POST', '/api/groups', { body: { name, members } });
    expect(created.status).toBe(201);
    return (created.json as { id: string }).id;
  };

  beforeAll(async () => {
    api = await startTestApi({ COCKPIT_ADMIN_PASSWORD: PASSWORD });
    admin = new Client(api.url);
    adminId = Me.parse((await admin.login('admin', PASSWORD)).json).user.id;
    dee = await newUser('dee');
    await bind('user', dee.id, await newRole('UserAdmins', ['user.admin', 'vm.view']));
  });
  afterAll(async () => {
    await api.close();
  });

  it('cannot join a group (itself or anyone) that grants more than it holds, nor leave others out of it', async () => {
    const admins = await newGroup('admins', [adminId]);
    await bind('group', admins, await roleId('Administrator'));
    const self = await dee.client.call('PUT', `/api/groups/${admins}/members`, { body: { members: [adminId, dee.id] } });
    expect(self.status).toBe(403);
    expect(ErrorResponse.parse(self.json).message).toMatch(
      /^You cannot change the members of admins: it grants what you do not hold on \/: host\.view, /,
    );
    const tom = await newUser('tom');
    expect((await dee.client.call('PUT', `/api/groups/${admins}/members`, { body: { members: [adminId, tom.id] } })).status).toBe(
      403,
    );
    expect((await dee.client.call('PUT', `/api/groups/${admins}/members`, { body: { members: [] } })).status).toBe(403);
    expect(Me.parse((await dee.client.call('GET', '/api/auth/me')).json).grants).toEqual([
      { scope: '/', permissions: ['user.admin', 'vm.view'] },
    ]);
    const groups = ((await admin.call('GET', '/api/groups')).json as { items: { id: string; members: string[] }[] }).items;
    expect(groups.find((g) => g.id === admins)?.members).toEqual([adminId]);
  });

  it('cannot use a group bound to a scope where it holds nothing', async () => {
    const operators = await newGroup('h1-operators');
    await bind('group', operators, await roleId('Operator'), '/hosts/h1');
    const tom = await newUser('tom2');
    const refused = await dee.client.call('PUT', `/api/groups/${operators}/members`, { body: { members: [tom.id] } });
    expect(refused.status).toBe(403);
    expect(ErrorResponse.parse(refused.json).message).toMatch(/on \/hosts\/h1: host\.view, host\.exec, /);
  });

  it('manages groups that grant only what it holds (positive control)', async () => {
    const viewers = await newGroup('vm-viewers');
    await bind('group', viewers, await newRole('VmViewers', ['vm.view']), '/hosts/h1');
    const una = await newUser('una');
    const set = await dee.client.call('PUT', `/api/groups/${viewers}/members`, { body: { members: [una.id, dee.id] } });
    expect(set.status).toBe(200);
    expect((set.json as { members: string[] }).members).toEqual([una.id, dee.id]);
    const created = await dee.client.call('POST', '/api/groups', { body: { name: 'fresh', members: [una.id] } });
    expect(created.status).toBe(201); // a new group grants nothing yet
    // The administrator may do both.
    const admins = ((await admin.call('GET', '/api/groups')).json as { items: { id: string; name: string }[] }).items.find(
      (g) => g.name === 'admins',
    );
    const ok = await admin.call('PUT', `/api/groups/${admins?.id ?? ''}/members`, { body: { members: [adminId, una.id] } });
    expect(ok.status).toBe(200);
    expect((await admin.call('PUT', `/api/groups/${admins?.id ?? ''}/members`, { body: { members: [adminId] } })).status).toBe(
      200,
    );
  });

  it('cannot reset the password of, disable or edit a user who holds more than it does', async () => {
    for (const body of [{ password: 'taken-over-password-1' }, { disabled: true }, { displayName: 'Mallory' }]) {
      const refused = await dee.client.call('PATCH', `/api/users/${adminId}`, { body });
      expect(refused.status).toBe(403);
      expect(ErrorResponse.parse(refused.json).message).toMatch(
        /^You cannot change admin: they hold what you do not on \/: host\.view, /,
      );
    }
    expect((await new Client(api.url).login('admin', PASSWORD)).status).toBe(200);
    expect((await admin.call('GET', '/api/auth/me')).status).toBe(200);
    const users = ((await admin.call('GET', '/api/users')).json as { items: { username: string; displayName: string }[] }).items;
    expect(users.find((u) => u.username === 'admin')?.displayName).toBe('Administrator');
  });

  it('cannot take over a user who holds more through a group either', async () => {
    const gil = await newUser('gil');
    const auditors = await newGroup('auditors', [gil.id]);
    await bind('group', auditors, await roleId('Auditor'));
    const refused = await dee.client.call('PATCH', `/api/users/${gil.id}`, { body: { password: 'taken-over-password-1' } });
    expect(refused.status).toBe(403);
    expect(ErrorResponse.parse(refused.json).message).toMatch(/^You cannot change gil: they hold what you do not on \/: /);
  });

  it('resets, disables and edits users who hold no more than it does (positive control)', async () => {
    const vin = await newUser('vin');
    await bind('user', vin.id, await roleId('UserAdmins'));
    const ivy = await newUser('ivy');
    await bind('user', ivy.id, await roleId('VmViewers'), '/hosts/h1');
    for (const target of [vin, ivy]) {
      expect((await dee.client.call('PATCH', `/api/users/${target.id}`, { body: { displayName: 'Renamed' } })).status).toBe(200);
      expect(
        (await dee.client.call('PATCH', `/api/users/${target.id}`, { body: { password: 'a-reset-password-1' } })).status,
      ).toBe(200);
      expect((await dee.client.call('PATCH', `/api/users/${target.id}`, { body: { disabled: true } })).status).toBe(200);
    }
    expect((await admin.call('PATCH', `/api/users/${dee.id}`, { body: { displayName: 'Dee' } })).status).toBe(200);
  });
});
