import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { X509Certificate } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { generate } from 'selfsigned';
import { VaporClient, VaporProtocolError, VaporRequestError } from './vapor-client.js';

/** A host that misbehaves in the way the request path asks for. */
let server: Server;
let client: (timeoutMs?: number) => VaporClient;

beforeAll(async () => {
  const pems = await generate([{ name: 'commonName', value: 'liar' }], { keyType: 'ec', algorithm: 'sha256' });
  server = createServer({ key: pems.private, cert: pems.cert }, (req, res) => {
    switch (req.url) {
      case '/v1/host':
        res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"uuid": "not-json');
        return;
      case '/v1/vms':
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify([{ id: 'x', name: 'vm' }]));
        return;
      case '/v1/jobs':
        return; // never answers
      default:
        res
          .writeHead(409, { 'Content-Type': 'application/json' })
          .end(JSON.stringify({ statusCode: 409, error: 'Conflict', message: 'VM is busy' }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const fingerprint = new X509Certificate(pems.cert).fingerprint256;
  const baseUrl = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  client = (timeoutMs = 2000) => new VaporClient({ baseUrl, token: 't'.repeat(20), fingerprint }, { timeoutMs });
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

describe('VaporClient against a misbehaving host', () => {
  it('turns a body that is not JSON into a protocol error', async () => {
    await expect(client().host()).rejects.toThrow(VaporProtocolError);
    await expect(client().host()).rejects.toThrow(/answered 200 with a body that is not JSON/);
  });

  it('refuses an answer that breaks the contract, naming the field', async () => {
    await expect(client().listVms()).rejects.toThrow(/breaks the Vapor API contract \(0\.id: /);
  });

  it('gives up on a host that hangs', async () => {
    await expect(client(300).listJobs()).rejects.toThrow(/did not answer within 300 ms/);
  });

  it('passes the host’s own explanation of a refusal through', async () => {
    const error = await client()
      .act('00000000-0000-4000-8000-000000000000', 'start')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VaporRequestError);
    expect(error).toMatchObject({ status: 409, message: 'VM is busy' });
  });
});
