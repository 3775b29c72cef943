import { http, HttpResponse } from 'msw';

export const info = { product: 'Cockpit', version: '0.1.0', instanceId: 'api-test-1', startedAt: '2026-11-22T03:00:00.000Z' };
const health = { status: 'ok', info: { database: { status: 'up' } }, error: {}, details: { database: { status: 'up' } } };

/** A healthy api, as far as the shell asks it anything. */
export const healthyApi = [
  http.get('*/api/info', () => HttpResponse.json(info)),
  http.get('*/api/health/ready', () => HttpResponse.json(health)),
];
