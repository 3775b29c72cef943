import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { fleetApi, renderPages, statsFrame } from './test/api.js';
import { fleetOf, makeHost, NOW, viewerMe } from './test/fixtures.js';

// Five hundred hosts through jsdom take a few seconds on a busy two-core machine.
jest.setTimeout(20_000);

const fleet = fleetOf(500);
const server = setupServer(...fleetApi(fleet));
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

/** The names in the table body, top to bottom. */
async function hostNames() {
  const table = await screen.findByRole('grid', { name: 'Hosts' });
  const [, ...rows] = within(table).getAllByRole('row');
  return rows.map((row) => within(row).getAllByRole('link')[0]?.textContent);
}

describe('Hosts page', () => {
  it('shows a fleet of 500 hosts 50 to a page, and pages through them', async () => {
    const user = userEvent.setup();
    const started = performance.now();
    renderPages('/hosts');
    expect(await hostNames()).toHaveLength(50);
    // Generous for a slow CI machine: rendering all 500 rows would take several times this.
    expect(performance.now() - started).toBeLessThan(5_000);
    expect((await hostNames())[0]).toBe('host-001');
    expect(screen.getByRole('link', { name: 'host-001' })).toHaveAttribute('href', `/hosts/${fleet[0]?.id}`);

    await user.click(screen.getAllByRole('button', { name: 'Go to next page' })[0] as HTMLElement);
    const second = await hostNames();
    expect(second).toHaveLength(50);
    expect(second[0]).toBe('host-051');
  });

  it('sorts by CPU use, busiest first on the second click', async () => {
    const user = userEvent.setup();
    renderPages('/hosts');
    await hostNames();
    const byCpu = [...fleet]
      .filter((host) => host.stats)
      .sort((a, b) => (a.stats?.cpuPercent ?? 0) - (b.stats?.cpuPercent ?? 0))
      .map((host) => host.name);

    await user.click(screen.getByRole('button', { name: 'CPU use' }));
    expect((await hostNames()).slice(0, 3)).toEqual(byCpu.slice(0, 3));
    await user.click(screen.getByRole('button', { name: 'CPU use' }));
    expect((await hostNames()).slice(0, 3)).toEqual(byCpu.reverse().slice(0, 3));
    expect(screen.getByRole('columnheader', { name: 'CPU use' })).toHaveAttribute('aria-sort', 'descending');
  });

  it('filters by state and by name or URL', async () => {
    const user = userEvent.setup();
    renderPages('/hosts');
    await hostNames();
    const unreachable = fleet.filter((host) => host.state === 'unreachable').map((host) => host.name);

    await user.click(screen.getByRole('button', { name: `unreachable (${unreachable.length})` }));
    expect(await hostNames()).toEqual(unreachable);
    expect(screen.getAllByText(': connect ECONNREFUSED 10.0.0.1:9443')).toHaveLength(unreachable.length);

    await user.click(screen.getByRole('button', { name: 'All (500)' }));
    await user.type(screen.getByRole('textbox', { name: 'Filter hosts by name or URL' }), 'host-12');
    expect(await hostNames()).toEqual(['host-012', ...Array.from({ length: 10 }, (_, i) => `host-${120 + i}`)]);

    await user.clear(screen.getByRole('textbox', { name: 'Filter hosts by name or URL' }));
    await user.type(screen.getByRole('textbox', { name: 'Filter hosts by name or URL' }), 'no-such-host');
    expect(await screen.findByText('No hosts match the filters')).toBeInTheDocument();
  });

  it('starts filtered by the state in the address', async () => {
    renderPages('/hosts?state=error');
    expect(await hostNames()).toEqual(fleet.filter((host) => host.state === 'error').map((host) => host.name));
  });

  it('shows CPU, memory, VMs and owner of each host', async () => {
    server.use(...fleetApi([makeHost(1)]));
    renderPages('/hosts');
    const table = await screen.findByRole('grid', { name: 'Hosts' });
    const row = within(table).getAllByRole('row')[1] as HTMLElement;
    expect(within(row).getByText('Cascadelake-Server, 64 threads')).toBeInTheDocument();
    expect(within(row).getByText('3.7%')).toBeInTheDocument();
    expect(within(row).getByText('1.0 GiB / 256 GiB')).toBeInTheDocument();
    expect(within(row).getByText('api-2')).toBeInTheDocument();
    expect(within(row).getByTitle('running / total')).toHaveTextContent('0 / 1');
  });

  it('updates a host’s CPU and memory from its live stats frames, without reloading the list', async () => {
    let listed = 0;
    server.use(http.get('*/api/hosts', () => (listed++, HttpResponse.json([makeHost(1)]))));
    const { live } = renderPages('/hosts');
    const table = await screen.findByRole('grid', { name: 'Hosts' });
    expect(within(table).getByText('3.7%')).toBeInTheDocument();
    act(() => live.latest.goLive());
    act(() => live.latest.receive('event', statsFrame(makeHost(1).id, NOW, 64.2)));
    expect(await within(table).findByText('64.2%')).toBeInTheDocument();
    expect(within(table).getByText('4.0 GiB / 256 GiB')).toBeInTheDocument();
    expect(listed).toBe(1);
  });

  it('says so when no host is enrolled', async () => {
    server.use(...fleetApi([]));
    renderPages('/hosts');
    expect(await screen.findByText('No hosts enrolled')).toBeInTheDocument();
    expect(screen.getByRole('heading', { name: 'Add a host' })).toBeInTheDocument();
  });

  it('enrolls a host and trusts the fingerprint it presents', async () => {
    const user = userEvent.setup();
    const pending = makeHost(3);
    let enrolled: unknown;
    let trusted: unknown;
    server.use(
      ...fleetApi([pending]),
      http.post('*/api/hosts', async ({ request }) => {
        enrolled = await request.json();
        return HttpResponse.json(pending, { status: 201 });
      }),
      http.post('*/api/hosts/:hostId/trust', async ({ request }) => {
        trusted = await request.json();
        return HttpResponse.json({ ...pending, state: 'connected', stateReason: null });
      }),
    );
    renderPages('/hosts');
    await user.type(await screen.findByLabelText('Agent URL'), 'https://host-3.lab.example:9443');
    await user.type(screen.getByLabelText('Token'), 'a-token-of-sixteen+');
    await user.click(screen.getByRole('button', { name: 'Add host' }));
    expect(await screen.findByText('Check the certificate before trusting this host')).toBeInTheDocument();
    expect(enrolled).toEqual({ url: 'https://host-3.lab.example:9443', token: 'a-token-of-sixteen+' });

    await user.click(screen.getByRole('button', { name: /^Trust AB:CD:EF:01/ }));
    await waitFor(() => expect(trusted).toEqual({ fingerprint: pending.fingerprint }));
  });

  it('offers neither enrolling nor trusting without host.manage', async () => {
    server.use(...fleetApi([makeHost(3)], [], viewerMe));
    renderPages('/hosts');
    await hostNames();
    expect(screen.queryByRole('button', { name: /^Trust/ })).not.toBeInTheDocument();
    expect(screen.queryByRole('heading', { name: 'Add a host' })).not.toBeInTheDocument();
  });
});
