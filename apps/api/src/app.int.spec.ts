import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { listRoutes } from '@cockpit/api-core';
import { allRoutes, ErrorResponse, HealthResponse, SystemInfo, toExpressPath } from '@cockpit/contracts';
import { EmbeddedPostgres } from '@cockpit/embedded-postgres';
import { startTestApi, type TestApi } from '../test/test-app.js';
import { OPENAPI_FILE } from './openapi-document.js';

describe('api on a real PostgreSQL', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(async () => {
    await api.close();
  });

  it('is live and ready, with the database checked', async () => {
    const live = await fetch(`${api.url}/api/health/live`);
    expect(live.status).toBe(200);
    const ready = await fetch(`${api.url}/api/health/ready`);
    expect(ready.status).toBe(200);
    expect(HealthResponse.parse(await ready.json()).details['database']).toMatchObject({ status: 'up' });
  });

  it('tells who answers', async () => {
    const info = SystemInfo.parse(await (await fetch(`${api.url}/api/info`)).json());
    expect(info.product).toBe('Cockpit');
  });

  it('answers unknown routes with the one error shape', async () => {
    const response = await fetch(`${api.url}/api/no-such-thing`);
    expect(response.status).toBe(404);
    expect(ErrorResponse.parse(await response.json())).toMatchObject({ statusCode: 404, error: 'Not Found' });
  });

  it('answers a malformed JSON body with 400 in the one error shape', async () => {
    const response = await fetch(`${api.url}/api/info`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"broken": ',
    });
    expect(response.status).toBe(400);
    expect(ErrorResponse.parse(await response.json())).toMatchObject({
      statusCode: 400,
      message: expect.stringMatching(/JSON/) as unknown as string,
    });
  });

  it('keeps a caller request id, or makes one, and echoes it', async () => {
    const kept = await fetch(`${api.url}/api/health/live`, { headers: { 'X-Request-Id': 'trace-42' } });
    expect(kept.headers.get('x-request-id')).toBe('trace-42');
    const made = await fetch(`${api.url}/api/health/live`);
    expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('sends security headers and hides the framework', async () => {
    const response = await fetch(`${api.url}/api/info`);
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-powered-by')).toBeNull();
  });

  it('exposes Prometheus metrics including per-route request timings', async () => {
    await fetch(`${api.url}/api/info`);
    const response = await fetch(`${api.url}/metrics`);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(text).not.toContain('cockpit_process_');
    expect(text).toMatch(/cockpit_http_request_duration_seconds_count\{method="GET",route="\/api\/info",status="200"\} [1-9]/);
  });

  it('serves the committed OpenAPI document and the offline docs UI', async () => {
    const spec = (await (await fetch(`${api.url}/api/openapi.json`)).json()) as unknown;
    expect(spec).toEqual(JSON.parse(readFileSync(OPENAPI_FILE, 'utf8')));
    const docs = await fetch(`${api.url}/api/docs`);
    expect(docs.headers.get('content-type')).toContain('text/html');
    expect(await docs.text()).toContain('/api/docs/assets/swagger-ui-bundle.js');
    for (const asset of ['swagger-ui-bundle.js', 'swagger-ui.css', 'init.js']) {
      expect((await fetch(`${api.url}/api/docs/assets/${asset}`)).status).toBe(200);
    }
  });

  it('binds every handler to a contract and every contract to a handler', () => {
    const bound = listRoutes(api.app);
    expect(bound.filter((route) => !route.def).map((r) => `${r.controller}.${r.handler}`)).toEqual([]);
    const served = new Set(bound.map((r) => `${r.method} ${r.path}`));
    const declared = allRoutes.map((def) => `${def.method} ${toExpressPath(def.path)}`);
    expect(declared.filter((route) => !served.has(route))).toEqual([]);
    expect([...served].filter((route) => !declared.includes(route))).toEqual([]);
  });
});

describe('api whose database goes away', () => {
  let dir: string;
  let server: EmbeddedPostgres;
  let api: TestApi;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cockpit-api-db-loss-'));
    server = await EmbeddedPostgres.start({ dir, settings: { fsync: 'off' } });
    api = await startTestApi({ DATABASE_URL: server.url() });
  });
  afterAll(async () => {
    await api.close().catch(() => undefined);
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('stays live but reports not ready, naming the database, and recovers when it returns', async () => {
    await server.stop();
    const started = Date.now();
    const ready = await fetch(`${api.url}/api/health/ready`);
    expect(ready.status).toBe(503);
    const body = ErrorResponse.parse(await ready.json());
    expect(body.message).toMatch(/^Not ready: database/);
    expect(body.details?.[0]?.path).toBe('database');
    expect(Date.now() - started).toBeLessThan(5000);
    expect((await fetch(`${api.url}/api/health/live`)).status).toBe(200);

    server = await EmbeddedPostgres.start({ dir, port: server.port, settings: { fsync: 'off' } });
    let status = 0;
    for (let i = 0; i < 50 && status !== 200; i++) {
      status = (await fetch(`${api.url}/api/health/ready`)).status;
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(status).toBe(200);
  });
});
