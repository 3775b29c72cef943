import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { Host, Me } from '@cockpit/contracts';
import { queryRows, startVaporFleet, type RunningFleet } from '@cockpit/dev-testing';
import { casesFor, type FuzzCase, type OpenApiDocument } from '../test/fuzz-cases.js';
import { signedIn, until } from '../test/sign-in.js';
import { startTestApi, type TestApi } from '../test/test-app.js';

const PASSWORD = 'fuzz-admin-password-123';
const TIMEOUT_MS = 10_000;
/** Fuzz traffic comes "from" its own address (trust proxy: loopback), so the sign-in throttle it trips never locks the test out. */
const FUZZ_SOURCE = '198.51.100.7';
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

interface Finding {
  case: FuzzCase;
  problem: string;
}

describe('fuzzing every operation of the OpenAPI document', () => {
  let api: TestApi;
  let fleet: RunningFleet;
  let session = { cookie: '', csrf: '' };
  const ids = new Map<string, string>();

  const signIn = async () => {
    const response = await fetch(`${api.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: PASSWORD }),
    });
    const me = Me.parse(await response.json());
    session = { cookie: (response.headers.getSetCookie()[0] ?? '').split(';')[0] ?? '', csrf: me.csrfToken };
  };

  beforeAll(async () => {
    [api, fleet] = await Promise.all([
      startTestApi({ COCKPIT_ADMIN_PASSWORD: PASSWORD }),
      startVaporFleet({ hosts: 1, vmsPerHost: 2 }),
    ]);
    const call = await signedIn(api, PASSWORD);
    const [host] = fleet.hosts;
    if (!host) throw new Error('empty fleet');
    const enrolled = await call('POST', '/api/hosts', { url: host.url, token: host.token, fingerprint: host.fingerprint });
    ids.set('hostId', Host.parse(enrolled.json).id);
    await until(
      async () => Number((await queryRows(api.databaseUrl, 'SELECT count(*)::int AS n FROM vms'))[0]?.['n']) === 2,
      10_000,
      'inventory synced',
    );
    ids.set('vmId', String((await queryRows(api.databaseUrl, 'SELECT id FROM vms LIMIT 1'))[0]?.['id']));
    const user = (await call('POST', '/api/users', { username: 'fuzz-victim', password: PASSWORD })).json as { id: string };
    ids.set('userId', user.id);
    ids.set('groupId', ((await call('POST', '/api/groups', { name: 'fuzz-group', members: [] })).json as { id: string }).id);
    const role = (await call('POST', '/api/roles', { name: 'fuzz-role', permissions: ['vm.view'] })).json as { id: string };
    ids.set('roleId', role.id);
    const binding = await call('POST', '/api/role-bindings', {
      subjectType: 'user',
      subjectId: user.id,
      roleId: role.id,
      scope: '/',
    });
    ids.set('bindingId', (binding.json as { id: string }).id);
    const token = await call('POST', '/api/tokens', { name: 'fuzz-token', permissions: ['vm.view'] });
    ids.set('tokenId', (token.json as { id: string }).id);
    const sessions = ((await call('GET', '/api/sessions')).json as { items: { id: string }[] }).items;
    ids.set('sessionId', sessions.at(-1)?.id ?? randomUUID());
    await signIn();
  }, 60_000);
  afterAll(async () => {
    await api?.close();
    await fleet?.stop();
  });

  it('answers every malformed request with a 4xx, never a 5xx or a hang, and audits every refused state change', async () => {
    const doc = (await (await fetch(`${api.url}/api/openapi.json`)).json()) as OpenApiDocument;
    const streams = new Set<string>();
    const cases: FuzzCase[] = [];
    for (const [path, operations] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const produces = Object.values(
          (operation as { responses?: Record<string, { content?: object }> }).responses ?? {},
        ).flatMap((response) => Object.keys(response.content ?? {}));
        if (produces.some((type) => type.startsWith('text/event-stream'))) streams.add(operation.operationId);
        cases.push(...casesFor(method, path, operation, doc, (name) => ids.get(name) ?? randomUUID()));
      }
    }
    const findings: Finding[] = [];
    const statuses = new Map<number, number>();
    const refused = new Map<string, FuzzCase>();
    for (const fuzz of cases) {
      const requestId = `fuzz-${randomUUID()}`;
      let status: number;
      try {
        const response = await fetch(`${api.url}${fuzz.url}`, {
          method: fuzz.method.toUpperCase(),
          headers: {
            Cookie: session.cookie,
            'X-CSRF-Token': session.csrf,
            'X-Request-Id': requestId,
            'X-Forwarded-For': FUZZ_SOURCE,
            ...(fuzz.contentType ? { 'Content-Type': fuzz.contentType } : {}),
          },
          body: fuzz.body,
          signal: AbortSignal.timeout(TIMEOUT_MS),
        });
        status = response.status;
        // A live stream that opened is fine: stop reading it.
        if (streams.has(fuzz.operation) && status === 200) await response.body?.cancel();
        else await response.arrayBuffer();
      } catch (error) {
        findings.push({ case: fuzz, problem: `no answer within ${TIMEOUT_MS} ms (${(error as Error).name})` });
        continue;
      }
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      if (status >= 500) findings.push({ case: fuzz, problem: `answered ${status}` });
      if (!SAFE.has(fuzz.method.toUpperCase()) && status >= 400) refused.set(requestId, fuzz);
      // Some cases end the session on purpose (sign-out, revoking it): sign in again for the rest.
      if (status === 401 || fuzz.operation === 'logout' || fuzz.operation === 'revokeSession') {
        if ((await fetch(`${api.url}/api/auth/me`, { headers: { Cookie: session.cookie } })).status === 401) await signIn();
      }
    }
    const audited = new Set(
      (await queryRows(api.databaseUrl, "SELECT request_id FROM audit_log WHERE request_id LIKE 'fuzz-%'")).map((row) =>
        String(row['request_id']),
      ),
    );
    for (const [requestId, fuzz] of refused)
      if (!audited.has(requestId)) findings.push({ case: fuzz, problem: 'refused without an audit record' });

    const ready = await fetch(`${api.url}/api/health/ready`);
    // Printed for the record (jest keeps stdout): the size of the run and what it found.
    process.stdout.write(
      `fuzz: ${cases.length} requests over ${Object.values(doc.paths).reduce((n, ops) => n + Object.keys(ops).length, 0)} operations, ` +
        `${refused.size} refused state changes, ${findings.length} findings; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b)))}\n`,
    );
    expect(cases.length).toBeGreaterThan(800);
    expect(refused.size).toBeGreaterThan(500);
    expect(findings.map((f) => `${f.case.method.toUpperCase()} ${f.case.operation} [${f.case.what}]: ${f.problem}`)).toEqual([]);
    expect(ready.status).toBe(200);
  }, 600_000);
});
