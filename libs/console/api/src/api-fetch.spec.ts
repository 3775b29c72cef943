import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { systemInfo } from '@cockpit/contracts';
import { ApiError, callApi } from './api-fetch.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
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

  it('explains a non-JSON error answer', async () => {
    server.use(
      http.get('*/api/info', () => new HttpResponse('upstream timeout', { status: 504, statusText: 'Gateway Timeout' })),
    );
    await expect(callApi(systemInfo)).rejects.toMatchObject({ status: 504, message: 'The api answered 504 Gateway Timeout' });
  });
});
