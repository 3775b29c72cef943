import { render } from '@testing-library/react';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { http, HttpResponse } from 'msw';
import { createMemoryRouter, RouterProvider, type RouteObject } from 'react-router';
import type { FleetVm, Host, Page } from '@cockpit/contracts';
import { LiveEventsProvider } from '@cockpit/console-api';
import { fakeLiveConnections } from '@cockpit/console-api/testing';
import { hostsRoutes } from '../routes.js';
import { adminMe, makeHostDetail, makeMetrics, makeSummary } from './fixtures.js';

const notFound = () => HttpResponse.json({ statusCode: 404, error: 'Not Found', message: 'No such object' }, { status: 404 });

/** Every list request the pages sent (path and query), oldest first; tests clear it. */
export const listRequests: { path: string; query: Record<string, string> }[] = [];

type Row = { id: string; name: string; state: string; createdAt: string; hostId?: string; hostName?: string };
const collator = new Intl.Collator('en', { numeric: true });

/**
 * One page of `rows` as the api answers GET /api/hosts or /api/vms: filtered (name contains, any
 * case; state; host), sorted (`-field` descending, then by id), `limit` at a time from `cursor`
 * (here simply the offset: `o<n>`).
 */
export function pageOf<T extends Row>(rows: readonly T[], url: URL): Page<T> {
  const query = url.searchParams;
  listRequests.push({ path: url.pathname, query: Object.fromEntries(query) });
  const name = query.get('name')?.toLowerCase();
  const sort = query.get('sort') ?? 'name';
  const field = sort.replace(/^-/, '') as keyof Row;
  const sign = sort.startsWith('-') ? -1 : 1;
  const matching = rows
    .filter(
      (row) =>
        (!name || row.name.toLowerCase().includes(name)) &&
        (!query.get('state') || row.state === query.get('state')) &&
        (!query.get('hostId') || row.hostId === query.get('hostId')),
    )
    .sort((a, b) => sign * collator.compare(String(a[field]), String(b[field])) || (a.id < b.id ? -1 : 1));
  const start = Number(query.get('cursor')?.slice(1) ?? 0);
  const limit = Number(query.get('limit') ?? 100);
  const end = start + limit;
  return { items: matching.slice(start, end), total: matching.length, nextCursor: end < matching.length ? `o${end}` : null };
}

/** An api serving these hosts and VMs, as the hosts pages ask it. */
export function fleetApi(hosts: readonly Host[], vms: readonly FleetVm[] = [], me: object = adminMe) {
  return [
    http.get('*/api/auth/me', () => HttpResponse.json(me)),
    http.get('*/api/hosts', ({ request }) => HttpResponse.json(pageOf(hosts, new URL(request.url)))),
    http.get('*/api/hosts/:hostId', ({ params }) => {
      const index = hosts.findIndex((h) => h.id === params['hostId']);
      return index < 0 ? notFound() : HttpResponse.json({ ...makeHostDetail(index + 1), ...hosts[index] });
    }),
    http.get('*/api/hosts/:hostId/metrics', () => HttpResponse.json(makeMetrics())),
    http.get('*/api/vms', ({ request }) => HttpResponse.json(pageOf(vms, new URL(request.url)))),
    http.get('*/api/vms/:vmId', ({ params }) => {
      const vm = vms.find((v) => v.id === params['vmId']);
      return vm ? HttpResponse.json(vm) : notFound();
    }),
    http.get('*/api/vms/:vmId/metrics', () => HttpResponse.json(makeMetrics())),
    http.get('*/api/fleet/summary', () => HttpResponse.json(makeSummary(hosts, vms))),
  ];
}

/**
 * Renders the hosts pages (and any `extraRoutes`) at `path` with a fresh cache and no retries, and
 * live events from a fake socket the test drives (`live.latest`).
 */
export function renderPages(path: string, extraRoutes: RouteObject[] = []) {
  const router = createMemoryRouter([{ path: '/', children: [...hostsRoutes, ...extraRoutes] }], { initialEntries: [path] });
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const live = fakeLiveConnections();
  return {
    router,
    live,
    ...render(
      <QueryClientProvider client={queryClient}>
        <LiveEventsProvider connect={live.connect}>
          <RouterProvider router={router} />
        </LiveEventsProvider>
      </QueryClientProvider>,
    ),
  };
}

let seq = 0;

/** A stats frame from the host, as the event hub sends it: the host's CPU and memory, and its VMs' CPU. */
export function statsFrame(hostId: string, at: number, cpuPercent: number, vms: [vmId: string, cpuPercent: number][] = []) {
  return {
    seq: ++seq,
    ts: new Date(at).toISOString(),
    type: 'stats',
    data: { hostId, at, host: [cpuPercent, 4096, 0, 0, 0, 0], vms: vms.map(([vmId, cpu]) => [vmId, cpu, 512, 0, 0, 0, 0]) },
  };
}
