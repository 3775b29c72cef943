import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { act, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { fleetApi, listRequests, renderPages, statsFrame } from './test/api.js';
import { described } from './test/description.js';
import { fleetOf, hostIdOf, makeHostDetail, makeVm, NOW } from '@cockpit/console-api/testing';

const hosts = fleetOf(3);
const [host] = hosts as [(typeof hosts)[number]];
const vms = [makeVm(1, host), makeVm(2, host), makeVm(3, hosts[1] ?? host)];
const server = setupServer(...fleetApi(hosts, vms));
beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterEach(() => {
  server.resetHandlers();
  listRequests.length = 0;
});
afterAll(() => server.close());

describe('Host detail page', () => {
  it('shows the header and the hardware overview', async () => {
    const user = userEvent.setup();
    renderPages(`/hosts/${host.id}`);
    expect(await screen.findByRole('heading', { level: 1, name: 'host-001' })).toBeInTheDocument();
    expect(screen.getByText('connected')).toBeInTheDocument();
    expect(described('Owner instance')).toBe('api-2');
    expect(described('Agent version')).toBe('0.1.0');

    expect(described('Vendor')).toBe('GenuineIntel');
    expect(described('Topology')).toBe('2 sockets × 16 cores × 2 threads = 64 threads');
    expect(described('Total')).toBe('256 GiB');
    expect(described('Free')).toBe('128 GiB');
    expect(described('Driver')).toBe('sim');
    expect(screen.getByText('vapor-sim')).toBeInTheDocument();
    const numa = screen.getByRole('grid', { name: 'NUMA nodes' });
    expect(
      within(numa)
        .getAllByRole('row')
        .map((row) => row.textContent),
    ).toEqual(['NodeCPUsMemory', '00-15,32-47128 GiB', '116-31128 GiB']);
    expect(screen.queryByText('avx512f')).not.toBeVisible();
    await user.click(screen.getByRole('button', { name: '5 features' }));
    expect(screen.getByText('avx512f')).toBeVisible();
  });

  it('lists storage pools with their use, and bridges with VLAN and MTU', async () => {
    const user = userEvent.setup();
    renderPages(`/hosts/${host.id}`);
    await user.click(await screen.findByRole('tab', { name: 'Storage pools (2)' }));
    const pools = screen.getByRole('grid', { name: 'Storage pools' });
    expect(within(pools).getByText('local-ssd')).toBeInTheDocument();
    expect(within(pools).getByRole('progressbar', { name: 'Space used in local-ssd' })).toHaveAttribute('aria-valuenow', '50');
    expect(within(pools).getByText('1.0 TiB (10.0%)')).toBeInTheDocument();

    await user.click(screen.getByRole('tab', { name: 'Networks (2)' }));
    const networks = screen.getByRole('grid', { name: 'Networks' });
    const rows = within(networks)
      .getAllByRole('row')
      .map((row) => row.textContent);
    expect(rows).toEqual(['BridgeTypeVLANMTU', 'br-prodbridge1009000', 'br-mgmtbridgeuntagged1500']);
  });

  it('lists the host’s own VMs, asking the server for that host’s only, linking to each', async () => {
    const user = userEvent.setup();
    renderPages(`/hosts/${host.id}?tab=vms`);
    const table = await screen.findByRole('grid', { name: 'Virtual machines' });
    await within(table).findByRole('link', { name: 'vm-001' });
    expect(within(table).getAllByRole('row')).toHaveLength(3);
    expect(listRequests.filter((request) => request.path === '/api/vms').map((request) => request.query)).toEqual([
      { hostId: host.id, sort: 'name', limit: '100' },
    ]);
    expect(within(table).getByRole('link', { name: 'vm-001' })).toHaveAttribute('href', `/vms/${vms[0]?.id}`);
    expect(within(table).queryByText('vm-003')).not.toBeInTheDocument();
    expect(within(table).queryByRole('columnheader', { name: 'Host' })).not.toBeInTheDocument();
    await user.click(within(table).getByRole('link', { name: 'vm-001' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'vm-001' })).toBeInTheDocument();
  });

  it('charts CPU, memory, disk and network, each summed up for screen readers', async () => {
    renderPages(`/hosts/${host.id}?tab=metrics`);
    expect(await screen.findByRole('img', { name: 'CPU, latest: CPU 42.5%' })).toBeInTheDocument();
    expect(screen.getByRole('img', { name: 'Memory, latest: Used 2.0 GiB' })).toBeInTheDocument();
    expect(screen.getByRole('img', { name: 'Disk I/O, latest: Read 1.0 MiB/s, Write 512 KiB/s' })).toBeInTheDocument();
    expect(screen.getByRole('img', { name: 'Network, latest: Received 2.0 KiB/s, Sent 1.0 KiB/s' })).toBeInTheDocument();
    expect(screen.getByText(/Last hour, raw samples every 10 s/)).toBeInTheDocument();
  });

  it('extends the charts with the host’s live samples, and with no other host’s', async () => {
    const { live } = renderPages(`/hosts/${host.id}?tab=metrics`);
    expect(await screen.findByRole('img', { name: 'CPU, latest: CPU 42.5%' })).toHaveAttribute('data-points', '360');
    act(() => live.latest.goLive());
    act(() => live.latest.receive('event', statsFrame(hostIdOf(2), NOW, 99)));
    act(() => live.latest.receive('event', statsFrame(host.id, NOW, 77.5)));
    expect(await screen.findByRole('img', { name: 'CPU, latest: CPU 77.5%' })).toHaveAttribute('data-points', '361');
    expect(screen.getByRole('img', { name: 'Memory, latest: Used 4.0 GiB' })).toBeInTheDocument();
  });

  it('says when a host has no inventory yet', async () => {
    server.use(http.get('*/api/hosts/:hostId', () => HttpResponse.json(makeHostDetail(3, { hardware: null, pools: [] }))));
    renderPages(`/hosts/${hostIdOf(3)}`);
    expect(await screen.findByText('No hardware inventory yet')).toBeInTheDocument();
    expect(screen.getByText('pending-trust')).toBeInTheDocument();
    expect(screen.getByText('Confirm the certificate fingerprint')).toBeInTheDocument();
  });

  it('answers an unknown host plainly', async () => {
    renderPages(`/hosts/${hostIdOf(999)}`);
    expect(await screen.findByRole('heading', { name: 'No such host' })).toBeInTheDocument();
  });
});
