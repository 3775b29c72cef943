import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import type { FleetVm, Host } from '@cockpit/contracts';
import { fleetApi, listRequests, renderPages, statsFrame } from './test/api.js';
import { described } from './test/description.js';
import { fleetOf, makeVm, NOW, vmIdOf } from '@cockpit/console-api/testing';

const hosts = fleetOf(12);
// 120 VMs, ten per host.
const vms = Array.from({ length: 10 }).flatMap((_, round) => hosts.map((host, i) => makeVm(round * hosts.length + i + 1, host)));
const server = setupServer(...fleetApi(hosts, vms));
beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterEach(() => {
  server.resetHandlers();
  listRequests.length = 0;
});
afterAll(() => server.close());

async function vmNames() {
  const table = await screen.findByRole('grid', { name: 'Virtual machines' });
  const [, ...rows] = within(table).getAllByRole('row');
  return rows.map((row) => within(row).queryAllByRole('link')[0]?.textContent);
}
const vmsAsked = () => listRequests.filter((request) => request.path === '/api/vms').map((request) => request.query);
const byName = (list: readonly FleetVm[]) => list.map((vm) => vm.name).sort();

describe('VMs page', () => {
  it('lists the first page of VMs with their hosts', async () => {
    renderPages('/vms');
    await waitFor(async () => expect(await vmNames()).toHaveLength(100));
    expect((await vmNames())[0]).toBe('vm-001');
    const table = screen.getByRole('grid', { name: 'Virtual machines' });
    expect(within(table).getAllByRole('link', { name: 'host-001' })[0]).toHaveAttribute('href', `/hosts/${hosts[0]?.id}`);
    expect(vmsAsked()).toEqual([{ sort: 'name', limit: '100' }]);
  });

  it('shows its first rows at once with 100,000 VMs: it asks for one page of 100, never for all', async () => {
    const host = hosts[0] as Host;
    server.use(
      http.get('*/api/vms', ({ request }) => {
        const url = new URL(request.url);
        listRequests.push({ path: url.pathname, query: Object.fromEntries(url.searchParams) });
        const start = Number(url.searchParams.get('cursor')?.slice(1) ?? 0);
        const limit = Number(url.searchParams.get('limit'));
        const items = Array.from({ length: limit }, (_, i) => makeVm(start + i + 1, host));
        return HttpResponse.json({ items, total: 100_000, nextCursor: `o${start + limit}` });
      }),
    );
    const started = performance.now();
    renderPages('/vms');
    await waitFor(async () => expect(await vmNames()).toHaveLength(100));
    // jsdom on a busy CI machine is several times slower than a browser; the bound is for a
    // page of 100, which the whole fleet (100,000 rows) could never meet.
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(screen.getAllByText('100,000', { selector: 'b' })[0]).toBeInTheDocument();
    expect(vmsAsked()).toEqual([{ sort: 'name', limit: '100' }]);
  });

  it('filters by state, by host and by name on the server, and sorts by host', async () => {
    const user = userEvent.setup();
    const { router } = renderPages('/vms?limit=20');
    await waitFor(async () => expect(await vmNames()).toHaveLength(20));
    const paused = vms.filter((vm) => vm.state === 'paused');
    await user.selectOptions(screen.getByRole('combobox', { name: 'Filter VMs by state' }), 'paused');
    await waitFor(async () => expect(await vmNames()).toEqual(byName(paused).slice(0, 20)));

    await user.click(screen.getByRole('combobox', { name: 'Filter VMs by host' }));
    await user.type(screen.getByRole('combobox', { name: 'Filter VMs by host' }), 'host-002');
    await user.click(await screen.findByRole('option', { name: 'host-002' }));
    const onHost2 = paused.filter((vm) => vm.hostName === 'host-002');
    await waitFor(async () => expect(await vmNames()).toEqual(byName(onHost2)));
    expect(router.state.location.search).toBe(`?limit=20&state=paused&hostId=${hosts[1]?.id}`);
    expect(screen.getByRole('combobox', { name: 'Filter VMs by host' })).toHaveValue('host-002');

    await user.click(screen.getByRole('button', { name: 'Any host' }));
    await user.selectOptions(screen.getByRole('combobox', { name: 'Filter VMs by state' }), 'All states');
    await user.type(screen.getByRole('textbox', { name: 'Filter VMs by name' }), 'vm-01');
    await waitFor(async () => expect(await vmNames()).toEqual(byName(vms.filter((vm) => vm.name.includes('vm-01')))));
    expect(vmsAsked().at(-1)).toEqual({ name: 'vm-01', sort: 'name', limit: '20' });

    await user.click(screen.getByRole('button', { name: 'Host' }));
    await waitFor(() => expect(vmsAsked().at(-1)).toEqual({ name: 'vm-01', sort: 'hostName', limit: '20' }));
    const byHost = vms
      .filter((vm) => vm.name.includes('vm-01'))
      .sort((a, b) => a.hostName.localeCompare(b.hostName) || (a.id < b.id ? -1 : 1));
    await waitFor(async () => expect(await vmNames()).toEqual(byHost.map((vm) => vm.name)));
  });

  it('starts filtered to the host in the address, and names it', async () => {
    renderPages(`/vms?hostId=${hosts[4]?.id}`);
    await waitFor(async () => expect(await vmNames()).toEqual(byName(vms.filter((vm) => vm.hostId === hosts[4]?.id))));
    expect(vmsAsked()).toEqual([{ hostId: hosts[4]?.id, sort: 'name', limit: '100' }]);
    await waitFor(() => expect(screen.getByRole('combobox', { name: 'Filter VMs by host' })).toHaveValue('host-005'));
  });

  it('shows why the VMs could not be loaded rather than an empty list', async () => {
    server.use(
      http.get('*/api/vms', () =>
        HttpResponse.json({ statusCode: 503, error: 'Service Unavailable', message: 'database down' }, { status: 503 }),
      ),
    );
    renderPages('/vms');
    expect(await screen.findByRole('heading', { name: 'Could not load the VMs' })).toBeInTheDocument();
    expect(screen.getByText('database down')).toBeInTheDocument();
    expect(screen.queryByText('No virtual machines')).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Try again' })).toBeEnabled();
  });
});

describe('VM detail page', () => {
  const [vm] = vms as [(typeof vms)[number]];

  it('shows the configuration, disks, network interfaces and the host', async () => {
    renderPages(`/vms/${vm.id}`);
    expect(await screen.findByRole('heading', { level: 1, name: 'vm-001' })).toBeInTheDocument();
    expect(described('vCPUs')).toBe('2');
    expect(described('Memory')).toBe('2.0 GiB');
    expect(described('CPU model')).toBe('host-model');
    expect(described('CPU features')).toBe('avx2');
    expect(described('Generation')).toBe('3');
    expect(screen.getAllByRole('link', { name: 'host-001' })[0]).toHaveAttribute('href', `/hosts/${vm.hostId}`);

    const disks = screen.getByRole('grid', { name: 'Disks' });
    expect(within(disks).getAllByRole('row')[1]).toHaveTextContent('vdalocal-ssdqcow2virtio20.0 GiB5.0 GiB');
    const nics = screen.getByRole('grid', { name: 'Network interfaces' });
    expect(within(nics).getAllByRole('row')[1]).toHaveTextContent('net0br-prod52:54:00:00:00:01virtio');
  });

  it('charts the VM’s CPU, memory, disk and network', async () => {
    renderPages(`/vms/${vm.id}`);
    expect(await screen.findByRole('img', { name: 'CPU, latest: CPU 42.5%' })).toBeInTheDocument();
    expect(screen.getByRole('img', { name: /^Network, latest/ })).toBeInTheDocument();
  });

  it('follows the VM’s live samples from its host’s stats frames: its use, and its charts', async () => {
    const { live } = renderPages(`/vms/${vm.id}`);
    expect(await screen.findByRole('img', { name: 'CPU, latest: CPU 42.5%' })).toHaveAttribute('data-points', '360');
    act(() => live.latest.goLive());
    act(() => live.latest.receive('event', statsFrame(vm.hostId, NOW, 12.5, [[vm.id, 61.5]])));
    expect(await screen.findByRole('img', { name: 'CPU, latest: CPU 61.5%' })).toHaveAttribute('data-points', '361');
    await waitFor(() => expect(screen.getByRole('progressbar', { name: 'CPU use' })).toHaveAttribute('aria-valuenow', '61.5'));
  });

  it('answers an unknown VM plainly', async () => {
    renderPages(`/vms/${vmIdOf(999)}`);
    expect(await screen.findByRole('heading', { name: 'No such VM' })).toBeInTheDocument();
  });
});
