import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { QueryClient, QueryClientProvider, useQuery } from '@tanstack/react-query';
import { act, render, screen, waitFor } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import type { ReactNode } from 'react';
import { FleetVm, Host, MetricsSeries } from '@cockpit/contracts';
import { hostQuery, hostsQuery } from './hosts.queries.js';
import { LIVE_BATCH_MS } from './live-cache.js';
import { useLiveHostMetrics, useLiveVmMetrics } from './live-metrics.js';
import { LiveEventsProvider } from './LiveEventsProvider.js';
import { appendSample } from './metrics.queries.js';
import { fakeLiveConnections } from './testing.js';
import { vmsQuery } from './vms.queries.js';

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

const requests: string[] = [];
const counted = (path: string, body: () => object) =>
  http.get(`*${path}`, ({ request }) => {
    requests.push(new URL(request.url).pathname);
    return HttpResponse.json(body());
  });
let hosts = [host];
const server = setupServer(
  counted('/api/hosts', () => hosts),
  counted('/api/hosts/:hostId', () => ({ ...host, hardware: null, pools: [], networks: [] })),
  counted('/api/vms', () => [vm]),
  counted('/api/hosts/:hostId/metrics', () => metrics),
  counted('/api/vms/:vmId/metrics', () => metrics),
);
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => {
  server.resetHandlers();
  requests.length = 0;
  hosts = [host];
});
afterAll(() => server.close());

const requestsFor = (path: string) => requests.filter((p) => p === path).length;
const pause = (ms: number) => act(() => new Promise((resolve) => setTimeout(resolve, ms)));

let seq = 100;
const event = (type: string, data: object) => ({ seq: ++seq, ts, type, data });
const vmStarted = () => event('vm.state', { vmId, hostId, state: 'running', previous: 'shutoff', at: NOW });
const statsFrame = (at: number, hostCpu: number, vmCpu: number) =>
  event('stats', { hostId, at, host: [hostCpu, 2048, 0, 0, 0, 0], vms: [[vmId, vmCpu, 1024, 0, 0, 0, 0]] });

function Fleet() {
  const hostsList = useQuery(hostsQuery());
  const vms = useQuery(vmsQuery());
  return (
    <>
      <p>CPU of lab-1: {hostsList.data?.[0]?.stats?.cpuPercent ?? 'loading'}</p>
      <p>CPU of web-1: {vms.data?.[0]?.stats?.cpuPercent ?? 'loading'}</p>
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
  it('refetches the VM lists (and the hosts, for their VM counts) after a vm.state event', async () => {
    const { socket } = renderLive(<Fleet />);
    expect(await screen.findByText('CPU of web-1: 5')).toBeInTheDocument();
    expect(requestsFor('/api/vms')).toBe(1);
    act(() => socket.receive('event', vmStarted()));
    await waitFor(() => expect(requestsFor('/api/vms')).toBe(2));
    expect(requestsFor('/api/hosts')).toBe(2);
  });

  it('refetches once for a burst of events', async () => {
    const { socket } = renderLive(<Fleet />);
    await screen.findByText('CPU of web-1: 5');
    act(() => {
      for (let i = 0; i < 2_000; i += 1) socket.receive('event', vmStarted());
    });
    await waitFor(() => expect(requestsFor('/api/vms')).toBe(2));
    await pause(LIVE_BATCH_MS * 2);
    expect(requestsFor('/api/vms')).toBe(2);
    expect(requestsFor('/api/hosts')).toBe(2);
  });

  it('refetches a host and the hosts list on host.status, leaving the VMs alone', async () => {
    const { socket, queryClient } = renderLive(<Fleet />);
    await screen.findByText('CPU of web-1: 5');
    hosts = [{ ...host, state: 'unreachable', stateReason: 'connect ETIMEDOUT' }];
    act(() =>
      socket.receive(
        'event',
        event('host.status', { hostId, state: 'unreachable', stateReason: 'connect ETIMEDOUT', ownerInstance: null }),
      ),
    );
    await waitFor(() => expect(queryClient.getQueryData(hostsQuery().queryKey)?.[0]?.state).toBe('unreachable'));
    await pause(LIVE_BATCH_MS * 2);
    expect(requestsFor('/api/vms')).toBe(1);
  });

  it('writes a stats frame into the host and VM rows without refetching', async () => {
    const { socket, queryClient } = renderLive(<Fleet />);
    await screen.findByText('CPU of lab-1: 12');
    await screen.findByText('CPU of web-1: 5');
    act(() => socket.receive('event', statsFrame(NOW + 5_000, 77.5, 33)));
    expect(await screen.findByText('CPU of lab-1: 77.5')).toBeInTheDocument();
    expect(screen.getByText('CPU of web-1: 33')).toBeInTheDocument();
    expect(queryClient.getQueryData(hostsQuery().queryKey)?.[0]?.stats).toEqual({
      cpuPercent: 77.5,
      memoryUsedMiB: 2048,
      at: new Date(NOW + 5_000).toISOString(),
    });
    await pause(LIVE_BATCH_MS * 2);
    expect(requestsFor('/api/hosts')).toBe(1);
    expect(requestsFor('/api/vms')).toBe(1);
  });

  it('keeps a newer sample than a late frame', async () => {
    const { socket } = renderLive(<Fleet />);
    await screen.findByText('CPU of lab-1: 12');
    act(() => socket.receive('event', statsFrame(NOW - 5_000, 99, 99)));
    await pause(LIVE_BATCH_MS * 2);
    expect(screen.getByText('CPU of lab-1: 12')).toBeInTheDocument();
  });

  it('refetches everything on resync', async () => {
    const { socket, queryClient } = renderLive(<Fleet />);
    await screen.findByText('CPU of web-1: 5');
    await queryClient.prefetchQuery(hostQuery(hostId));
    expect(requests).toHaveLength(3);
    act(() => socket.receive('resync', { reason: 'Events since that sequence are no longer kept: reload over REST', seq: 5 }));
    await waitFor(() => expect(requestsFor('/api/vms')).toBe(2));
    expect(requestsFor('/api/hosts')).toBe(2);
    // Not shown anywhere: marked out of date, to be fetched when it is.
    expect(queryClient.getQueryState(hostQuery(hostId).queryKey)?.isInvalidated).toBe(true);
  });

  it('after a reconnect, retries what failed to load while the api was away', async () => {
    server.use(http.get('*/api/vms', () => HttpResponse.error(), { once: true }));
    const { socket } = renderLive(<Fleet />);
    await screen.findByText('CPU of lab-1: 12');
    await pause(50);
    expect(screen.getByText('CPU of web-1: loading')).toBeInTheDocument();
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
    // A frame older than the last point would run the time axis backwards.
    act(() => socket.receive('event', statsFrame(NOW + 5_000, 50, 9)));
    await pause(50);
    expect(screen.getByText('Host CPU points: 2 3 40')).toBeInTheDocument();
    expect(requestsFor('/api/hosts/10000000-0000-4000-8000-000000000001/metrics')).toBe(1);
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
