import { render } from '@testing-library/react';
import { QueryClient, QueryClientProvider, useQuery } from '@tanstack/react-query';
import { http, HttpResponse } from 'msw';
import { createMemoryRouter, RouterProvider, useParams } from 'react-router';
import type { FleetVm, Host, MigrateOptions, Migration, MovePlan, Preflight } from '@cockpit/contracts';
import { hostQuery, LiveEventsProvider, vmQuery } from '@cockpit/console-api';
import {
  fakeLiveConnections,
  makeHostDetail,
  makeJob,
  makeMigration,
  makePreflight,
  migrationIdOf,
  operatorMe,
  pageOf,
} from '@cockpit/console-api/testing';
import { EvacuateHostButton } from '../EvacuateHost.js';
import { migrationsRoutes } from '../routes.js';
import { VmMigrationActions } from '../VmMigrationActions.js';

/** What the pages sent: method, path, query and body, oldest first; tests clear it. */
export const requests: { method: string; path: string; query: Record<string, string>; body: unknown }[] = [];

async function seen(request: Request) {
  const url = new URL(request.url);
  const text = request.method === 'GET' ? '' : await request.clone().text();
  const body: unknown = text ? JSON.parse(text) : undefined;
  requests.push({ method: request.method, path: url.pathname, query: Object.fromEntries(url.searchParams), body });
  return { url, body };
}

/** The request's JSON body, recorded. */
const bodyOf = async <T,>(request: Request) => (await seen(request)).body as T;

export const sentTo = (method: string, path: string) =>
  requests.filter((r) => r.method === method && r.path === path).map((r) => r.body);

const problem = (status: number, message: string, details?: { path: string; message: string }[]) =>
  HttpResponse.json({ statusCode: status, error: status === 404 ? 'Not Found' : 'Conflict', message, details }, { status });

/** The fake fleet the migration pages talk to: change it between steps of a test. */
export interface World {
  hosts: Host[];
  vms: FleetVm[];
  migrations: Migration[];
  /** The pre-flight of a VM to a host with these options (a passing one unless told). */
  preflight: (vm: FleetVm, target: Host, options: MigrateOptions) => Preflight;
  evacuation?: MovePlan;
  rebalance?: MovePlan;
  me?: object;
}

const ACTIVE = ['queued', 'preflight', 'running', 'completing'];

/** The api of `world`, as the migration pages ask it. */
export function migrationsApi(world: World) {
  const vmOf = (id: unknown) => world.vms.find((vm) => vm.id === id);
  const hostOf = (id: unknown) => world.hosts.find((host) => host.id === id);
  const started = (vm: FleetVm, target: Host, overrides: Partial<Migration>) => {
    const migration = makeMigration(world.migrations.length + 50, vm, target, {
      state: 'queued',
      progress: null,
      startedAt: null,
      ...overrides,
    });
    world.migrations.unshift(migration);
    return HttpResponse.json(migration, { status: 202 });
  };
  return [
    http.get('*/api/auth/me', () => HttpResponse.json(world.me ?? operatorMe)),
    http.get('*/api/hosts', ({ request }) => HttpResponse.json(pageOf(world.hosts, new URL(request.url)))),
    http.get('*/api/hosts/:hostId', ({ params }) => {
      const index = world.hosts.findIndex((host) => host.id === params['hostId']);
      return index < 0
        ? problem(404, 'No such host')
        : HttpResponse.json({ ...makeHostDetail(index + 1), ...world.hosts[index] });
    }),
    http.get('*/api/vms/:vmId', ({ params }) => {
      const vm = vmOf(params['vmId']);
      return vm ? HttpResponse.json(vm) : problem(404, 'No such VM');
    }),
    http.post('*/api/migrations/preflight/matrix', async ({ request }) => {
      const body = await bodyOf<{ vmIds: string[]; options: MigrateOptions }>(request);
      const results = body.vmIds.flatMap((id) => {
        const vm = vmOf(id);
        return vm
          ? world.hosts.filter((host) => host.id !== vm.hostId).map((host) => world.preflight(vm, host, body.options))
          : [];
      });
      return HttpResponse.json({ results });
    }),
    http.post('*/api/migrations/preflight', async ({ request }) => {
      const body = await bodyOf<{ vmId: string; targetHostId: string; options: MigrateOptions }>(request);
      const vm = vmOf(body.vmId);
      const target = hostOf(body.targetHostId);
      return vm && target ? HttpResponse.json(world.preflight(vm, target, body.options)) : problem(404, 'No such VM or host');
    }),
    http.post('*/api/migrations/storage', async ({ request }) => {
      const body = await bodyOf<{ vmId: string; disks: { diskId: string; targetPoolId: string }[] }>(request);
      const vm = vmOf(body.vmId);
      const host = vm && hostOf(vm.hostId);
      if (!vm || !host) return problem(404, 'No such VM');
      const storage = body.disks.map((disk) => ({
        diskId: disk.diskId,
        fromPoolId: vm.disks.find((d) => d.id === disk.diskId)?.poolId ?? '',
        toPoolId: disk.targetPoolId,
        state: 'pending' as const,
      }));
      return started(vm, host, { type: 'storage', storage });
    }),
    http.post('*/api/migrations/rebalance', async ({ request }) => {
      const body = await bodyOf<{ dryRun: boolean }>(request);
      const plan = world.rebalance;
      if (!plan) return problem(404, 'No plan');
      const ids = body.dryRun ? [] : plan.moves.map((_, index) => migrationIdOf(80 + index));
      return HttpResponse.json({ plan, job: body.dryRun ? null : makeJob(90, { total: ids.length }), migrations: ids });
    }),
    http.post('*/api/migrations', async ({ request }) => {
      const body = await bodyOf<{ vmId: string; targetHostId: string; options?: MigrateOptions }>(request);
      const vm = vmOf(body.vmId);
      const target = hostOf(body.targetHostId);
      if (!vm || !target) return problem(404, 'No such VM or host');
      const preflight = world.preflight(vm, target, body.options ?? {});
      const failed = preflight.checks.filter((check) => check.outcome === 'fail');
      if (failed.length)
        return problem(
          409,
          `Cannot migrate ${vm.name} to ${target.name}: ${failed.map((check) => check.message).join('; ')}`,
          failed.map((check) => ({ path: check.check, message: check.message })),
        );
      return started(vm, target, { options: preflight.options, preflight: preflight.checks });
    }),
    http.get('*/api/migrations', async ({ request }) => {
      const { url } = await seen(request);
      const query = url.searchParams;
      const matching = world.migrations.filter(
        (m) =>
          (query.get('active') !== 'true' || ACTIVE.includes(m.state)) &&
          (!query.get('state') || m.state === query.get('state')) &&
          (!query.get('vmId') || m.vmId === query.get('vmId')) &&
          (!query.get('hostId') || m.source.id === query.get('hostId') || m.target.id === query.get('hostId')),
      );
      const limit = Number(query.get('limit') ?? 100);
      return HttpResponse.json({ items: matching.slice(0, limit), total: matching.length, nextCursor: null });
    }),
    http.get('*/api/migrations/:migrationId', async ({ request, params }) => {
      await seen(request);
      const migration = world.migrations.find((m) => m.id === params['migrationId']);
      return migration ? HttpResponse.json(migration) : problem(404, 'No such migration');
    }),
    http.post('*/api/migrations/:migrationId/cancel', async ({ request, params }) => {
      await seen(request);
      const migration = world.migrations.find((m) => m.id === params['migrationId']);
      return migration ? HttpResponse.json(migration, { status: 202 }) : problem(404, 'No such migration');
    }),
    http.patch('*/api/migrations/:migrationId', async ({ request, params }) => {
      const body = await bodyOf<{ maxBandwidthMBps: number | null }>(request);
      const index = world.migrations.findIndex((m) => m.id === params['migrationId']);
      const migration = world.migrations[index];
      if (!migration) return problem(404, 'No such migration');
      const changed = { ...migration, options: { ...migration.options, maxBandwidthMBps: body.maxBandwidthMBps } };
      world.migrations[index] = changed;
      return HttpResponse.json(changed);
    }),
    http.post('*/api/hosts/:hostId/evacuation', async ({ request }) => {
      const body = await bodyOf<{ dryRun: boolean }>(request);
      const plan = world.evacuation;
      if (!plan) return problem(404, 'No plan');
      const ids = body.dryRun ? [] : plan.moves.map((_, index) => migrationIdOf(70 + index));
      return HttpResponse.json({ plan, job: body.dryRun ? null : makeJob(91, { total: ids.length }), migrations: ids });
    }),
  ];
}

/** A passing pre-flight for every host. */
export const everyHostPasses: World['preflight'] = (vm, target) => makePreflight(vm, target);

/** A VM's page, as far as migrations go: its name and the migration actions. */
function VmPage() {
  const { vmId = '' } = useParams();
  const vm = useQuery(vmQuery(vmId));
  if (!vm.data) return <p>Loading the VM</p>;
  return (
    <>
      <h1>{vm.data.name}</h1>
      <VmMigrationActions vm={vm.data} />
    </>
  );
}

/** A host's page, as far as migrations go: Evacuate. */
function HostPage() {
  const { hostId = '' } = useParams();
  const host = useQuery(hostQuery(hostId));
  if (!host.data) return <p>Loading the host</p>;
  return (
    <>
      <h1>{host.data.name}</h1>
      <EvacuateHostButton host={host.data} />
    </>
  );
}

/** The migration pages at `path`, with a VM's and a host's page holding their migration actions. */
export function renderMigrations(path: string) {
  const router = createMemoryRouter(
    [
      {
        path: '/',
        children: [
          ...migrationsRoutes,
          { path: 'vms/:vmId', element: <VmPage /> },
          { path: 'hosts/:hostId', element: <HostPage /> },
          { path: 'jobs/:jobId', element: <p>A job’s page</p> },
        ],
      },
    ],
    { initialEntries: [path] },
  );
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

let seq = 0;

/** A job.progress event with the migration part: it moved on (state, reason, progress). */
export function migrationEvent(migration: Migration, changes: Partial<Pick<Migration, 'state' | 'reason' | 'progress'>> = {}) {
  const next = { ...migration, ...changes };
  return {
    seq: ++seq,
    ts: new Date().toISOString(),
    type: 'job.progress',
    data: {
      jobId: migration.jobId,
      kind: 'vm.migration',
      title: `Migrate ${migration.vmName} to ${migration.target.name}`,
      scopeChain: [`/vms/${migration.vmId}`, `/hosts/${migration.source.id}`, '/'],
      actorId: null,
      state: ACTIVE.includes(next.state) ? 'running' : next.state === 'succeeded' ? 'succeeded' : 'failed',
      progress: { total: 1, done: 0, succeeded: 0, failed: 0, skipped: 0, cancelled: 0 },
      migration: {
        migrationId: migration.id,
        vmId: migration.vmId,
        state: next.state,
        reason: next.reason,
        progress: next.progress,
      },
    },
  };
}
