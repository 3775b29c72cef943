import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AuditPage, ErrorResponse, Me } from '@cockpit/contracts';
import { GrantsService, UsersService } from '@cockpit/api-auth';
import { queryRows } from '@cockpit/dev-testing';
import { Client } from '../test/auth-client.js';
import { startTestApi, type TestApi } from '../test/test-app.js';

const PASSWORD = 'correct horse battery staple';

describe('sign-in, sessions, CSRF and the audit log', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ COCKPIT_ADMIN_PASSWORD: PASSWORD });
  });
  afterAll(async () => {
    await api.close();
  });

  it('creates the first admin, who signs in with an HttpOnly SameSite=Strict session cookie and holds Administrator on /', async () => {
    const admin = new Client(api.url);
    const result = await admin.login('ADMIN', PASSWORD); // usernames are case-insensitive
    expect(result.status).toBe(200);
    const me = Me.parse(result.json);
    expect(me.user.username).toBe('admin');
    expect(me.grants).toEqual([
      { scope: '/', permissions: expect.arrayContaining(['user.admin', 'audit.view']) as unknown as string[] },
    ]);
    expect(admin.lastSetCookie[0]).toMatch(
      /^cockpit_session=[A-Za-z0-9_-]{43}; Max-Age=43200; Path=\/; Expires=.+; HttpOnly; SameSite=Strict$/,
    );
    expect(Me.parse((await admin.call('GET', '/api/auth/me')).json).csrfToken).toBe(me.csrfToken);
  });

  it('answers a wrong password and an unknown user the same way, and audits both', async () => {
    const wrong = await new Client(api.url).login('admin', 'not it');
    const unknown = await new Client(api.url).login('nobody', 'not it');
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.json).toEqual({ statusCode: 401, error: 'Unauthorized', message: 'Wrong username or password' });
    expect(ErrorResponse.parse(wrong.json).message).toBe(ErrorResponse.parse(unknown.json).message);
    const rows = await queryRows(
      api.databaseUrl,
      "SELECT actor_name, result, params FROM audit_log WHERE action = 'login' AND result = 'failure' ORDER BY id",
    );
    expect(rows.map((r) => [r['actor_name'], (r['params'] as { reason: string }).reason])).toEqual(
      expect.arrayContaining([
        ['admin', 'wrong password'],
        ['nobody', 'unknown user'],
      ]),
    );
    expect(JSON.stringify(rows)).not.toContain('not it');
  });

  it('slows down guessing: after 5 failures on an account, 429 with Retry-After', async () => {
    const guesser = new Client(api.url);
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await guesser.login('victim', `guess-${i}`)).status);
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    const blocked = await guesser.login('victim', 'guess-again');
    expect(blocked.status).toBe(429);
    expect(blocked.json).toEqual({
      statusCode: 429,
      error: 'Too Many Requests',
      message: expect.stringMatching(/^Too many failed sign-ins; try again in \d+ s$/) as unknown as string,
    });
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('refuses a state change without the CSRF token, or from another site, and audits the refusal', async () => {
    const admin = new Client(api.url);
    await admin.login('admin', PASSWORD);
    const noToken = await admin.call('POST', '/api/auth/logout', { csrf: false });
    expect(noToken.status).toBe(403);
    expect(ErrorResponse.parse(noToken.json).message).toMatch(/CSRF token/);
    const crossSite = await admin.call('POST', '/api/auth/logout', { headers: { Origin: 'https://evil.example' } });
    expect(crossSite.status).toBe(403);
    expect(ErrorResponse.parse(crossSite.json).message).toBe('Cross-origin request from https://evil.example refused');
    const denied = await queryRows(
      api.databaseUrl,
      "SELECT count(*)::int AS n FROM audit_log WHERE action = 'logout' AND result = 'denied'",
    );
    expect(denied[0]?.['n']).toBeGreaterThanOrEqual(2);
    expect((await admin.call('GET', '/api/auth/me')).status).toBe(200); // still signed in
  });

  it('ends the session at logout and after the idle timeout; a new id at every sign-in', async () => {
    const admin = new Client(api.url);
    await admin.login('admin', PASSWORD);
    const first = admin.cookie;
    await admin.login('admin', PASSWORD);
    expect(admin.cookie).not.toBe(first);
    const stale = new Client(api.url);
    stale.cookie = first;
    expect((await stale.call('GET', '/api/auth/me')).status).toBe(401);

    expect((await admin.call('POST', '/api/auth/logout')).status).toBe(200);
    expect(admin.cookie).toBe('');

    const idle = new Client(api.url);
    await idle.login('admin', PASSWORD);
    await queryRows(api.databaseUrl, "UPDATE sessions SET last_seen_at = now() - interval '16 minutes' WHERE revoked_at IS NULL");
    expect((await idle.call('GET', '/api/auth/me')).status).toBe(401);
  });

  it('lists, filters, pages and exports the audit log for those with audit.view only', async () => {
    const users = api.app.get(UsersService);
    const viewer = await users.create('vera', 'vera-password-123');
    await api.app.get(GrantsService).bind(viewer.id, 'Viewer', '/');
    const vera = new Client(api.url);
    expect((await vera.login('vera', 'vera-password-123')).status).toBe(200);
    const refused = await vera.call('GET', '/api/audit');
    expect(refused.status).toBe(403);
    expect(ErrorResponse.parse(refused.json).message).toBe('You need the audit.view permission for this');
    expect((await new Client(api.url).call('GET', '/api/audit')).status).toBe(401);

    const admin = new Client(api.url);
    await admin.login('admin', PASSWORD);
    const logins = AuditPage.parse((await admin.call('GET', '/api/audit?action=login&limit=2')).json);
    expect(logins.items).toHaveLength(2);
    expect(logins.items.every((r) => r.action === 'login')).toBe(true);
    expect(Number(logins.items[0]?.id)).toBeGreaterThan(Number(logins.items[1]?.id));
    const next = AuditPage.parse(
      (await admin.call('GET', `/api/audit?action=login&limit=2&before=${logins.nextBefore ?? ''}`)).json,
    );
    expect(Number(next.items[0]?.id)).toBeLessThan(Number(logins.items[1]?.id));
    const vera2 = AuditPage.parse((await admin.call('GET', '/api/audit?actor=vera&action=login')).json);
    expect(vera2.items.map((r) => r.result)).toContain('success');

    const csv = await admin.call('GET', '/api/audit/export.csv?action=login');
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const lines = csv.text.trim().split('\r\n');
    expect(lines[0]).toBe('id,at,actor_type,actor,source_ip,action,target,result,status,request_id,params');
    expect(lines.length).toBeGreaterThan(5);
    expect((await admin.call('GET', '/api/audit?limit=9999')).status).toBe(400);
  });

  it('keeps the audit log append-only in the database itself, even for its owner', async () => {
    for (const statement of ['UPDATE audit_log SET result = $$success$$', 'DELETE FROM audit_log', 'TRUNCATE audit_log']) {
      await expect(queryRows(api.databaseUrl, statement)).rejects.toThrow(/audit_log is append-only/);
    }
    const [{ n }] = (await queryRows(api.databaseUrl, 'SELECT count(*)::int AS n FROM audit_log')) as [{ n: number }];
    expect(n).toBeGreaterThan(0);
  });
});

describe('sign-in over https', () => {
  it('uses a __Host- Secure cookie when PUBLIC_URL is https', async () => {
    const api = await startTestApi({ COCKPIT_ADMIN_PASSWORD: PASSWORD, PUBLIC_URL: 'https://cockpit.example.com' });
    try {
      const admin = new Client(api.url);
      await admin.login('admin', PASSWORD);
      expect(admin.lastSetCookie[0]).toMatch(/^__Host-cockpit_session=.+; Path=\/; .*HttpOnly; Secure; SameSite=Strict$/);
    } finally {
      await api.close();
    }
  });
});

describe('users, groups, roles, bindings, tokens', () => {
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

  const roleId = async (name: string) => {
    const roles = ((await admin.call('GET', '/api/roles')).json as { items: { id: string; name: string }[] }).items;
    return roles.find((r) => r.name === name)?.id ?? '';
  };
  const newUser = async (username: string) => {
    const created = await admin.call('POST', '/api/users', { body: { username, password: `${username}-password-1` } });
    expect(created.status).toBe(201);
    const client = new Client(api.url);
    expect((await client.login(username, `${username}-password-1`)).status).toBe(200);
    return { id: (created.json as { id: string }).id, client };
  };

  it('creates users, refusing duplicates and weak passwords, and audits with the password redacted', async () => {
    await newUser('uma');
    const duplicate = await admin.call('POST', '/api/users', { body: { username: 'UMA', password: 'another-password-1' } });
    expect(duplicate.status).toBe(409);
    expect(duplicate.json).toEqual({ statusCode: 409, error: 'Conflict', message: 'A user named "UMA" already exists' });
    const weak = await admin.call('POST', '/api/users', { body: { username: 'weak', password: 'short' } });
    expect(weak.status).toBe(400);
    expect(ErrorResponse.parse(weak.json).details?.[0]?.path).toBe('body.password');
    const rows = await queryRows(api.databaseUrl, "SELECT params, result FROM audit_log WHERE action = 'createUser' ORDER BY id");
    expect(rows.map((r) => r['result'])).toEqual(['success', 'failure', 'failure']);
    expect(JSON.stringify(rows)).not.toContain('uma-password-1');
    expect(JSON.stringify(rows[0]?.['params'])).toContain('[redacted]');
  });

  it('keeps a Viewer to viewing: state changes are 403 and audited as denied', async () => {
    const vic = await newUser('vic');
    await admin.call('POST', '/api/role-bindings', {
      body: { subjectType: 'user', subjectId: vic.id, roleId: await roleId('Viewer'), scope: '/' },
    });
    expect((await vic.client.call('GET', '/api/roles')).status).toBe(200);
    const refused = await vic.client.call('POST', '/api/users', { body: { username: 'sneaky', password: 'sneaky-password-1' } });
    expect(refused.status).toBe(403);
    const denied = await queryRows(
      api.databaseUrl,
      "SELECT actor_name FROM audit_log WHERE action = 'createUser' AND result = 'denied'",
    );
    expect(denied.map((r) => r['actor_name'])).toContain('vic');
    expect(((await admin.call('GET', '/api/users')).json as { items: { username: string }[] }).items).not.toContainEqual(
      expect.objectContaining({ username: 'sneaky' }),
    );
  });

  it('refuses privilege escalation: nobody grants a permission or scope they do not hold', async () => {
    const dee = await newUser('dee');
    const userAdmins = await admin.call('POST', '/api/roles', {
      body: { name: 'UserAdmins', permissions: ['user.admin', 'vm.view'] },
    });
    expect(userAdmins.status).toBe(201);
    await admin.call('POST', '/api/role-bindings', {
      body: { subjectType: 'user', subjectId: dee.id, roleId: (userAdmins.json as { id: string }).id, scope: '/' },
    });
    const target = await newUser('tim');
    const asAdministrator = await dee.client.call('POST', '/api/role-bindings', {
      body: { subjectType: 'user', subjectId: target.id, roleId: await roleId('Administrator'), scope: '/' },
    });
    expect(asAdministrator.status).toBe(403);
    expect(ErrorResponse.parse(asAdministrator.json).message).toMatch(
      /^You cannot grant what you do not hold on \/: host\.view, /,
    );
    const bigRole = await dee.client.call('POST', '/api/roles', { body: { name: 'Sneaky', permissions: ['vm.delete'] } });
    expect(bigRole.status).toBe(403);
    const small = await dee.client.call('POST', '/api/roles', { body: { name: 'VmViewers', permissions: ['vm.view'] } });
    expect(small.status).toBe(201);
    const ok = await dee.client.call('POST', '/api/role-bindings', {
      body: { subjectType: 'user', subjectId: target.id, roleId: (small.json as { id: string }).id, scope: '/hosts/h1' },
    });
    expect(ok.status).toBe(201);
    expect((await admin.call('PATCH', `/api/roles/${await roleId('Viewer')}`, { body: { name: 'Renamed' } })).status).toBe(409);
  });

  it('grants through groups, and ends everything of a disabled user at once', async () => {
    const gus = await newUser('gus');
    expect((await gus.client.call('GET', '/api/audit')).status).toBe(403);
    const group = await admin.call('POST', '/api/groups', { body: { name: 'auditors', members: [gus.id] } });
    expect(group.status).toBe(201);
    await admin.call('POST', '/api/role-bindings', {
      body: { subjectType: 'group', subjectId: (group.json as { id: string }).id, roleId: await roleId('Auditor'), scope: '/' },
    });
    expect((await gus.client.call('GET', '/api/audit')).status).toBe(200);

    const token = await gus.client.call('POST', '/api/tokens', { body: { name: 'ci', permissions: ['audit.view'] } });
    expect(token.status).toBe(201);
    const bearer = { Authorization: `Bearer ${(token.json as { token: string }).token}` };
    expect((await fetch(`${api.url}/api/audit`, { headers: bearer })).status).toBe(200);

    expect((await admin.call('PATCH', `/api/users/${gus.id}`, { body: { disabled: true } })).status).toBe(200);
    expect((await gus.client.call('GET', '/api/auth/me')).status).toBe(401);
    expect((await fetch(`${api.url}/api/audit`, { headers: bearer })).status).toBe(401);
    expect((await new Client(api.url).login('gus', 'gus-password-1')).status).toBe(401);
  });

  it('API tokens: a subset of the owner’s permissions, shown once, usable as Bearer, revocable', async () => {
    const created = await admin.call('POST', '/api/tokens', {
      body: { name: 'reporting', permissions: ['audit.view'], expiresInDays: 7 },
    });
    expect(created.status).toBe(201);
    const { token, id } = created.json as { token: string; id: string };
    expect(token).toMatch(/^ck_[0-9a-f]{32}_[A-Za-z0-9_-]{43}$/);
    expect(JSON.stringify((await admin.call('GET', '/api/tokens')).json)).not.toContain(token.slice('ck_'.length + 32 + 1)); // the secret part (base64url may itself contain _)
    const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
    expect((await fetch(`${api.url}/api/audit?limit=1`, { headers })).status).toBe(200);
    const beyond = await fetch(`${api.url}/api/users`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ username: 'viatoken', password: 'viatoken-password' }),
    });
    expect(beyond.status).toBe(403);
    const rows = await queryRows(
      api.databaseUrl,
      "SELECT actor_type, actor_name FROM audit_log WHERE action = 'createUser' AND result = 'denied' AND actor_type = 'token'",
    );
    expect(rows[0]?.['actor_name']).toBe('admin/reporting');
    const viewer = await newUser('val');
    await admin.call('POST', '/api/role-bindings', {
      body: { subjectType: 'user', subjectId: viewer.id, roleId: await roleId('Viewer'), scope: '/' },
    });
    expect((await viewer.client.call('POST', '/api/tokens', { body: { name: 'x', permissions: ['audit.view'] } })).status).toBe(
      403,
    );
    expect((await admin.call('DELETE', `/api/tokens/${id}`)).status).toBe(200);
    expect((await fetch(`${api.url}/api/audit?limit=1`, { headers })).status).toBe(401);
    expect((await fetch(`${api.url}/api/audit`, { headers: { Authorization: 'Bearer ck_garbage' } })).status).toBe(401);
  });

  it('changes your own password only with the current one, ending your other sessions', async () => {
    const pat = await newUser('pat');
    const other = new Client(api.url);
    await other.login('pat', 'pat-password-1');
    expect(
      (
        await pat.client.call('POST', '/api/auth/password', {
          body: { currentPassword: 'wrong', newPassword: 'pat-new-password-1' },
        })
      ).status,
    ).toBe(401);
    expect(
      (
        await pat.client.call('POST', '/api/auth/password', {
          body: { currentPassword: 'pat-password-1', newPassword: 'pat-new-password-1' },
        })
      ).status,
    ).toBe(200);
    expect((await pat.client.call('GET', '/api/auth/me')).status).toBe(200);
    expect((await other.call('GET', '/api/auth/me')).status).toBe(401);
    expect((await new Client(api.url).login('pat', 'pat-new-password-1')).status).toBe(200);
  });

  it('answers unknown ids with 404 and oversized bodies with 413, changing nothing', async () => {
    const unknownRole = await admin.call('POST', '/api/role-bindings', {
      body: {
        subjectType: 'user',
        subjectId: '00000000-0000-4000-8000-000000000009',
        roleId: '00000000-0000-4000-8000-000000000009',
        scope: '/',
      },
    });
    expect(unknownRole.status).toBe(404);
    expect(ErrorResponse.parse(unknownRole.json).message).toBe('No role 00000000-0000-4000-8000-000000000009');
    const huge = await admin.call('POST', '/api/users', { body: { username: 'huge', password: 'x'.repeat(2 * 1024 * 1024) } });
    expect(huge.status).toBe(413);
    expect(ErrorResponse.parse(huge.json)).toMatchObject({ statusCode: 413, message: 'Request body is too large' });
    expect(
      ((await admin.call('GET', '/api/users')).json as { items: { username: string }[] }).items.map((u) => u.username),
    ).not.toContain('huge');
  });

  it('lets anyone list their own sessions and sign the others out', async () => {
    const oda = await newUser('oda');
    const laptop = new Client(api.url);
    await laptop.login('oda', 'oda-password-1');
    const mine = (
      (await oda.client.call('GET', '/api/auth/sessions')).json as {
        items: {
          id: string;
          current: boolean;
          username: string;
        }[];
      }
    ).items;
    expect(mine).toHaveLength(2);
    expect(mine.filter((s) => s.current)).toHaveLength(1);
    expect(new Set(mine.map((s) => s.username))).toEqual(new Set(['oda']));
    const other = mine.find((s) => !s.current);
    const adminSession = ((await admin.call('GET', '/api/auth/sessions')).json as { items: { id: string }[] }).items[0];
    expect((await oda.client.call('DELETE', `/api/auth/sessions/${adminSession?.id ?? ''}`)).status).toBe(404); // not hers
    expect((await oda.client.call('DELETE', `/api/auth/sessions/${other?.id ?? ''}`)).status).toBe(200);
    expect((await laptop.call('GET', '/api/auth/me')).status).toBe(401);
    expect((await oda.client.call('GET', '/api/auth/me')).status).toBe(200);
  });

  it('lets an administrator list and end anyone’s sessions', async () => {
    const sam = await newUser('sam');
    const sessions = ((await admin.call('GET', '/api/sessions')).json as { items: { id: string; username: string }[] }).items;
    const his = sessions.find((s) => s.username === 'sam');
    expect(his).toBeDefined();
    expect((await admin.call('DELETE', `/api/sessions/${his?.id ?? ''}`)).status).toBe(200);
    expect((await sam.client.call('GET', '/api/auth/me')).status).toBe(401);
  });
});

describe('TOTP second factor', () => {
  it('enrolls with a QR code, then asks for a code at sign-in; codes are single-use, recovery codes too', async () => {
    const { generate } = await import('otplib');
    const api = await startTestApi({ COCKPIT_ADMIN_PASSWORD: PASSWORD });
    try {
      const admin = new Client(api.url);
      await admin.login('admin', PASSWORD);
      expect(Me.parse((await admin.call('GET', '/api/auth/me')).json).totpEnabled).toBe(false);
      const setup = (await admin.call('POST', '/api/auth/totp/setup')).json as {
        secret: string;
        otpauthUri: string;
        qrCodeDataUrl: string;
      };
      expect(setup.otpauthUri).toMatch(/^otpauth:\/\/totp\/Cockpit:admin\?secret=[A-Z2-7]+&issuer=Cockpit$/);
      expect(setup.qrCodeDataUrl).toMatch(/^data:image\/png;base64,/);
      expect((await admin.call('POST', '/api/auth/totp/enable', { body: { code: '000000' } })).status).toBe(401);
      const now = Math.floor(Date.now() / 1000);
      const enabled = await admin.call('POST', '/api/auth/totp/enable', {
        body: { code: await generate({ secret: setup.secret, epoch: now }) },
      });
      expect(enabled.status).toBe(200);
      const { recoveryCodes } = enabled.json as { recoveryCodes: string[] };
      expect(recoveryCodes).toHaveLength(10);

      const later = new Client(api.url);
      const step1 = await later.call('POST', '/api/auth/login', { body: { username: 'admin', password: PASSWORD } });
      expect(step1.status).toBe(401);
      expect(ErrorResponse.parse(step1.json).details).toEqual([{ path: 'body.totp', message: 'required' }]);
      // The code that enrolled is spent; the next step's code works, once.
      const next = await generate({ secret: setup.secret, epoch: now + 30 });
      expect(
        (await later.call('POST', '/api/auth/login', { body: { username: 'admin', password: PASSWORD, totp: next } })).status,
      ).toBe(200);
      expect(
        (
          await new Client(api.url).call('POST', '/api/auth/login', {
            body: { username: 'admin', password: PASSWORD, totp: next },
          })
        ).status,
      ).toBe(401);
      const recovery = { username: 'admin', password: PASSWORD, recoveryCode: recoveryCodes[0] };
      expect((await new Client(api.url).call('POST', '/api/auth/login', { body: recovery })).status).toBe(200);
      expect((await new Client(api.url).call('POST', '/api/auth/login', { body: recovery })).status).toBe(401);
      // A wrong password never reveals whether a second factor is on.
      const wrong = await new Client(api.url).call('POST', '/api/auth/login', { body: { username: 'admin', password: 'nope' } });
      expect(ErrorResponse.parse(wrong.json)).toEqual({
        statusCode: 401,
        error: 'Unauthorized',
        message: 'Wrong username or password',
      });

      const signedIn = new Client(api.url);
      await signedIn.call('POST', '/api/auth/login', {
        body: { username: 'admin', password: PASSWORD, recoveryCode: recoveryCodes[1] },
      });
      const me = Me.parse((await signedIn.call('GET', '/api/auth/me')).json);
      signedIn.csrf = me.csrfToken;
      expect(me.totpEnabled).toBe(true);
      expect((await signedIn.call('POST', '/api/auth/totp/disable', { body: { password: 'wrong' } })).status).toBe(401);
      expect((await signedIn.call('POST', '/api/auth/totp/disable', { body: { password: PASSWORD } })).status).toBe(200);
      expect((await new Client(api.url).login('admin', PASSWORD)).status).toBe(200);
      const audit = await queryRows(api.databaseUrl, "SELECT params FROM audit_log WHERE action = 'enableTotp'");
      expect(JSON.stringify(audit)).not.toMatch(/"code":"\d{6}"/);
    } finally {
      await api.close();
    }
  });
});

describe('a role that requires a second factor', () => {
  it('lets its users in only to enroll, then everywhere', async () => {
    const { generate } = await import('otplib');
    const api = await startTestApi({ COCKPIT_ADMIN_PASSWORD: PASSWORD });
    try {
      const admin = new Client(api.url);
      await admin.login('admin', PASSWORD);
      const secure = await admin.call('POST', '/api/roles', {
        body: { name: 'SecureViewers', permissions: ['vm.view'], requireTotp: true },
      });
      expect(secure.json).toMatchObject({ requireTotp: true });
      const user = await admin.call('POST', '/api/users', { body: { username: 'sec', password: 'sec-password-123' } });
      await admin.call('POST', '/api/role-bindings', {
        body: {
          subjectType: 'user',
          subjectId: (user.json as { id: string }).id,
          roleId: (secure.json as { id: string }).id,
          scope: '/',
        },
      });

      const sec = new Client(api.url);
      const signedIn = await sec.login('sec', 'sec-password-123');
      expect(Me.parse(signedIn.json).mustEnrollTotp).toBe(true);
      const blocked = await sec.call('GET', '/api/roles');
      expect(blocked.status).toBe(403);
      expect(ErrorResponse.parse(blocked.json).message).toMatch(/requires two-factor authentication/);
      const setup = (await sec.call('POST', '/api/auth/totp/setup')).json as { secret: string };
      const code = await generate({ secret: setup.secret, epoch: Math.floor(Date.now() / 1000) });
      expect((await sec.call('POST', '/api/auth/totp/enable', { body: { code } })).status).toBe(200);
      expect((await sec.call('GET', '/api/roles')).status).toBe(200);
      expect(Me.parse((await sec.call('GET', '/api/auth/me')).json).mustEnrollTotp).toBe(false);
    } finally {
      await api.close();
    }
  });
});
