import { render } from '@testing-library/react';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { http, HttpResponse } from 'msw';
import { createMemoryRouter, Outlet, RouterProvider } from 'react-router';
import type { JobDetail, JobTarget } from '@cockpit/contracts';
import { LiveEventsProvider } from '@cockpit/console-api';
import { fakeLiveConnections, hostIdOf, makeHostDetail, operatorMe } from '@cockpit/console-api/testing';
import { JobsIndicator } from '../JobsIndicator.js';
import { jobsRoutes } from '../routes.js';

/** Every request the pages sent (method, path and query), oldest first; tests clear it. */
export const requests: { method: string; path: string; query: Record<string, string> }[] = [];

const notFound = () => HttpResponse.json({ statusCode: 404, error: 'Not Found', message: 'No such job' }, { status: 404 });

const collator = new Intl.Collator('en', { numeric: true });

/** An api with these jobs and each one's targets, as the jobs pages ask it. */
export function jobsApi(jobs: JobDetail[], targets: Record<string, JobTarget[]> = {}, me: object = operatorMe) {
  const seen = (request: Request) => {
    const url = new URL(request.url);
    requests.push({ method: request.method, path: url.pathname, query: Object.fromEntries(url.searchParams) });
    return url.searchParams;
  };
  return [
    http.get('*/api/auth/me', ({ request }) => (seen(request), HttpResponse.json(me))),
    http.get('*/api/hosts/:hostId', ({ params }) => {
      const n = [1, 2, 3].find((i) => hostIdOf(i) === params['hostId']);
      return n ? HttpResponse.json(makeHostDetail(n)) : notFound();
    }),
    http.get('*/api/jobs', ({ request }) => {
      const query = seen(request);
      const matching = jobs.filter(
        (job) =>
          (query.get('active') !== 'true' || ['queued', 'running', 'cancelling'].includes(job.state)) &&
          (!query.get('state') || job.state === query.get('state')),
      );
      const limit = Number(query.get('limit') ?? 100);
      return HttpResponse.json({ items: matching.slice(0, limit), total: matching.length, nextCursor: null });
    }),
    http.get('*/api/jobs/:jobId', ({ request, params }) => {
      seen(request);
      const job = jobs.find((j) => j.id === params['jobId']);
      return job ? HttpResponse.json(job) : notFound();
    }),
    http.get('*/api/jobs/:jobId/targets', ({ request, params }) => {
      const query = seen(request);
      const all = targets[String(params['jobId'])] ?? [];
      const sort = query.get('sort') ?? 'label';
      const field = sort.replace(/^-/, '') as 'label' | 'state';
      const matching = all
        .filter((target) => !query.get('state') || target.state === query.get('state'))
        .sort((a, b) => (sort.startsWith('-') ? -1 : 1) * collator.compare(a[field], b[field]));
      const start = Number(query.get('cursor')?.slice(1) ?? 0);
      const limit = Number(query.get('limit') ?? 100);
      const end = start + limit;
      return HttpResponse.json({
        items: matching.slice(start, end),
        total: matching.length,
        nextCursor: end < matching.length ? `o${end}` : null,
      });
    }),
  ];
}

/** The jobs pages at `path`, under a masthead holding the running jobs indicator. */
export function renderJobs(path: string) {
  const router = createMemoryRouter(
    [
      {
        path: '/',
        element: (
          <>
            <header>
              <JobsIndicator />
            </header>
            <Outlet />
          </>
        ),
        children: [...jobsRoutes, { path: 'vms/:vmId', element: <p>A VM’s page</p> }],
      },
    ],
    { initialEntries: [path] },
  );
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

/** A job.progress event, as the event hub sends it. */
export function progressEvent(job: JobDetail) {
  return {
    seq: ++seq,
    ts: new Date().toISOString(),
    type: 'job.progress',
    data: {
      jobId: job.id,
      kind: job.kind,
      title: job.title,
      scopeChain: [job.scope],
      actorId: job.actor.id,
      state: job.state,
      progress: job.progress,
    },
  };
}
