import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { QueryClient } from '@tanstack/react-query';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { LIVE_REFRESH_MS } from './live.js';
import { hostMetricsQuery, vmMetricsQuery } from './metrics.queries.js';
import { hostsQuery } from './hosts.queries.js';
import { vmsQuery } from './vms.queries.js';

const hostId = '10000000-0000-4000-8000-000000000001';
const series = {
  resolution: 'raw',
  stepSeconds: 10,
  from: '2026-11-22T11:00:00.000Z',
  to: '2026-11-22T12:00:00.000Z',
  timestamps: [],
  series: { cpuPercent: [], memoryUsedMiB: [], diskReadBps: [], diskWriteBps: [], netRxBps: [], netTxBps: [] },
};

const seen: URL[] = [];
const server = setupServer(
  http.get('*/api/vms', ({ request }) => (seen.push(new URL(request.url)), HttpResponse.json([]))),
  http.get('*/api/hosts/:hostId/metrics', ({ request }) => (seen.push(new URL(request.url)), HttpResponse.json(series))),
);
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => {
  server.resetHandlers();
  seen.length = 0;
});
afterAll(() => server.close());

describe('fleet queries', () => {
  it('sends a VM filter as query parameters, leaving out what is not set', async () => {
    await new QueryClient().fetchQuery(vmsQuery({ hostId, state: undefined }));
    expect(seen[0]?.search).toBe(`?hostId=${hostId}`);
  });

  it('resolves a sliding metrics window when fetching, under a key that does not move', async () => {
    const before = Date.now();
    const query = hostMetricsQuery(hostId, { lastSeconds: 600, step: 5 });
    await new QueryClient().fetchQuery(query);
    const from = Date.parse(seen[0]?.searchParams.get('from') ?? '');
    expect(from).toBeGreaterThanOrEqual(before - 600_000);
    expect(from).toBeLessThanOrEqual(Date.now() - 600_000);
    expect(seen[0]?.searchParams.get('step')).toBe('5');
    expect(seen[0]?.searchParams.has('to')).toBe(false);
    expect(query.queryKey).toEqual(['hosts', hostId, 'metrics', { lastSeconds: 600, step: 5 }]);
  });

  it('refreshes lists and sliding windows live, and a fixed range never', () => {
    expect(hostsQuery().refetchInterval).toBe(LIVE_REFRESH_MS);
    expect(hostMetricsQuery(hostId).refetchInterval).toBe(LIVE_REFRESH_MS);
    const fixed = { from: '2026-11-22T10:00:00.000Z', to: '2026-11-22T11:00:00.000Z' };
    expect(vmMetricsQuery(hostId, fixed).refetchInterval).toBe(false);
  });
});
