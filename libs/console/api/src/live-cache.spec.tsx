import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { QueryClient, QueryClientProvider, useQuery } from '@tanstack/react-query';
import { act, render, screen, waitFor } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import type { ReactNode } from 'react';
import { FleetVm, Host, JobSummary, MetricsSeries } from '@cockpit/contracts';
import { hostQuery, hostsPageQuery } from './hosts.queries.js';
import { activeJobsQuery, jobQuery } from './jobs.queries.js';
import { useLiveHostMetrics, useLiveVmMetrics } from './live-metrics.js';
import { LiveEventsProvider } from './LiveEventsProvider.js';
import { appendSample } from './metrics.queries.js';
import { fakeLiveConnections, type FakeLiveSocket } from './testing.js';
import { vmSnapshotsQuery, vmsPageQuery } from './vms.queries.js';

const hostId = '10000000-0000-4000-8000-000000000001';
const vmId = '20000000-0000-4000-8000-000000000001';
const ts = '2026-11-22T12:00:00.000Z';
const NOW = Date.parse(ts);

const host = Host.parse({
  id: hostId,
  url: 'https://lab-1.example:9443',
  name: 'lab-1',
  state: 'connected',
  stateReason: null,
  fingerprint: 'AB:CD',
  enabled: true,
  hostUuid: null,
  agentVersion: '0.1.0',
  cpuModel: 'Cascadelake-Server',
  cpuThreads: 64,
  memoryTotalMiB: 65_536,
  stats: { cpuPercent: 12, memoryUsedMiB: 1024, at: ts },
  vmCount: 1,
  vmsRunning: 1,
  ownerInstance: 'api-1',
  lastSeenAt: ts,
  createdAt: ts,
});
const otherHost = Host.parse({ ...host, id: '10000000-0000-4000-8000-000000000002', name: 'lab-2' });
const vm = FleetVm.parse({
  id: vmId,
  hostId,
  hostName: 'lab-1',
  name: 'web-1',
  state: 'running',
  vcpus: 2,
  memoryMiB: 4096,
  cpu: { model: 'host-model', features: [] },
  disks: [],
  nics: [],
  autostart: false,
  bootOrder: ['disk', 'network'],
  pendingChanges: {},
  snapshotCount: 0,
  generation: 1,
  createdAt: ts,
  updatedAt: ts,
  stats: { cpuPercent: 5, memoryUsedMiB: 512, at: ts },
});
const metrics = MetricsSeries.parse({
  resolution: 'raw',
  stepSeconds: 10,
  from: new Date(NOW - 3_600_000).toISOString(),
  to: ts,
  timestamps: [NOW - 3_600_000, NOW - 1_800_000, NOW],
  series: {
    cpuPercent: [1, 2, 3],
    memoryUsedMiB: [10, 20, 30],
    diskReadBps: [0, 0, 0],
    diskWriteBps: [0, 0, 0],
    netRxBps: [0, 0, 0],
    netTxBps: [0, 0, 0],
  },
});

const jobId = '30000000-0000-4000-8000-000000000001';
const job = JobSummary.parse({
  id: jobId,
  kind: 'vm.bulk-action',
  title: 'Start 2 VMs',
  scope: '/',
  actor: { id: '00000000-0000-4000-8000-000000000001', name: 'admin' },
  state: 'running',
  progress: { total: 2, done: 1, succeeded: 1, failed: 0, skipped: 0, cancelled: 0 },
  attempts: 1,
  instance: 'api-1',
  error: null,
  createdAt: ts,
  startedAt: ts,
  finishedAt: null,
});

/** Each request's path and query, as the api saw it. */
const requests: { path: string; search: string }[] = [];
const counted = (path: string, body: () => object) =>
  http.get(`*${path}`, ({ request }) => {
    const url = new URL(request.url);
    requests.push({ path: url.pathname, search: url.search });
    return HttpResponse.json(body());
  });
const pageOf = <T,>(items: T[]) => ({ items, total: items.length, nextCursor: null });
let hosts = [host, otherHost];
const server = setupServer(
  counted('/api/hosts', () => pageOf(hosts)),
  counted('/api/hosts/:hostId', () => ({ ...host, hardware: null, pools: [], networks: [] })),
  counted('/api/vms', () => pageOf([vm])),
  counted('/api/hosts/:hostId/metrics', () => metrics),
  counted('/api/vms/:vmId/metrics', () => metrics),
  counted('/api/vms/:vmId/snapshots', () => pageOf([])),
  counted('/api/jobs', () => pageOf([job])),
  counted('/api/jobs/:jobId', () => ({ ...job, params: {} })),
);
beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterEach(() => {
  server.resetHandlers();
  requests.length = 0;
  hosts = [host, otherHost];
});
afterAll(() => server.close());

const requestsFor = (path: string, search?: string) =>
  requests.filter((r) => r.path === path && (search === undefined || r.search === search)).length;

let seq = 100;
const event = (type: string, data: object) => ({ seq: ++seq, ts, type, data });
const vmPaused = () => event('vm.state', { vmId, hostId, state: 'paused', previous: 'running', at: NOW });
const vmCreated = () => event('vm.created', { vmId, hostId, name: 'web-1' });
const hostUnreachable = () =>
  event('host.status', { hostId, state: 'unreachable', stateReason: 'connect ETIMEDOUT', ownerInstance: null });
const statsFrame = (at: number, hostCpu: number, vmCpu: number, forHost = hostId) =>
  event('stats', { hostId: forHost, at, host: [hostCpu, 2048, 0, 0, 0, 0], vms: [[vmId, vmCpu, 1024, 0, 0, 0, 0]] });

/**
 * A positive control for "and nothing else was fetched": a host.status event refetches the hosts
 * list in a later batch than anything sent before it, so once that refetch is seen, any refetch
 * the earlier events caused would have been seen too.
 */
async function afterTheNextBatch(socket: FakeLiveSocket) {
  const before = requestsFor('/api/hosts');
  act(() => socket.receive('event', hostUnreachable()));
  await waitFor(() => expect(requestsFor('/api/hosts')).toBe(before + 1));
}

function Fleet() {
  const hostsList = useQuery(hostsPageQuery());
  const vms = useQuery(vmsPageQuery());
  const running = useQuery(vmsPageQuery({ state: 'running' }));
  const [first] = vms.data?.items ?? [];
  return (
    <>
      <p>CPU of lab-1: {hostsList.data?.items[0]?.stats?.cpuPercent ?? 'loading'}</p>
      <p>CPU of lab-2: {hostsList.data?.items[1]?.stats?.cpuPercent ?? 'loading'}</p>
      <p>CPU of web-1: {vms.isError ? 'failed' : (first?.stats?.cpuPercent ?? 'loading')}</p>
      <p>State of web-1: {first?.state ?? 'loading'}</p>
      <p>Running VMs: {running.data?.total ?? 'loading'}</p>
    </>
  );
}

function Charts() {
  const hostMetrics = useLiveHostMetrics(hostId);
  const vmMetrics = useLiveVmMetrics(vmId, hostId);
  return (
    <>
      <p>Host CPU points: {hostMetrics.data?.series.cpuPercent.join(' ') ?? 'loading'}</p>
      <p>VM CPU points: {vmMetrics.data?.series.cpuPercent.join(' ') ?? 'loading'}</p>
    </>
  );
}

function JobsAndSnapshots() {
  const jobs = useQuery(activeJobsQuery());
  const one = useQuery(jobQuery(jobId));
  const snapshots = useQuery(vmSnapshotsQuery(vmId));
  return (
    <p>
      Jobs: {jobs.data?.total ?? 'loading'}, job: {one.data?.state ?? 'loading'}, snapshots: {snapshots.data?.total ?? 'loading'}
    </p>
  );
}

function renderLive(children: ReactNode) {
  const connections = fakeLiveConnections();
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <QueryClientProvider client={queryClient}>
      <LiveEventsProvider connect={connections.connect}>{children}</LiveEventsProvider>
    </QueryClientProvider>,
  );
  const socket = connections.latest;
  act(() => socket.goLive(seq));
  return { socket, queryClient };
}

describe('the query cache, kept current by live events', () => {
  it('writes a vm.state event into every cached page the VM is on, refetching only the lists filtered by state', async () => {
    const { socket } = renderLive(<Fleet />);
    expect(await screen.findByText('State of web-1: running')).toBeInTheDocument();
    await screen.findByText('Running VMs: 1');
    expect(requestsFor('/api/vms', '')).toBe(1);
    expect(requestsFor('/api/vms', '?state=running')).toBe(1);

    act(() => socket.receive('event', vmPaused()));
    expect(await screen.findByText('State of web-1: paused')).toBeInTheDocument();
    // The hosts show how many VMs run; a list of running VMs may have lost one.
    await waitFor(() => expect(requestsFor('/api/hosts')).toBe(2));
    await waitFor(() => expect(requestsFor('/api/vms', '?state=running')).toBe(2));
    await afterTheNextBatch(socket);
    expect(requestsFor('/api/vms', '')).toBe(1);
  });

  it('refetches the VM lists once for a burst of events that add rows', async () => {
    const { socket } = renderLive(<Fleet />);
    await screen.findByText('CPU of web-1: 5');
    act(() => {
      for (let i = 0; i < 2_000; i += 1) socket.receive('event', vmCreated());
    });
    await waitFor(() => expect(requestsFor('/api/vms', '')).toBe(2));
    await afterTheNextBatch(socket);
    expect(requestsFor('/api/vms', '')).toBe(2);
    // The burst's one refetch of the hosts, and the control's.
    expect(requestsFor('/api/hosts')).toBe(3);
  });

  it('refetches a host and the hosts list on host.status, leaving the VMs alone', async () => {
    const { socket, queryClient } = renderLive(<Fleet />);
    await screen.findByText('CPU of web-1: 5');
    hosts = [{ ...host, state: 'unreachable', stateReason: 'connect ETIMEDOUT' }, otherHost];
    act(() => socket.receive('event', hostUnreachable()));
    await waitFor(() => expect(queryClient.getQueryData(hostsPageQuery().queryKey)?.items[0]?.state).toBe('unreachable'));
    expect(requestsFor('/api/vms')).toBe(2);
  });

  it('writes a stats frame into the host and VM rows without refetching', async () => {
    const { socket, queryClient } = renderLive(<Fleet />);
    await screen.findByText('CPU of lab-1: 12');
    await screen.findByText('CPU of web-1: 5');
    act(() => socket.receive('event', statsFrame(NOW + 5_000, 77.5, 33)));
    expect(await screen.findByText('CPU of lab-1: 77.5')).toBeInTheDocument();
    expect(screen.getByText('CPU of web-1: 33')).toBeInTheDocument();
    expect(queryClient.getQueryData(hostsPageQuery().queryKey)?.items[0]?.stats).toEqual({
      cpuPercent: 77.5,
      memoryUsedMiB: 2048,
      at: new Date(NOW + 5_000).toISOString(),
    });
    await afterTheNextBatch(socket);
    expect(requestsFor('/api/hosts')).toBe(2);
    expect(requestsFor('/api/vms')).toBe(2);
  });

  it('keeps a newer sample than a late frame', async () => {
    const { socket } = renderLive(<Fleet />);
    await screen.findByText('CPU of lab-1: 12');
    act(() => {
      socket.receive('event', statsFrame(NOW - 5_000, 99, 99));
      // In the same batch: a current frame from the other host, to see the batch applied.
      socket.receive('event', statsFrame(NOW + 5_000, 41, 5, otherHost.id));
    });
    expect(await screen.findByText('CPU of lab-2: 41')).toBeInTheDocument();
    expect(screen.getByText('CPU of lab-1: 12')).toBeInTheDocument();
  });

  it('refetches everything on resync', async () => {
    const { socket, queryClient } = renderLive(<Fleet />);
    await screen.findByText('CPU of web-1: 5');
    await screen.findByText('Running VMs: 1');
    await queryClient.prefetchQuery(hostQuery(hostId));
    expect(requests).toHaveLength(4);
    act(() => socket.receive('resync', { reason: 'Events since that sequence are no longer kept: reload over REST', seq: 5 }));
    await waitFor(() => expect(requestsFor('/api/vms')).toBe(4));
    expect(requestsFor('/api/hosts')).toBe(2);
    // Not shown anywhere: marked out of date, to be fetched when it is.
    expect(queryClient.getQueryState(hostQuery(hostId).queryKey)?.isInvalidated).toBe(true);
  });

  it('after a reconnect, retries what failed to load while the api was away', async () => {
    server.use(http.get('*/api/vms', () => HttpResponse.error(), { once: true }));
    const { socket } = renderLive(<Fleet />);
    expect(await screen.findByText('CPU of web-1: failed')).toBeInTheDocument();
    act(() => socket.connectionLost());
    act(() => socket.goLive(seq));
    expect(await screen.findByText('CPU of web-1: 5')).toBeInTheDocument();
  });

  it('appends the host’s and the VM’s samples from stats frames to their charts, without refetching', async () => {
    const { socket } = renderLive(<Charts />);
    expect(await screen.findByText('Host CPU points: 1 2 3')).toBeInTheDocument();
    expect(await screen.findByText('VM CPU points: 1 2 3')).toBeInTheDocument();
    act(() => socket.receive('event', statsFrame(NOW + 10_000, 40, 8)));
    // The first point is now more than an hour before the latest: it goes.
    expect(await screen.findByText('Host CPU points: 2 3 40')).toBeInTheDocument();
    expect(screen.getByText('VM CPU points: 2 3 8')).toBeInTheDocument();
    // A frame older than the last point would run the time axis backwards: the next one is appended, it is not.
    act(() => socket.receive('event', statsFrame(NOW + 5_000, 50, 9)));
    act(() => socket.receive('event', statsFrame(NOW + 20_000, 60, 10)));
    expect(await screen.findByText('Host CPU points: 2 3 40 60')).toBeInTheDocument();
    expect(screen.getByText('VM CPU points: 2 3 8 10')).toBeInTheDocument();
    expect(requestsFor('/api/hosts/10000000-0000-4000-8000-000000000001/metrics')).toBe(1);
  });

  it('refetches the job lists and the job on job.progress, and a VM’s snapshots on vm.updated', async () => {
    const { socket } = renderLive(<JobsAndSnapshots />);
    expect(await screen.findByText('Jobs: 1, job: running, snapshots: 0')).toBeInTheDocument();
    expect(requestsFor('/api/jobs', '?active=true&mine=true&limit=10')).toBe(1);
    const progress = { jobId, kind: 'vm.bulk-action', title: 'Start 2 VMs', scopeChain: ['/'], actorId: null, state: 'running' };
    act(() => {
      for (let done = 1; done <= 2; done += 1)
        socket.receive('event', event('job.progress', { ...progress, progress: { ...job.progress, done } }));
    });
    await waitFor(() => expect(requestsFor('/api/jobs', '?active=true&mine=true&limit=10')).toBe(2));
    await waitFor(() => expect(requestsFor(`/api/jobs/${jobId}`)).toBe(2));
    expect(requestsFor(`/api/vms/${vmId}/snapshots`)).toBe(1);
    act(() => socket.receive('event', event('vm.updated', { vmId, hostId })));
    await waitFor(() => expect(requestsFor(`/api/vms/${vmId}/snapshots`)).toBe(2));
  });
});

describe('appendSample', () => {
  it('appends after the last point, keeps the window, and leaves an older sample out', () => {
    const later = appendSample(metrics, NOW + 1_000, [9, 90, 1, 2, 3, 4], 3_600_000);
    expect(later.timestamps).toEqual([NOW - 1_800_000, NOW, NOW + 1_000]);
    expect(later.series.cpuPercent).toEqual([2, 3, 9]);
    expect(later.series.netTxBps).toEqual([0, 0, 4]);
    expect(later.to).toBe(new Date(NOW + 1_000).toISOString());
    expect(appendSample(metrics, NOW, [9, 90, 1, 2, 3, 4], 3_600_000)).toBe(metrics);
  });
});
