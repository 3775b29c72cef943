import { render } from '@testing-library/react';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { http, HttpResponse } from 'msw';
import { createMemoryRouter, RouterProvider, type RouteObject } from 'react-router';
import type { FleetVm, Host } from '@cockpit/contracts';
import { LiveEventsProvider } from '@cockpit/console-api';
import { fakeLiveConnections } from '@cockpit/console-api/testing';
import { hostsRoutes } from '../routes.js';
import { adminMe, makeHostDetail, makeMetrics, makeSummary } from './fixtures.js';

const notFound = () => HttpResponse.json({ statusCode: 404, error: 'Not Found', message: 'No such object' }, { status: 404 });

/** An api serving these hosts and VMs, as the hosts pages ask it. */
export function fleetApi(hosts: readonly Host[], vms: readonly FleetVm[] = [], me: object = adminMe) {
  return [
    http.get('*/api/auth/me', () => HttpResponse.json(me)),
    http.get('*/api/hosts', () => HttpResponse.json(hosts)),
    http.get('*/api/hosts/:hostId', ({ params }) => {
      const index = hosts.findIndex((h) => h.id === params['hostId']);
      return index < 0 ? notFound() : HttpResponse.json({ ...makeHostDetail(index + 1), ...hosts[index] });
    }),
    http.get('*/api/hosts/:hostId/metrics', () => HttpResponse.json(makeMetrics())),
    http.get('*/api/vms', ({ request }) => {
      const hostId = new URL(request.url).searchParams.get('hostId');
      return HttpResponse.json(hostId ? vms.filter((vm) => vm.hostId === hostId) : vms);
    }),
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
