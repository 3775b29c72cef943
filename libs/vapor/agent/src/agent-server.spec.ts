import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { AddressInfo } from 'node:net';
import { VaporPing } from '@cockpit/contracts';
import { createAgentServer } from './agent-server.js';

describe('Vapor agent server', () => {
  const server = createAgentServer();
  let base = '';
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('answers /v1/ping with the contract shape', async () => {
    const response = await fetch(`${base}/v1/ping`);
    expect(response.status).toBe(200);
    expect(VaporPing.parse(await response.json())).toMatchObject({ agent: 'vapor', apiVersion: 'v1' });
  });

  it('answers unknown paths with a JSON 404', async () => {
    const response = await fetch(`${base}/v1/nope`);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ statusCode: 404, error: 'Not Found' });
  });
});

describe('loadVaporConfig', () => {
  it('defaults and validates', async () => {
    const { loadVaporConfig } = await import('./config.js');
    expect(loadVaporConfig({})).toEqual({ VAPOR_PORT: 9443, VAPOR_HOST: '127.0.0.1' });
    expect(() => loadVaporConfig({ VAPOR_PORT: 'x' })).toThrow(/VAPOR_PORT/);
  });
});
