import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ErrorResponse, Host, HostDetail } from '@cockpit/contracts';
import { queryRows, startVaporFleet, type RunningFleet } from '@cockpit/dev-testing';
import { signedIn, until, type Call } from '../test/sign-in.js';
import { startTestApi, type TestApi } from '../test/test-app.js';

const PASSWORD = 'hosts-admin-password';

describe('host enrollment with certificate pinning, against a real Vapor fleet over HTTPS', () => {
  let api: TestApi;
  let fleet: RunningFleet;
  let call: Call;

  beforeAll(async () => {
    [api, fleet] = await Promise.all([startTestApi({ COCKPIT_ADMIN_PASSWORD: PASSWORD }), startVaporFleet({ hosts: 3 })]);
    call = await signedIn(api, PASSWORD);
  });
  afterAll(async () => {
    await api.close();
    await fleet.stop();
  });

  it('enrolls at once when the given fingerprint matches, recording what the host says it is', async () => {
    const [first] = fleet.hosts;
    if (!first) throw new Error('empty fleet');
    const enrolled = await call('POST', '/api/hosts', { url: first.url, token: first.token, fingerprint: first.fingerprint });
    expect(enrolled.status).toBe(201);
    const host = Host.parse(enrolled.json);
    expect(host).toMatchObject({
      state: 'connected',
      name: first.hostname,
      hostUuid: first.uuid,
      fingerprint: first.fingerprint,
    });
    const detail = HostDetail.parse((await call('GET', `/api/hosts/${host.id}`)).json);
    expect(detail.pools.length).toBeGreaterThan(0);
    expect(detail.hardware?.cpu.model).toBeTruthy();
    expect(JSON.stringify(enrolled.json)).not.toContain(first.token);
    expect((await call('POST', '/api/hosts', { url: first.url, token: first.token })).status).toBe(409);
  });

  it('shows the presented fingerprint first and connects only once the administrator confirms it', async () => {
    const second = fleet.hosts[1];
    if (!second) throw new Error('fleet too small');
    const pending = Host.parse((await call('POST', '/api/hosts', { url: second.url, token: second.token })).json);
    expect(pending).toMatchObject({ state: 'pending-trust', fingerprint: second.fingerprint, hostUuid: null });
    const wrong = await call('POST', `/api/hosts/${pending.id}/trust`, { fingerprint: second.fingerprint.replace(/^../, '00') });
    expect(wrong.status).toBe(409);
    const trusted = Host.parse((await call('POST', `/api/hosts/${pending.id}/trust`, { fingerprint: second.fingerprint })).json);
    expect(trusted).toMatchObject({ state: 'connected', hostUuid: second.uuid });
  });

  it('refuses a mismatched fingerprint, a wrong token and an unreachable URL with clear 4xx, enrolling nothing', async () => {
    const third = fleet.hosts[2];
    if (!third) throw new Error('fleet too small');
    const before = ((await call('GET', '/api/hosts')).json as { total: number }).total;
    const mismatch = await call('POST', '/api/hosts', {
      url: third.url,
      token: third.token,
      fingerprint: third.fingerprint.replace(/^../, '00'),
    });
    expect(mismatch.status).toBe(409);
    expect(ErrorResponse.parse(mismatch.json).message).toMatch(/^Fingerprint mismatch: .+ presents /);
    const badToken = await call('POST', '/api/hosts', { url: third.url, token: 'x'.repeat(20), fingerprint: third.fingerprint });
    expect(badToken.status).toBe(422);
    expect(ErrorResponse.parse(badToken.json).message).toBe(`${third.url} refused the token`);
    const nowhere = await call('POST', '/api/hosts', { url: 'https://127.0.0.1:1', token: 'x'.repeat(20) });
    expect(nowhere.status).toBe(422);
    expect(ErrorResponse.parse(nowhere.json).message).toMatch(/^Cannot reach https:\/\/127\.0\.0\.1:1/);
    expect(((await call('GET', '/api/hosts')).json as { total: number }).total).toBe(before);
  });

  it('stores agent tokens encrypted, and edits a host’s token and URL only when they work', async () => {
    const [first] = fleet.hosts;
    if (!first) throw new Error('empty fleet');
    const rows = await queryRows(api.databaseUrl, 'SELECT id, token FROM hosts WHERE url = $1', [first.url]);
    const stored = String(rows[0]?.['token']);
    expect(stored).toMatch(/^v1:/);
    expect(stored).not.toContain(first.token);
    const id = String(rows[0]?.['id']);

    const refused = await call('PATCH', `/api/hosts/${id}`, { token: 'not-the-agent-token-0' });
    expect(refused.status).toBe(422);
    expect(ErrorResponse.parse(refused.json).message).toMatch(/refused the token/);
    expect(String((await queryRows(api.databaseUrl, 'SELECT token FROM hosts WHERE id = $1', [id]))[0]?.['token'])).toBe(stored);
    expect((await call('PATCH', `/api/hosts/${id}`, { token: first.token })).status).toBe(200);

    // The same agent under another URL form (localhost instead of 127.0.0.1): same certificate, same host.
    const moved = first.url.replace('127.0.0.1', 'localhost');
    const edited = await call('PATCH', `/api/hosts/${id}`, { url: moved });
    expect(edited.status).toBe(200);
    expect(Host.parse(edited.json).url).toBe(moved);
    // A URL where another host answers (same fleet certificate, another host uuid): refused, nothing changed.
    const second = fleet.hosts[2];
    if (!second) throw new Error('fleet too small');
    const elsewhere = await call('PATCH', `/api/hosts/${id}`, { url: second.url.replace('127.0.0.1', 'localhost') });
    expect(elsewhere.status).toBe(409);
    expect(Host.parse((await call('GET', `/api/hosts/${id}`)).json).url).toBe(moved);
    expect((await call('PATCH', `/api/hosts/${id}`, {})).status).toBe(400);
  });

  it('lists, disables and removes hosts', async () => {
    const hosts = ((await call('GET', '/api/hosts')).json as { items: unknown[] }).items.map((h) => Host.parse(h));
    const [host] = hosts;
    if (!host) throw new Error('no hosts');
    expect(Host.parse((await call('PATCH', `/api/hosts/${host.id}`, { enabled: false })).json)).toMatchObject({
      enabled: false,
      state: 'disabled',
    });
    // Disabled: nobody collects from it (the collector lets it go while it keeps the others), and its history stays.
    const others = hosts.filter((h) => h.id !== host.id && h.state === 'connected').map((h) => h.id);
    await until(
      async () => {
        const owned = ((await call('GET', '/api/collector/ownership')).json as { hosts: string[] }).hosts;
        return !owned.includes(host.id) && others.every((id) => owned.includes(id));
      },
      10_000,
      'the collector released the disabled host',
    );
    expect(Host.parse((await call('GET', `/api/hosts/${host.id}`)).json)).toMatchObject({ state: 'disabled' });
    expect(Host.parse((await call('PATCH', `/api/hosts/${host.id}`, { enabled: true })).json).enabled).toBe(true);
    await until(
      async () => Host.parse((await call('GET', `/api/hosts/${host.id}`)).json).state === 'connected',
      10_000,
      'collecting again',
    );
    expect((await call('DELETE', `/api/hosts/${host.id}`)).status).toBe(200);
    expect((await call('GET', `/api/hosts/${host.id}`)).status).toBe(404);
  });
});
