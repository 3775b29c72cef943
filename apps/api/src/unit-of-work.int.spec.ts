import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ErrorResponse, User } from '@cockpit/contracts';
import { queryRows } from '@cockpit/dev-testing';
import { signedIn, type Call } from '../test/sign-in.js';
import { startTestApi, type TestApi } from '../test/test-app.js';

const PASSWORD = 'correct horse battery staple';

/** Signs in and returns headers for sending raw JSON text, so escapes such as \u0000 reach the server as written. */
async function signInHeaders(api: TestApi): Promise<Record<string, string>> {
  const login = await fetch(`${api.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: PASSWORD }),
  });
  const cookie = (login.headers.getSetCookie()[0] ?? '').split(';')[0] ?? '';
  const { csrfToken } = (await login.json()) as { csrfToken: string };
  return { Cookie: cookie, 'X-CSRF-Token': csrfToken, 'Content-Type': 'application/json' };
}

async function auditRows(api: TestApi, action: string, requestMarker: string) {
  return queryRows(
    api.databaseUrl,
    `SELECT result, status, params FROM audit_log WHERE action = $1 AND params::text LIKE $2 ORDER BY id`,
    [action, `%${requestMarker}%`],
  );
}

/** A test-only trigger that makes audit inserts of one action fail, as a full disk or a lost connection would. */
async function breakAuditFor(api: TestApi, action: string, result = '%'): Promise<() => Promise<void>> {
  await queryRows(
    api.databaseUrl,
    `CREATE OR REPLACE FUNCTION test_fail_audit() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN
       IF NEW.action = '${action}' AND NEW.result LIKE '${result}' THEN RAISE EXCEPTION 'audit write refused by test'; END IF;
       RETURN NEW;
     END $$`,
  );
  await queryRows(
    api.databaseUrl,
    'CREATE TRIGGER test_fail_audit BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION test_fail_audit()',
  );
  return async () => {
    await queryRows(api.databaseUrl, 'DROP TRIGGER test_fail_audit ON audit_log');
  };
}

describe('one unit of work per request: the change and its audit record commit together', () => {
  let api: TestApi;
  let call: Call;
  let raw: (method: string, path: string, json: string) => Promise<{ status: number; json: unknown }>;
  beforeAll(async () => {
    api = await startTestApi({ COCKPIT_ADMIN_PASSWORD: PASSWORD });
    call = await signedIn(api, PASSWORD);
    const headers = await signInHeaders(api);
    raw = async (method, path, json) => {
      const response = await fetch(`${api.url}${path}`, { method, headers, body: json });
      const text = await response.text();
      return { status: response.status, json: text ? (JSON.parse(text) as unknown) : undefined };
    };
  });
  afterAll(async () => {
    await api.close();
  });

  it('writes the audit record of a change in the same transaction (positive control)', async () => {
    const created = await call('POST', '/api/users', { username: 'uow-ok', password: PASSWORD });
    expect(created.status).toBe(201);
    const user = User.parse(created.json);
    expect(await auditRows(api, 'createUser', 'uow-ok')).toEqual([expect.objectContaining({ result: 'success', status: 201 })]);
    expect(await queryRows(api.databaseUrl, 'SELECT 1 FROM users WHERE id = $1', [user.id])).toHaveLength(1);
  });

  it('rolls the change back when its audit record cannot be written', async () => {
    const restore = await breakAuditFor(api, 'createUser', 'success');
    try {
      const created = await call('POST', '/api/users', { username: 'uow-lost', password: PASSWORD });
      expect(created.status).toBe(500);
      expect(await queryRows(api.databaseUrl, "SELECT 1 FROM users WHERE username = 'uow-lost'")).toHaveLength(0);
    } finally {
      await restore();
    }
    // The failure itself was recorded once the transaction had rolled back.
    expect(await auditRows(api, 'createUser', 'uow-lost')).toEqual([expect.objectContaining({ result: 'failure', status: 500 })]);
    // And with the audit log working again the same request succeeds.
    expect((await call('POST', '/api/users', { username: 'uow-lost', password: PASSWORD })).status).toBe(201);
  });

  it('rolls back everything a failed handler wrote', async () => {
    // A group with an unknown member fails after the group row was inserted; neither stays.
    const failed = await call('POST', '/api/groups', {
      name: 'uow-group',
      members: ['00000000-0000-4000-8000-000000000000'],
    });
    expect(failed.status).toBeGreaterThanOrEqual(400);
    expect(failed.status).toBeLessThan(500);
    expect(await queryRows(api.databaseUrl, "SELECT 1 FROM groups WHERE name = 'uow-group'")).toHaveLength(0);
    expect(await auditRows(api, 'createGroup', 'uow-group')).toEqual([
      expect.objectContaining({ result: 'failure', status: failed.status }),
    ]);
    expect((await call('POST', '/api/groups', { name: 'uow-group', members: [] })).status).toBe(201);
  });

  it.each([
    ['NUL', '"name\\u0000"'],
    ['a lone high surrogate', '"name\\ud800"'],
    ['a lone low surrogate', '"\\udc00name"'],
  ])('refuses %s in a string field with a 400 naming the field, changes nothing, and audits the refusal', async (_what, text) => {
    const marker = `marker-${Math.random().toString(36).slice(2)}`;
    const refused = await raw(
      'POST',
      '/api/users',
      `{"username": "u${marker.slice(-6)}", "displayName": ${text}, "password": "${PASSWORD}", "note": "${marker}"}`,
    );
    expect(refused.status).toBe(400);
    const error = ErrorResponse.parse(refused.json);
    expect(error.details?.map((d) => d.path)).toEqual(['body.displayName']);
    expect(await queryRows(api.databaseUrl, 'SELECT 1 FROM users WHERE username = $1', [`u${marker.slice(-6)}`])).toHaveLength(0);
    const rows = await auditRows(api, 'createUser', marker);
    expect(rows).toEqual([expect.objectContaining({ result: 'failure', status: 400 })]);
    expect(JSON.stringify(rows[0]?.params)).toContain('\ufffd');
  });

  it('refuses unsafe text in object keys and path parameters too', async () => {
    const key = await raw('POST', '/api/groups', '{"name": "g-key", "members": [], "x\\u0000": 1}');
    expect(key.status).toBe(400);
    const param = await call('PATCH', `/api/users/${encodeURIComponent('\u0000')}`, { disabled: true });
    expect(param.status).toBe(400);
    expect(
      await queryRows(api.databaseUrl, "SELECT 1 FROM audit_log WHERE action = 'updateUser' AND target LIKE '%\ufffd%'"),
    ).toHaveLength(1);
  });

  it('audits a request refused before it reached its route: broken JSON, and a denied caller', async () => {
    const marker = `broken-${Math.random().toString(36).slice(2)}`;
    const broken = await raw('POST', '/api/groups', `{"name": "${marker}", `);
    expect(broken.status).toBe(400);
    const anonymous = await fetch(`${api.url}/api/groups`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Request-Id': marker },
      body: JSON.stringify({ name: 'x', members: [] }),
    });
    expect(anonymous.status).toBe(401);
    const rows = await queryRows(
      api.databaseUrl,
      "SELECT action, result, status FROM audit_log WHERE action = 'createGroup' AND (request_id = $1 OR status = 400) ORDER BY id DESC LIMIT 2",
      [marker],
    );
    expect(rows).toEqual(
      expect.arrayContaining([
        { action: 'createGroup', result: 'denied', status: 401 },
        { action: 'createGroup', result: 'failure', status: 400 },
      ]),
    );
  });

  it('answers a refused request with its 4xx even when the audit log cannot take the record', async () => {
    const restore = await breakAuditFor(api, 'createUser', 'failure');
    try {
      const refused = await call('POST', '/api/users', { username: 'x', password: 'short' });
      expect(refused.status).toBe(400);
    } finally {
      await restore();
    }
  });

  it('keeps a hostile refused request storable: huge, deep and __proto__ bodies are bounded', async () => {
    const marker = `big-${Math.random().toString(36).slice(2)}`;
    let deep = '"bottom"';
    for (let i = 0; i < 500; i++) deep = `{"d": ${deep}}`;
    const body = `{"username": "${marker}", "__proto__": {"polluted": true}, "deep": ${deep}, "blob": "${'x'.repeat(100_000)}"}`;
    const refused = await raw('POST', '/api/users', body);
    expect(refused.status).toBe(400);
    const rows = await auditRows(api, 'createUser', marker);
    expect(rows).toHaveLength(1);
    expect(Buffer.byteLength(JSON.stringify(rows[0]?.params))).toBeLessThan(20_000);
  });
});
