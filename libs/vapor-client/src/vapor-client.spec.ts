import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { X509Certificate } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { generate } from 'selfsigned';
import { VaporClient, VaporProtocolError, VaporRequestError } from './vapor-client.js';

const JOB_ID = '00000000-0000-4000-8000-00000000f00d';
/** A running migration as a host reports it, with the limit it was asked for. */
const job = (maxBandwidthMBps: unknown) => ({
  id: JOB_ID,
  type: 'migration',
  vmId: '00000000-0000-4000-8000-000000000000',
  state: 'running',
  progress: {
    phase: 'copying-ram',
    transferredBytes: 1,
    remainingBytes: 1,
    totalBytes: 2,
    dirtyPagesRate: 0,
    throughputMBps: 1,
    expectedDowntimeMs: 1,
    iteration: 0,
    cpuThrottlePercent: 0,
  },
  maxBandwidthMBps,
  startedAt: '2025-01-01T00:00:00.000Z',
  finishedAt: null,
  result: null,
});

/** A host that misbehaves in the way the request path asks for. */
let server: Server;
let client: (timeoutMs?: number) => VaporClient;

beforeAll(async () => {
  const pems = await generate([{ name: 'commonName', value: 'liar' }], { keyType: 'ec', algorithm: 'sha256' });
  server = createServer({ key: pems.private, cert: pems.cert }, (req, res) => {
    if (req.method === 'PATCH' && req.url === `/v1/jobs/${JOB_ID}`) {
      // Answers the limit it was sent; asked for 7 MB/s, it lies with 0 (which breaks the contract).
      let text = '';
      req.on('data', (chunk: Buffer) => (text += chunk.toString()));
      req.on('end', () => {
        const { maxBandwidthMBps } = JSON.parse(text) as { maxBandwidthMBps: number | null };
        res
          .writeHead(200, { 'Content-Type': 'application/json' })
          .end(JSON.stringify(job(maxBandwidthMBps === 7 ? 0 : maxBandwidthMBps)));
      });
      return;
    }
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

  it('sends a job’s new bandwidth as PATCH /v1/jobs/{jobId} and checks the limit the host answers', async () => {
    expect(await client().setJobBandwidth(JOB_ID, 250)).toMatchObject({ id: JOB_ID, maxBandwidthMBps: 250 });
    expect((await client().setJobBandwidth(JOB_ID, null)).maxBandwidthMBps).toBeNull();
    await expect(client().setJobBandwidth(JOB_ID, 7)).rejects.toThrow(/breaks the Vapor API contract \(maxBandwidthMBps: /);
  });
});
