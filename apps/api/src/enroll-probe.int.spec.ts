import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { ErrorResponse } from '@cockpit/contracts';
import { queryRows, startVaporFleet, type RunningFleet } from '@cockpit/dev-testing';
import { generate } from 'selfsigned';
import { fetchPeerCertificate } from '@cockpit/vapor-client';
import { signedIn, type Call } from '../test/sign-in.js';
import { startTestApi, type TestApi } from '../test/test-app.js';

const PASSWORD = 'enroll-probe-admin-password';
/** Text a probed service answers with; it must never come back to the caller. */
const REMOTE_TEXT = 'intranet-secret-7f3a';

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('enrolling is not a probe of the api’s network', () => {
  let api: TestApi;
  let strict: TestApi;
  let fleet: RunningFleet;
  let call: Call;
  let strictCall: Call;
  const servers: Server[] = [];

  const enroll = async (caller: Call, body: Record<string, unknown>) => {
    const answer = await caller('POST', '/api/hosts', { token: 'some-agent-token-123456', ...body });
    return { status: answer.status, message: answer.status >= 400 ? ErrorResponse.parse(answer.json).message : '' };
  };
  const hostCount = async (databaseUrl: string) =>
    Number((await queryRows(databaseUrl, 'SELECT count(*)::int AS n FROM hosts'))[0]?.['n']);

  beforeAll(async () => {
    [api, strict, fleet] = await Promise.all([
      startTestApi({ COCKPIT_ADMIN_PASSWORD: PASSWORD }),
      startTestApi({ COCKPIT_ADMIN_PASSWORD: PASSWORD, HOST_ENROLL_DENY_NETWORKS: '127.0.0.0/8,::1/128' }),
      startVaporFleet({ hosts: 1 }),
    ]);
    [call, strictCall] = await Promise.all([signedIn(api, PASSWORD), signedIn(strict, PASSWORD)]);
  });
  afterAll(async () => {
    for (const server of servers) server.close();
    await Promise.all([api.close(), strict.close(), fleet.stop()]);
  });

  it.each(['https://169.254.169.254:9443', 'https://[::ffff:169.254.169.254]:9443', 'https://[fe80::1]:9443'])(
    'refuses the link-local target %s before connecting',
    async (url) => {
      const refused = await enroll(call, { url });
      expect(refused.status).toBe(422);
      expect(refused.message).toMatch(/in a network hosts may not be enrolled from \(HOST_ENROLL_DENY_NETWORKS: 169\.254/);
      expect(await hostCount(api.databaseUrl)).toBe(0);
    },
  );

  it('refuses a denied network by address and by name, and enrolls the same host where it is allowed', async () => {
    const host = fleet.hosts[0];
    if (!host) throw new Error('empty fleet');
    const byAddress = await enroll(strictCall, { url: host.url, token: host.token, fingerprint: host.fingerprint });
    expect(byAddress.status).toBe(422);
    expect(byAddress.message).toContain('HOST_ENROLL_DENY_NETWORKS: 127.0.0.0/8');
    const byName = await enroll(strictCall, { url: host.url.replace('127.0.0.1', 'localhost'), token: host.token });
    expect(byName.status).toBe(422);
    expect(await hostCount(strict.databaseUrl)).toBe(0);
    // Positive control: the default policy (not production) lets the local fleet in.
    const allowed = await enroll(call, { url: host.url, token: host.token, fingerprint: host.fingerprint });
    expect(allowed.status).toBe(201);
  });

  it('says "cannot reach" when nothing listens', async () => {
    const server = createHttpServer();
    const address = await listen(server);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const refused = await enroll(call, { url: `https://${address}` });
    expect(refused).toEqual({ status: 422, message: `Cannot reach https://${address}: the connection was refused` });
  });

  it('says "no TLS handshake" for a plain-http service, without its words', async () => {
    const server = createHttpServer((_req, res) => res.end(REMOTE_TEXT));
    servers.push(server);
    const address = await listen(server);
    const refused = await enroll(call, { url: `https://${address}` });
    expect(refused.status).toBe(422);
    expect(refused.message).toMatch(/did not complete a TLS handshake/);
    expect(refused.message).not.toContain(REMOTE_TEXT);
  });

  it.each([
    ['a web page', 200, 'text/html', `<html>${REMOTE_TEXT}</html>`, /not as a Vapor agent/],
    [
      'a JSON 404',
      404,
      'application/json',
      JSON.stringify({ statusCode: 404, error: 'x', message: REMOTE_TEXT }),
      /not as a Vapor agent/,
    ],
    [
      'a 401',
      401,
      'application/json',
      JSON.stringify({ statusCode: 401, error: 'x', message: REMOTE_TEXT }),
      /refused the token/,
    ],
    [
      'a JSON 500',
      500,
      'application/json',
      JSON.stringify({ statusCode: 500, error: 'x', message: REMOTE_TEXT }),
      /answered HTTP 500: it is not a working Vapor agent/,
    ],
  ])(
    'names the class of problem for an HTTPS service answering %s, never its text',
    async (_what, status, type, body, expected) => {
      const tls = await generate([{ name: 'commonName', value: 'not-a-vapor-agent' }], { keyType: 'ec', curve: 'P-256' });
      const server = createHttpsServer({ key: tls.private, cert: tls.cert }, (_req, res) => {
        res.writeHead(status, { 'Content-Type': type }).end(body);
      });
      servers.push(server);
      const url = `https://${await listen(server)}`;
      const { fingerprint } = await fetchPeerCertificate(url);
      const before = await hostCount(api.databaseUrl);
      const refused = await enroll(call, { url, fingerprint });
      expect(refused.status).toBe(422);
      expect(refused.message).toMatch(expected);
      expect(refused.message).not.toContain(REMOTE_TEXT);
      expect(await hostCount(api.databaseUrl)).toBe(before);
    },
  );
});
