import { render } from '@testing-library/react';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { http, HttpResponse } from 'msw';
import { createMemoryRouter, RouterProvider, type RouteObject } from 'react-router';
import type { FleetVm, Host } from '@cockpit/contracts';
import { LiveEventsProvider } from '@cockpit/console-api';
import { adminMe, fakeLiveConnections, makeHostDetail, makeMetrics, pageOf } from '@cockpit/console-api/testing';
import { vmsRoutes } from '../routes.js';

export { listRequests, pageOf, statsFrame } from '@cockpit/console-api/testing';

export const notFound = () =>
  HttpResponse.json({ statusCode: 404, error: 'Not Found', message: 'No such object' }, { status: 404 });

/** An api serving these hosts and VMs, as the VM pages ask it. */
export function fleetApi(hosts: readonly Host[], vms: readonly FleetVm[] = [], me: object = adminMe) {
  return [
    http.get('*/api/auth/me', () => HttpResponse.json(me)),
    http.get('*/api/hosts', ({ request }) => HttpResponse.json(pageOf(hosts, new URL(request.url)))),
    http.get('*/api/hosts/:hostId', ({ params }) => {
      const index = hosts.findIndex((h) => h.id === params['hostId']);
      return index < 0 ? notFound() : HttpResponse.json({ ...makeHostDetail(index + 1), ...hosts[index] });
    }),
    http.get('*/api/vms', ({ request }) => HttpResponse.json(pageOf(vms, new URL(request.url)))),
    http.get('*/api/vms/:vmId', ({ params }) => {
      const vm = vms.find((v) => v.id === params['vmId']);
      return vm ? HttpResponse.json(vm) : notFound();
    }),
    http.get('*/api/vms/:vmId/metrics', () => HttpResponse.json(makeMetrics())),
  ];
}

/**
 * Renders the VM pages (and any `extraRoutes`) at `path` with a fresh cache and no retries, and
 * live events from a fake socket the test drives (`live.latest`).
 */
export function renderPages(path: string, extraRoutes: RouteObject[] = []) {
  const router = createMemoryRouter([{ path: '/', children: [...vmsRoutes, ...extraRoutes] }], { initialEntries: [path] });
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const live = fakeLiveConnections();
  return {
    router,
    live,
    queryClient,
    ...render(
      <QueryClientProvider client={queryClient}>
        <LiveEventsProvider connect={live.connect}>
          <RouterProvider router={router} />
        </LiveEventsProvider>
      </QueryClientProvider>,
    ),
  };
}
