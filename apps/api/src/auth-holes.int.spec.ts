import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ErrorResponse } from '@cockpit/contracts';
import { queryRows } from '@cockpit/dev-testing';
import { Client, rawRequest } from '../test/auth-client.js';
import { startTestApi, type TestApi } from '../test/test-app.js';

const PASSWORD = 'correct horse battery staple';

describe('closed holes: cookies, tokens, passwords, audit', () => {
  let api: TestApi;
  let admin: Client;
  beforeAll(async () => {
    api = await startTestApi({ COCKPIT_ADMIN_PASSWORD: PASSWORD });
    admin = new Client(api.url);
    await admin.login('admin', PASSWORD);
  });
  afterAll(async () => {
    await api.close();
  });

  const roleId = async (name: string) =>
    ((await admin.call('GET', '/api/roles')).json as { items: { id: string; name: string }[] }).items.find((r) => r.name === name)
      ?.id ?? '';
  const newUser = async (username: string, role?: string) => {
    const created = await admin.call('POST', '/api/users', { body: { username, password: `${username}-password-1` } });
    expect(created.status).toBe(201);
    const id = (created.json as { id: string }).id;
    if (role) {
      const bound = await admin.call('POST', '/api/role-bindings', {
        body: { subjectType: 'user', subjectId: id, roleId: await roleId(role), scope: '/' },
      });
      expect(bound.status).toBe(201);
    }
    const client = new Client(api.url);
    expect((await client.login(username, `${username}-password-1`)).status).toBe(200);
    return { id, client };
  };
  const newToken = async (client: Client) => {
    const created = await client.call('POST', '/api/tokens', { body: { name: 'ci', permissions: ['audit.view'] } });
    expect(created.status).toBe(201);
    return { Authorization: `Bearer ${(created.json as { token: string }).token}` };
  };
  const withToken = (headers: Record<string, string>) => fetch(`${api.url}/api/audit?limit=1`, { headers }).then((r) => r.status);

  it.each([
    ['lone %', 'cockpit_session=%'],
    ['cut escape', 'cockpit_session=%E0%A4%A'],
    ['bad hex', 'cockpit_session=%ZZ; other=1'],
    ['no value', 'cockpit_session'],
    ['empty parts', '=; ;;cockpit_session=='],
    ['long', `cockpit_session=${'%'.repeat(4000)}`],
  ])('treats a malformed cookie (%s) as no session (401, never 500), and public routes still answer', async (_what, cookie) => {
    const me = await rawRequest(api.url, 'GET', '/api/auth/me', { Cookie: cookie });
    expect(me.status).toBe(401);
    expect(ErrorResponse.parse(me.json).message).toBe('Sign in first');
    expect((await rawRequest(api.url, 'GET', '/api/info', { Cookie: cookie })).status).toBe(200);
    const login = await rawRequest(
      api.url,
      'POST',
      '/api/auth/login',
      { Cookie: cookie },
      { username: 'admin', password: PASSWORD },
    );
    expect(login.status).toBe(200);
  });

  it('still finds a good session cookie next to malformed other cookies', async () => {
    const me = await rawRequest(api.url, 'GET', '/api/auth/me', { Cookie: `junk=%; ${admin.cookie}; more=%E0` });
    expect(me.status).toBe(200);
  });

  it('ends the API tokens of a user who changes their own password (the current session stays)', async () => {
    const ann = await newUser('ann', 'Auditor');
    const token = await newToken(ann.client);
    const adminToken = await newToken(admin);
    expect(await withToken(token)).toBe(200);
    const changed = await ann.client.call('POST', '/api/auth/password', {
      body: { currentPassword: 'ann-password-1', newPassword: 'ann-new-password-1' },
    });
    expect(changed.status).toBe(200);
    expect(await withToken(token)).toBe(401);
    expect((await ann.client.call('GET', '/api/auth/me')).status).toBe(200);
    expect(await withToken(adminToken)).toBe(200); // someone else's tokens are untouched
  });

  it('ends the API tokens and sessions of a user whose password an administrator resets', async () => {
    const bob = await newUser('bob', 'Auditor');
    const token = await newToken(bob.client);
    expect(await withToken(token)).toBe(200);
    expect((await admin.call('PATCH', `/api/users/${bob.id}`, { body: { displayName: 'Bob' } })).status).toBe(200);
    expect(await withToken(token)).toBe(200); // a rename ends nothing
    expect((await admin.call('PATCH', `/api/users/${bob.id}`, { body: { password: 'bob-reset-password-1' } })).status).toBe(200);
    expect(await withToken(token)).toBe(401);
    expect((await bob.client.call('GET', '/api/auth/me')).status).toBe(401);
    expect((await new Client(api.url).login('bob', 'bob-reset-password-1')).status).toBe(200);
  });

  it('refuses to create a token with a token; a signed-in session can', async () => {
    const cat = await newUser('cat', 'Auditor');
    const token = await newToken(cat.client);
    const minted = await fetch(`${api.url}/api/tokens`, {
      method: 'POST',
      headers: { ...token, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'forever', permissions: ['audit.view'], expiresInDays: 366 }),
    });
    expect(minted.status).toBe(403);
    expect(ErrorResponse.parse(await minted.json()).message).toBe(
      'An API token cannot create API tokens: create them from a signed-in session',
    );
    const names = ((await cat.client.call('GET', '/api/tokens')).json as { items: { name: string }[] }).items.map((t) => t.name);
    expect(names).toEqual(['ci']);
    expect((await cat.client.call('POST', '/api/tokens', { body: { name: 'second', permissions: ['audit.view'] } })).status).toBe(
      201,
    );
  });

  it('records the body of a refused state change in its audit entry (secrets redacted)', async () => {
    const vic = await newUser('vic', 'Viewer');
    const refused = await vic.client.call('POST', '/api/users', { body: { username: 'sneaky', password: 'sneaky-password-1' } });
    expect(refused.status).toBe(403);
    const rows = await queryRows(
      api.databaseUrl,
      "SELECT params FROM audit_log WHERE action = 'createUser' AND result = 'denied' AND actor_name = 'vic'",
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]?.['params']).toMatchObject({ body: { username: 'sneaky', password: '[redacted]' } });
    expect(JSON.stringify(rows)).not.toContain('sneaky-password-1');
  });
});

describe('Origin checks against PUBLIC_URL, not the Host header', () => {
  const login = { username: 'admin', password: PASSWORD };

  it('with PUBLIC_URL set, refuses a browser whose Origin matches only the Host it sent', async () => {
    const api = await startTestApi({ COCKPIT_ADMIN_PASSWORD: PASSWORD, PUBLIC_URL: 'http://cockpit.example:8080' });
    try {
      const evil = await rawRequest(
        api.url,
        'POST',
        '/api/auth/login',
        { Host: 'evil.example', Origin: 'http://evil.example' },
        login,
      );
      expect(evil.status).toBe(403);
      expect(ErrorResponse.parse(evil.json).message).toBe('Cross-origin request from http://evil.example refused');
      const own = new URL(api.url);
      const direct = await rawRequest(api.url, 'POST', '/api/auth/login', { Host: own.host, Origin: own.origin }, login);
      expect(direct.status).toBe(403); // not the public origin, whatever the Host says
      const ours = await rawRequest(
        api.url,
        'POST',
        '/api/auth/login',
        { Host: 'evil.example', Origin: 'http://cockpit.example:8080' },
        login,
      );
      expect(ours.status).toBe(200);
      expect((await rawRequest(api.url, 'POST', '/api/auth/login', {}, login)).status).toBe(200); // no Origin: not a browser
    } finally {
      await api.close();
    }
  });

  it('without PUBLIC_URL, accepts only the local URLs the api listens on', async () => {
    const api = await startTestApi({ COCKPIT_ADMIN_PASSWORD: PASSWORD });
    try {
      const own = new URL(api.url);
      for (const headers of [
        { Host: 'evil.example', Origin: 'http://evil.example' },
        { Host: own.host, Origin: 'http://localhost:1' }, // another port is another site
      ]) {
        const refused = await rawRequest(api.url, 'POST', '/api/auth/login', headers, login);
        expect(refused.status).toBe(403);
        expect(ErrorResponse.parse(refused.json).message).toBe(`Cross-origin request from ${headers.Origin} refused`);
      }
      for (const origin of [own.origin, `http://localhost:${own.port}`]) {
        expect(
          (await rawRequest(api.url, 'POST', '/api/auth/login', { Host: 'evil.example', Origin: origin }, login)).status,
        ).toBe(200);
      }
    } finally {
      await api.close();
    }
  });
});
