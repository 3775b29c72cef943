import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { QueryClient } from '@tanstack/react-query';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { hostMetricsQuery, vmMetricsQuery } from './metrics.queries.js';
import { fleetSummaryQuery, hostQuery, hostsPageQuery } from './hosts.queries.js';
import { vmQuery, vmsPageQuery } from './vms.queries.js';

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
  http.get(
    '*/api/vms',
    ({ request }) => (seen.push(new URL(request.url)), HttpResponse.json({ items: [], total: 0, nextCursor: null })),
  ),
  http.get('*/api/hosts/:hostId/metrics', ({ request }) => (seen.push(new URL(request.url)), HttpResponse.json(series))),
);
beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterEach(() => {
  server.resetHandlers();
  seen.length = 0;
});
afterAll(() => server.close());

describe('fleet queries', () => {
  it('sends a VM filter as query parameters, leaving out what is not set', async () => {
    await new QueryClient().fetchQuery(vmsPageQuery({ hostId, state: undefined, name: '' }));
    expect(seen[0]?.search).toBe(`?hostId=${hostId}`);
  });

  it('asks for one page: its size, sort and the cursor of the previous page', async () => {
    const query = vmsPageQuery({ limit: 100, sort: '-hostName', cursor: 'abc_1', state: 'running' });
    await new QueryClient().fetchQuery(query);
    expect(Object.fromEntries(seen[0]?.searchParams ?? [])).toEqual({
      limit: '100',
      sort: '-hostName',
      cursor: 'abc_1',
      state: 'running',
    });
    // Under the VM lists' prefix, so live events reach every page.
    expect(query.queryKey.slice(0, 2)).toEqual(['vms', 'list']);
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

  it('does not poll: live events keep lists, details and charts current', () => {
    const queries = [
      hostsPageQuery(),
      hostQuery(hostId),
      fleetSummaryQuery(),
      vmsPageQuery(),
      vmQuery(hostId),
      hostMetricsQuery(hostId),
      vmMetricsQuery(hostId),
    ];
    for (const query of queries) expect(query).not.toHaveProperty('refetchInterval');
  });
});
