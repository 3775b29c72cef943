import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { actOnVm, createToken, getHost, listVms, systemInfo, updateHost } from '@cockpit/contracts';
import { ApiError, callApi, ifMatch } from './api-fetch.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

describe('callApi', () => {
  it('returns the answer when it matches the contract', async () => {
    const info = { product: 'Cockpit', version: '1.2.3', instanceId: 'api-1', startedAt: '2026-11-22T03:00:00.000Z' };
    server.use(http.get('*/api/info', () => HttpResponse.json(info)));
    await expect(callApi(systemInfo)).resolves.toEqual(info);
  });

  it('raises the api error shape as ApiError', async () => {
    server.use(
      http.get('*/api/info', () =>
        HttpResponse.json({ statusCode: 503, error: 'Service Unavailable', message: 'database down' }, { status: 503 }),
      ),
    );
    const error = await callApi(systemInfo).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 503, message: 'database down' });
  });

  it('refuses an answer that does not match the contract', async () => {
    server.use(http.get('*/api/info', () => HttpResponse.json({ product: 'Other' })));
    await expect(callApi(systemInfo)).rejects.toMatchObject({ status: 502, message: 'Unexpected answer from GET /api/info' });
  });

  it('fills path parameters and query from the route’s types, and sends the body with the CSRF token', async () => {
    const hostId = '10000000-0000-4000-8000-000000000001';
    let seen: { url: URL; body: unknown } | undefined;
    server.use(
      http.patch('*/api/hosts/:hostId', async ({ request }) => {
        seen = { url: new URL(request.url), body: await request.json() };
        return HttpResponse.json({ statusCode: 409, error: 'Conflict', message: 'busy' }, { status: 409 });
      }),
    );
    await expect(callApi(updateHost, { params: { hostId }, body: { enabled: false } })).rejects.toMatchObject({ status: 409 });
    expect(seen?.url.pathname).toBe(`/api/hosts/${hostId}`);
    expect(seen?.body).toEqual({ enabled: false });
  });

  it('takes its types from the route (checked by the typecheck, not run)', () => {
    const typed = async () => {
      await callApi(listVms, { query: { state: 'running', limit: 100, hostId: 'x' } });
      // @ts-expect-error: GET /api/hosts/{hostId} needs its hostId
      await callApi(getHost);
      // @ts-expect-error: and no other parameter
      await callApi(getHost, { params: { vmId: 'x' } });
      // @ts-expect-error: a GET takes no body
      await callApi(getHost, { params: { hostId: 'x' }, body: {} });
      // @ts-expect-error: `enabled` is a boolean
      await callApi(updateHost, { params: { hostId: 'x' }, body: { enabled: 'yes' } });
      // @ts-expect-error: not a VM state
      await callApi(listVms, { query: { state: 'sleeping' } });
      // Fields with a default (scope, expiry) may be left out.
      await callApi(createToken, { body: { name: 'ci', permissions: ['vm.view'] } });
      const page = await callApi(listVms);
      const total: number = page.total;
      const name: string | undefined = page.items[0]?.name;
      return [total, name];
    };
    expect(typeof typed).toBe('function');
  });

  it('explains a non-JSON error answer', async () => {
    server.use(
      http.get('*/api/info', () => new HttpResponse('upstream timeout', { status: 504, statusText: 'Gateway Timeout' })),
    );
    await expect(callApi(systemInfo)).rejects.toMatchObject({ status: 504, message: 'The api answered 504 Gateway Timeout' });
  });

  it('sends the headers it is given, such as If-Match with the VM’s generation, and relays a 412', async () => {
    const vmId = '20000000-0000-4000-8000-000000000001';
    let seen: Headers | undefined;
    server.use(
      http.post('*/api/vms/:vmId/actions', ({ request }) => {
        seen = request.headers;
        return HttpResponse.json(
          { statusCode: 412, error: 'Precondition Failed', message: 'VM vm-001 changed since you read it' },
          { status: 412 },
        );
      }),
    );
    const answer = callApi(actOnVm, { params: { vmId }, body: { action: 'start' }, headers: ifMatch(7) });
    await expect(answer).rejects.toMatchObject({ status: 412, message: 'VM vm-001 changed since you read it' });
    expect(seen?.get('if-match')).toBe('"7"');
    expect(seen?.get('accept')).toBe('application/json');
    expect(seen?.get('content-type')).toBe('application/json');
  });
});
