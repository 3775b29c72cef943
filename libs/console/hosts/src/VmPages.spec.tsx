import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { setupServer } from 'msw/node';
import { fleetApi, renderPages, statsFrame } from './test/api.js';
import { described } from './test/description.js';
import { fleetOf, makeVm, NOW, vmIdOf } from './test/fixtures.js';

const hosts = fleetOf(12);
// 120 VMs, ten per host.
const vms = Array.from({ length: 10 }).flatMap((_, round) => hosts.map((host, i) => makeVm(round * hosts.length + i + 1, host)));
const server = setupServer(...fleetApi(hosts, vms));
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

async function vmNames() {
  const table = await screen.findByRole('grid', { name: 'Virtual machines' });
  const [, ...rows] = within(table).getAllByRole('row');
  return rows.map((row) => within(row).getAllByRole('link')[0]?.textContent);
}

describe('VMs page', () => {
  it('lists every VM with its host, 50 to a page', async () => {
    renderPages('/vms');
    const names = await vmNames();
    expect(names).toHaveLength(50);
    expect(names[0]).toBe('vm-001');
    const table = screen.getByRole('grid', { name: 'Virtual machines' });
    expect(within(table).getAllByRole('link', { name: 'host-001' })[0]).toHaveAttribute('href', `/hosts/${hosts[0]?.id}`);
  });

  it('filters by state, by host and by name, and sorts by vCPUs', async () => {
    const user = userEvent.setup();
    renderPages('/vms');
    await vmNames();
    const paused = vms.filter((vm) => vm.state === 'paused');
    await user.click(screen.getByRole('button', { name: `paused (${paused.length})` }));
    expect(await vmNames()).toEqual(paused.map((vm) => vm.name));

    await user.selectOptions(screen.getByRole('combobox', { name: 'Filter VMs by host' }), 'host-002');
    expect(await vmNames()).toEqual(paused.filter((vm) => vm.hostName === 'host-002').map((vm) => vm.name));

    await user.click(screen.getByRole('button', { name: `All (${vms.length})` }));
    await user.type(screen.getByRole('textbox', { name: 'Filter VMs by name' }), 'vm-01');
    expect(await vmNames()).toEqual(['vm-014']);

    await user.clear(screen.getByRole('textbox', { name: 'Filter VMs by name' }));
    await user.selectOptions(screen.getByRole('combobox', { name: 'Filter VMs by host' }), 'All hosts');
    await user.click(screen.getByRole('button', { name: 'vCPUs' }));
    await user.click(screen.getByRole('button', { name: 'vCPUs' }));
    const first = (await vmNames())[0];
    expect(vms.find((vm) => vm.name === first)?.vcpus).toBe(8);
  });

  it('starts filtered to the host in the address', async () => {
    renderPages(`/vms?hostId=${hosts[4]?.id}`);
    expect(await vmNames()).toEqual(vms.filter((vm) => vm.hostId === hosts[4]?.id).map((vm) => vm.name));
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
