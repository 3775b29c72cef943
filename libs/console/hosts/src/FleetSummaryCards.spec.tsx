import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Gallery } from '@patternfly/react-core';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { FleetSummaryCards } from './FleetSummaryCards.js';
import { fleetApi, renderPages } from './test/api.js';
import { fleetOf, makeVm } from '@cockpit/console-api/testing';

const hosts = fleetOf(120);
const vms = hosts.slice(0, 30).map((host, i) => makeVm(i + 1, host));
const server = setupServer(...fleetApi(hosts, vms));
beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const dashboard = [
  {
    path: 'dashboard',
    element: (
      <Gallery>
        <FleetSummaryCards />
      </Gallery>
    ),
  },
];

function card(title: string): HTMLElement {
  return screen.getByText(title, { selector: '.pf-v6-c-card__title *' }).closest('.pf-v6-c-card') as HTMLElement;
}

describe('Fleet summary cards', () => {
  it('counts hosts and VMs by state, linking to the filtered lists', async () => {
    renderPages('/dashboard', dashboard);
    expect(await screen.findByRole('link', { name: '120 hosts' })).toHaveAttribute('href', '/hosts');
    const hostStates = within(card('Hosts'));
    expect(hostStates.getByRole('link', { name: 'connected: 115' })).toHaveAttribute('href', '/hosts?state=connected');
    expect(hostStates.getByText('unreachable: 2')).toBeInTheDocument();
    expect(hostStates.getByText('error: 2')).toBeInTheDocument();
    expect(hostStates.getByText('pending-trust: 1')).toBeInTheDocument();
    const vmStates = within(card('Virtual machines'));
    expect(vmStates.getByRole('link', { name: '30 VMs' })).toBeInTheDocument();
    expect(vmStates.getByRole('link', { name: 'running: 18' })).toHaveAttribute('href', '/vms?state=running');
  });

  it('lists the hosts needing attention with their reasons, and the busiest hosts and VMs', async () => {
    const user = userEvent.setup();
    renderPages('/dashboard', dashboard);
    const attention = within(await screen.findByRole('list', { name: 'Hosts needing attention' }));
    expect(attention.getAllByRole('listitem').map((item) => item.textContent)).toEqual([
      'host-003 pending-trustConfirm the certificate fingerprint',
      'host-007 erroragent answered 500',
      'host-050 unreachableconnect ECONNREFUSED 10.0.0.1:9443',
      'host-100 unreachableconnect ECONNREFUSED 10.0.0.1:9443',
      'host-107 erroragent answered 500',
    ]);
    expect(within(screen.getByRole('list', { name: 'Busiest hosts' })).getAllByRole('listitem')).toHaveLength(5);
    expect(within(screen.getByRole('list', { name: 'Busiest VMs' })).getAllByRole('listitem')).toHaveLength(5);
    expect(within(card('Capacity')).getByRole('progressbar', { name: 'vCPUs allocated of host threads' })).toBeInTheDocument();

    await user.click(attention.getByRole('link', { name: 'host-050' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'host-050' })).toBeInTheDocument();
  });

  it('says so when every host is fine, and when the summary cannot be read', async () => {
    server.use(...fleetApi(hosts.slice(0, 1), []));
    const { unmount } = renderPages('/dashboard', dashboard);
    expect(await screen.findByText('Every host is connected and trusted.')).toBeInTheDocument();
    expect(screen.getByText('No VM has reported its use yet.')).toBeInTheDocument();
    unmount();

    server.use(
      http.get('*/api/fleet/summary', () =>
        HttpResponse.json({ statusCode: 403, error: 'Forbidden', message: 'Not allowed' }, { status: 403 }),
      ),
    );
    renderPages('/dashboard', dashboard);
    expect(await screen.findByText('Cannot load the fleet summary')).toBeInTheDocument();
  });
});
