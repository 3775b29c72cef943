import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { findUnsafeText } from '@cockpit/contracts';
import { SimWorld } from '@cockpit/vapor-sim';
import { rawRequest } from '../test/raw-http.js';
import { startAgentServer, type RunningAgent } from './agent-server.js';
import { loadOrCreateTlsIdentity } from './tls-identity.js';

const TOKEN = 'unsafe-text-token-0123456789';
const auth = { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' };
const vm = (extra: Record<string, unknown> = {}) => ({ name: 'text-check', vcpus: 1, memoryMiB: 256, ...extra });

describe('the agent refuses NUL and lone surrogates anywhere in a request, naming the field', () => {
  let dir: string;
  let world: SimWorld;
  let agent: RunningAgent;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'vapor-text-'));
    const tls = await loadOrCreateTlsIdentity(dir);
    world = new SimWorld({ seed: 9, hosts: 1, vmsPerHost: 0, statsIntervalMs: 60_000 });
    const [host] = world.hosts;
    if (!host) throw new Error('no host');
    agent = await startAgentServer(
      { hosts: [{ uuid: host.uuid, driver: host }], token: TOKEN, tls },
      { port: 0, host: '127.0.0.1' },
    );
  });
  afterAll(async () => {
    await agent.close();
    await world.close();
    await rm(dir, { recursive: true, force: true });
  });

  const post = (p: string, body: unknown) =>
    rawRequest(agent.port, p, { method: 'POST', headers: auth, body: JSON.stringify(body) });

  it('accepts the same requests with clean text (the positive control)', async () => {
    expect((await post('/v1/vms', vm({ cpu: { model: 'host-model', features: ['avx'] } }))).status).toBe(201);
    expect((await post('/v1/exec', { argv: ['echo', 'a b'] })).status).toBe(200);
  });

  it.each([
    ['a NUL in a value', vm({ name: 'nul-value', cpu: { model: 'host\u0000model', features: [] } }), 'body.cpu.model'],
    [
      'a lone surrogate in an array item',
      vm({ name: 'surrogate', cpu: { model: 'm', features: ['ok', '\ud800'] } }),
      'body.cpu.features.1',
    ],
    ['a NUL in a key the schema would drop', { ...vm({ name: 'nul-key' }), 'x\u0000': 1 }, 'body.x\ufffd'],
    [
      'a lone low surrogate in a nested key',
      vm({ name: 'nested-key', cpu: { model: 'm', features: [], '\udc00': true } }),
      'body.cpu.\ufffd',
    ],
  ])('refuses %s with a 400 naming it', async (_name, body, field) => {
    const answer = await post('/v1/vms', body);
    expect(answer.status).toBe(400);
    const refusal = JSON.parse(answer.text) as { details: { path: string; message: string }[] };
    expect(refusal.details.map((d) => d.path)).toEqual([field]);
    expect(refusal.details[0]?.message).toMatch(/NUL|surrogate/);
    expect(findUnsafeText(refusal)).toEqual([]); // the refusal itself is clean
  });

  it('refuses NUL in a command argument', async () => {
    const answer = await post('/v1/exec', { argv: ['echo', 'a\u0000b'] });
    expect(answer.status).toBe(400);
    expect((JSON.parse(answer.text) as { details: { path: string }[] }).details[0]?.path).toBe('body.argv.1');
  });

  it('creates nothing from a refused request', async () => {
    const names = world.hosts[0]?.listVms().map((v) => v.name);
    expect(names).toEqual(['text-check']);
  });

  it('refuses an event stream whose query holds NUL (after a clean one opens)', async () => {
    const open = (query: string) =>
      new Promise<{ code?: number; frames: number }>((resolve) => {
        const socket = new WebSocket(`wss://127.0.0.1:${agent.port}/v1/events${query}`, {
          headers: { Authorization: `Bearer ${TOKEN}` },
          rejectUnauthorized: false,
        });
        let frames = 0;
        socket.on('message', () => {
          frames += 1;
          socket.close();
        });
        socket.on('close', (code) => resolve({ code, frames }));
      });
    expect((await open('?since=0&stream=abc')).frames).toBe(1);
    expect(await open('?since=0&stream=a%00b')).toEqual({ code: 1008, frames: 0 });
  });
});
