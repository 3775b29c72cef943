import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { generate, generateSecret } from 'otplib';
import { ErrorResponse, Me } from '@cockpit/contracts';
import { queryRows } from '@cockpit/dev-testing';
import { Client } from '../test/auth-client.js';
import { startTestApi, type TestApi } from '../test/test-app.js';

const PASSWORD = 'correct horse battery staple';
const now = () => Math.floor(Date.now() / 1000);
const code = (secret: string, offsetSeconds = 0) => generate({ secret, epoch: now() + offsetSeconds });

/** Enrolls TOTP from a signed-in session; the enrolling code's step is spent. */
async function enroll(client: Client): Promise<{ secret: string; recoveryCodes: string[] }> {
  const setup = await client.call('POST', '/api/auth/totp/setup');
  expect(setup.status).toBe(200);
  const { secret } = setup.json as { secret: string };
  const enabled = await client.call('POST', '/api/auth/totp/enable', { body: { code: await code(secret) } });
  expect(enabled.status).toBe(200);
  return { secret, recoveryCodes: (enabled.json as { recoveryCodes: string[] }).recoveryCodes };
}

describe('second factor: sessions, roles, races, storage', () => {
  let api: TestApi;
  let admin: Client;
  let secureRole: string;
  beforeAll(async () => {
    api = await startTestApi({ COCKPIT_ADMIN_PASSWORD: PASSWORD });
    admin = new Client(api.url);
    await admin.login('admin', PASSWORD);
    const role = await admin.call('POST', '/api/roles', {
      body: { name: 'SecureViewers', permissions: ['vm.view'], requireTotp: true },
    });
    secureRole = (role.json as { id: string }).id;
  });
  afterAll(async () => {
    await api.close();
  });

  const newUser = async (username: string, roleId?: string) => {
    const created = await admin.call('POST', '/api/users', { body: { username, password: `${username}-password-1` } });
    expect(created.status).toBe(201);
    const id = (created.json as { id: string }).id;
    if (roleId) await bind('user', id, roleId);
    return id;
  };
  const bind = async (subjectType: 'user' | 'group', subjectId: string, roleId: string) => {
    const bound = await admin.call('POST', '/api/role-bindings', { body: { subjectType, subjectId, roleId, scope: '/' } });
    expect(bound.status).toBe(201);
    return (bound.json as { id: string }).id;
  };
  const signIn = async (username: string) => {
    const client = new Client(api.url);
    expect((await client.login(username, `${username}-password-1`)).status).toBe(200);
    return client;
  };

  it('enrolling unlocks only the session that enrolled, not other pending sessions of that user', async () => {
    await newUser('sec', secureRole);
    const laptop = await signIn('sec');
    const stolen = await signIn('sec'); // someone else with the password
    expect((await stolen.call('GET', '/api/roles')).status).toBe(403);
    const { secret } = await enroll(laptop);
    expect((await laptop.call('GET', '/api/roles')).status).toBe(200);
    expect((await stolen.call('GET', '/api/roles')).status).toBe(401);
    expect((await stolen.call('GET', '/api/auth/me')).status).toBe(401);
    // Positive control: signing in again with the code works.
    const again = new Client(api.url);
    expect((await again.login('sec', 'sec-password-1', { totp: await code(secret, 30) })).status).toBe(200);
    expect((await again.call('GET', '/api/roles')).status).toBe(200);
  });

  it('applies a change of a role’s requirement to live sessions at once, both ways', async () => {
    const flip = await admin.call('POST', '/api/roles', { body: { name: 'Flip', permissions: ['vm.view'] } });
    const flipId = (flip.json as { id: string }).id;
    await newUser('flo', flipId);
    const flo = await signIn('flo');
    expect((await flo.call('GET', '/api/roles')).status).toBe(200);
    expect((await admin.call('PATCH', `/api/roles/${flipId}`, { body: { requireTotp: true } })).status).toBe(200);
    const blocked = await flo.call('GET', '/api/roles');
    expect(blocked.status).toBe(403);
    expect(ErrorResponse.parse(blocked.json).message).toMatch(/requires two-factor authentication/);
    expect(Me.parse((await flo.call('GET', '/api/auth/me')).json).mustEnrollTotp).toBe(true);
    expect((await admin.call('PATCH', `/api/roles/${flipId}`, { body: { requireTotp: false } })).status).toBe(200);
    expect((await flo.call('GET', '/api/roles')).status).toBe(200);
    expect(Me.parse((await flo.call('GET', '/api/auth/me')).json).mustEnrollTotp).toBe(false);
  });

  it('applies a requirement that arrives through a group membership or a binding at once', async () => {
    const gwen = await newUser('gwen');
    const client = await signIn('gwen');
    const group = await admin.call('POST', '/api/groups', { body: { name: 'secure', members: [] } });
    const groupId = (group.json as { id: string }).id;
    await bind('group', groupId, secureRole);
    expect((await client.call('GET', '/api/auth/sessions')).status).toBe(200);
    expect((await admin.call('PUT', `/api/groups/${groupId}/members`, { body: { members: [gwen] } })).status).toBe(200);
    expect((await client.call('GET', '/api/auth/sessions')).status).toBe(403);
    expect((await admin.call('PUT', `/api/groups/${groupId}/members`, { body: { members: [] } })).status).toBe(200);
    expect((await client.call('GET', '/api/auth/sessions')).status).toBe(200);
    const binding = await bind('user', gwen, secureRole);
    expect((await client.call('GET', '/api/auth/sessions')).status).toBe(403);
    expect((await admin.call('DELETE', `/api/role-bindings/${binding}`)).status).toBe(200);
    expect((await client.call('GET', '/api/auth/sessions')).status).toBe(200);
  });

  it('sends a session that never showed the second factor back to sign-in when a role starts requiring it', async () => {
    const vol = await newUser('vol');
    const old = await signIn('vol');
    const enrolled = await signIn('vol');
    const { secret } = await enroll(enrolled); // voluntarily: nothing requires it yet
    expect((await old.call('GET', '/api/auth/sessions')).status).toBe(200);
    await bind('user', vol, secureRole);
    const refused = await old.call('GET', '/api/auth/sessions');
    expect(refused.status).toBe(401);
    expect(ErrorResponse.parse(refused.json).message).toMatch(/sign in again with your code/);
    expect((await enrolled.call('GET', '/api/auth/sessions')).status).toBe(200);
    expect((await old.login('vol', 'vol-password-1', { totp: await code(secret, 30) })).status).toBe(200);
    expect((await old.call('GET', '/api/auth/sessions')).status).toBe(200);
  });

  it('lets exactly one of several concurrent sign-ins with the same code through', async () => {
    await newUser('tia');
    const { secret } = await enroll(await signIn('tia'));
    const totp = await code(secret, 30);
    const results = await Promise.all(
      [1, 2, 3, 4].map(() => new Client(api.url).login('tia', 'tia-password-1', { totp }).then((r) => r.status)),
    );
    expect(results.sort()).toEqual([200, 401, 401, 401]);
  });

  it('keeps TOTP secrets sealed and recovery codes keyed-hashed at rest', async () => {
    await newUser('rex');
    const { secret, recoveryCodes } = await enroll(await signIn('rex'));
    const [row] = await queryRows(api.databaseUrl, "SELECT totp_secret, recovery_codes FROM users WHERE username = 'rex'");
    expect(row?.['totp_secret']).toMatch(/^v1:/);
    expect(String(row?.['totp_secret'])).not.toContain(secret);
    const stored = row?.['recovery_codes'] as string[];
    expect(stored).toHaveLength(10);
    expect(stored.every((hash) => hash.startsWith('h1:'))).toBe(true);
    const bare = recoveryCodes.map((c) => createHash('sha256').update(c).digest('base64url'));
    expect(stored.some((hash) => bare.some((b) => hash.includes(b)))).toBe(false);
    expect((await new Client(api.url).login('rex', 'rex-password-1', { recoveryCode: recoveryCodes[3] })).status).toBe(200);
  });
});

describe('second factor data from before sealing', () => {
  it('is sealed and re-hashed at start, and still signs in', async () => {
    const first = await startTestApi({ COCKPIT_ADMIN_PASSWORD: PASSWORD });
    const { databaseUrl } = first;
    const secret = generateSecret();
    const recovery = ['abcde-fghij', 'klmno-pqrst'];
    const oldHashes = recovery.map((c) => createHash('sha256').update(c).digest('base64url'));
    await queryRows(
      databaseUrl,
      "UPDATE users SET totp_secret = $1, totp_enabled = true, recovery_codes = $2 WHERE username = 'admin'",
      [secret, oldHashes],
    );
    await first.close();
    const api = await startTestApi({ COCKPIT_ADMIN_PASSWORD: PASSWORD, DATABASE_URL: databaseUrl });
    try {
      const [row] = await queryRows(databaseUrl, "SELECT totp_secret, recovery_codes FROM users WHERE username = 'admin'");
      expect(row?.['totp_secret']).toMatch(/^v1:/);
      expect((row?.['recovery_codes'] as string[]).every((h) => h.startsWith('h1:') && !oldHashes.includes(h))).toBe(true);
      expect((await new Client(api.url).login('admin', PASSWORD, { totp: await code(secret) })).status).toBe(200);
      const withRecovery = { recoveryCode: recovery[1] };
      expect((await new Client(api.url).login('admin', PASSWORD, withRecovery)).status).toBe(200);
      expect((await new Client(api.url).login('admin', PASSWORD, withRecovery)).status).toBe(401);
    } finally {
      await api.close();
    }
  });
});

describe('login throttle under a parallel burst', () => {
  it('evaluates at most 5 guesses on an account however many arrive at once', async () => {
    const api = await startTestApi({ COCKPIT_ADMIN_PASSWORD: PASSWORD });
    try {
      const admin = new Client(api.url);
      await admin.login('admin', PASSWORD);
      for (const username of ['burst', 'calm'])
        expect((await admin.call('POST', '/api/users', { body: { username, password: `${username}-password-1` } })).status).toBe(
          201,
        );
      const attempts = [
        ...Array.from({ length: 30 }, (_, i) => `wrong-${i}`),
        'burst-password-1', // the right one, somewhere in the burst
      ];
      const statuses = await Promise.all(
        attempts.map((password) => new Client(api.url).login('burst', password).then((r) => r.status)),
      );
      const evaluated = statuses.filter((s) => s !== 429);
      expect(evaluated.length).toBeLessThanOrEqual(5);
      expect(evaluated.every((s) => s === 401 || s === 200)).toBe(true);
      expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(26);
      const audited = await queryRows(
        api.databaseUrl,
        "SELECT result, count(*)::int AS n FROM audit_log WHERE action = 'login' AND actor_name = 'burst' GROUP BY result",
      );
      const byResult = Object.fromEntries(audited.map((r) => [r['result'], r['n']]));
      expect(Number(byResult['failure'] ?? 0) + Number(byResult['success'] ?? 0)).toBeLessThanOrEqual(5);
      // Positive control: the throttle is per account; another account signs in after a few mistakes.
      const calm = new Client(api.url);
      for (let i = 0; i < 4; i++) expect((await calm.login('calm', `oops-${i}`)).status).toBe(401);
      expect((await calm.login('calm', 'calm-password-1')).status).toBe(200);
    } finally {
      await api.close();
    }
  });
});
