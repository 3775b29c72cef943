import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { X509Certificate } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { generate } from 'selfsigned';
import { WebSocketServer } from 'ws';
import { findUnsafeText } from '@cockpit/contracts';
import { VaporClient, VaporProtocolError, VaporRequestError } from './vapor-client.js';

const UUID = '00000000-0000-4000-8000-000000000001';
const hostInfo = (hostname: string) => ({
  uuid: UUID,
  hostname,
  agentVersion: '0.1.0',
  apiVersion: 'v1',
  hypervisor: { name: 'sim', version: '1', driver: 'sim' },
  cpu: { vendor: 'x', model: 'y', features: [], sockets: 1, coresPerSocket: 2, threadsPerCore: 2 },
  memory: { totalMiB: 4096, freeMiB: 1024 },
  numa: [],
  pools: [],
  networks: [],
  bootedAt: '2025-01-01T00:00:00.000Z',
});
const control = (streamId = 'stream-1') => ({ type: 'resumed', streamId, fromSeq: 0, currentSeq: 0 });
const deleted = { seq: 1, ts: '2025-01-01T00:00:00.000Z', type: 'vm.deleted', data: { vmId: UUID } };

/**
 * A host that answers valid JSON matching the contract, except for text no contract accepts:
 * NUL (PostgreSQL cannot store it) or a lone UTF-16 surrogate (no UTF-8 form), in a value or a key.
 * The JSON escapes make both arrive as real characters after JSON.parse.
 */
const answers: Record<string, { status: number; text: string }> = {
  '/ok/v1/host': { status: 200, text: JSON.stringify(hostInfo('fine')) },
  '/nul/v1/host': { status: 200, text: JSON.stringify(hostInfo('evil\u0000host')) },
  '/surrogate/v1/host': { status: 200, text: JSON.stringify(hostInfo('evil\ud800host')) },
  '/key/v1/host': { status: 200, text: JSON.stringify({ ...hostInfo('fine'), 'extra\u0000': 1 }) },
  '/deep/v1/host': {
    status: 200,
    text: JSON.stringify({ ...hostInfo('fine'), cpu: { ...hostInfo('fine').cpu, features: ['avx', '\udc00'] } }),
  },
  [`/nul/v1/vms/${UUID}/actions`]: {
    status: 409,
    text: JSON.stringify({ statusCode: 409, error: 'Conflict', message: 'VM is \u0000 busy' }),
  },
  [`/ok/v1/vms/${UUID}/actions`]: {
    status: 409,
    text: JSON.stringify({ statusCode: 409, error: 'Conflict', message: 'VM is busy' }),
  },
};
const frames: Record<string, unknown[]> = {
  '/ok/v1/events': [control(), deleted],
  '/nul/v1/events': [control(), { ...deleted, type: 'host.changed', data: { reason: 'pools\u0000' } }],
  '/control/v1/events': [control('stream\ud83d')],
  '/clean-control/v1/events': [control('stream\ud83d\ude00')],
};

let server: Server;
let sockets: WebSocketServer;
let client: (prefix: string) => VaporClient;

beforeAll(async () => {
  const pems = await generate([{ name: 'commonName', value: 'liar' }], { keyType: 'ec', algorithm: 'sha256' });
  server = createServer({ key: pems.private, cert: pems.cert }, (req, res) => {
    const answer = answers[req.url ?? ''] ?? { status: 404, text: '{"statusCode":404,"error":"Not Found","message":"no"}' };
    res.writeHead(answer.status, { 'Content-Type': 'application/json' }).end(answer.text);
  });
  sockets = new WebSocketServer({ server });
  sockets.on('connection', (socket, req) => {
    for (const frame of frames[(req.url ?? '').split('?')[0] ?? ''] ?? []) socket.send(JSON.stringify(frame));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const fingerprint = new X509Certificate(pems.cert).fingerprint256;
  const origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  client = (prefix) =>
    new VaporClient({ baseUrl: `${origin}/${prefix}`, token: 't'.repeat(20), fingerprint }, { timeoutMs: 2000 });
});
afterAll(() => {
  for (const socket of sockets.clients) socket.terminate();
  sockets.close();
  server.closeAllConnections();
  server.close();
});

describe('VaporClient refuses unsafe text from a host like any other bad answer', () => {
  it('accepts the same answer with safe text (the positive control)', async () => {
    expect((await client('ok').host()).hostname).toBe('fine');
  });

  it.each(['nul', 'surrogate', 'key', 'deep'])('turns an answer with unsafe text (%s) into a protocol error', async (prefix) => {
    const error = await client(prefix)
      .host()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VaporProtocolError);
    expect((error as Error).message).toMatch(/breaks the Vapor API contract/);
    expect(findUnsafeText((error as Error).message)).toEqual([]);
  });

  it('does not pass a refusal’s explanation with NUL through', async () => {
    await expect(client('ok').act(UUID, 'start')).rejects.toMatchObject({ status: 409, message: 'VM is busy' });
    const error = await client('nul')
      .act(UUID, 'start')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VaporRequestError);
    expect(error).toMatchObject({ status: 409, body: undefined });
    expect((error as Error).message).not.toContain('\u0000');
  });

  /** Follows a stream until its first event (or, with `untilControl`, its control frame). */
  const follow = (prefix: string, untilControl = false) =>
    new Promise<{ controls: number; events: number; error?: Error }>((resolve, reject) => {
      let controls = 0;
      let events = 0;
      let stream: { close(): void } | undefined;
      client(prefix)
        .events(
          {},
          {
            onControl: () => {
              controls += 1;
              if (untilControl) stream?.close();
            },
            onEvent: () => {
              events += 1;
              stream?.close(); // the positive control ends here
            },
            onClose: (error) => resolve({ controls, events, error }),
          },
        )
        .then((s) => (stream = s), reject);
    });

  it('follows a clean stream (the positive control), and closes one whose frame holds NUL', async () => {
    expect(await follow('ok')).toEqual({ controls: 1, events: 1, error: undefined });
    const bad = await follow('nul');
    expect(bad).toMatchObject({ controls: 1, events: 0 });
    expect(bad.error).toBeInstanceOf(VaporProtocolError);
  });

  it('closes a stream whose control frame holds a lone surrogate', async () => {
    expect(await follow('clean-control', true)).toEqual({ controls: 1, events: 0, error: undefined });
    const bad = await follow('control', true);
    expect(bad).toMatchObject({ controls: 0, events: 0 });
    expect(bad.error).toBeInstanceOf(VaporProtocolError);
  });
});
