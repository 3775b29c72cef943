import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { AuditPage, ErrorResponse, Me } from '@cockpit/contracts';
import { GrantsService, UsersService } from '@cockpit/api-auth';
import { startTestApi, type TestApi } from '../test/test-app.js';

const PASSWORD = 'correct horse battery staple';

/** A browser-like client: keeps the session cookie and sends the CSRF token it was given. */
class Client {
  cookie = '';
  csrf = '';
  lastSetCookie: string[] = [];

  constructor(private readonly base: string) {}

  async call(method: string, path: string, options: { body?: unknown; csrf?: boolean; headers?: Record<string, string> } = {}) {
    const response = await fetch(`${this.base}${path}`, {
      method,
      headers: {
        ...(this.cookie ? { Cookie: this.cookie } : {}),
        ...(options.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        ...(options.csrf !== false && this.csrf ? { 'X-CSRF-Token': this.csrf } : {}),
        ...options.headers,
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    this.lastSetCookie = response.headers.getSetCookie();
    for (const cookie of this.lastSetCookie) {
      const [pair] = cookie.split(';');
      if (pair?.endsWith('=')) this.cookie = '';
      else if (pair) this.cookie = pair;
    }
    const text = await response.text();
    const json =
      (response.headers.get('content-type') ?? '').includes('json') && text ? (JSON.parse(text) as unknown) : undefined;
    return { status: response.status, headers: response.headers, text, json };
  }

  async login(username: string, password: string) {
    const result = await this.call('POST', '/api/auth/login', { body: { username, password } });
    if (result.status === 200) this.csrf = Me.parse(result.json).csrfToken;
    return result;
  }
}

async function sql(url: string, text: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text)).rows as Record<string, unknown>[];
  } finally {
    await client.end();
  }
}

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
    expect(ErrorResponse.parse(wrong.json).message).toBe(ErrorResponse.parse(unknown.json).message);
    const rows = await sql(
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
    const denied = await sql(
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
    await sql(api.databaseUrl, "UPDATE sessions SET last_seen_at = now() - interval '16 minutes' WHERE revoked_at IS NULL");
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
      await expect(sql(api.databaseUrl, statement)).rejects.toThrow(/audit_log is append-only/);
    }
    const [{ n }] = (await sql(api.databaseUrl, 'SELECT count(*)::int AS n FROM audit_log')) as [{ n: number }];
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
