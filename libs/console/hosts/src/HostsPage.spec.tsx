import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { fleetApi, listRequests, pageOf, renderPages, statsFrame } from './test/api.js';
import { fleetOf, makeHost, NOW, viewerMe } from '@cockpit/console-api/testing';

const fleet = fleetOf(500);
const server = setupServer(...fleetApi(fleet));
beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterEach(() => {
  server.resetHandlers();
  listRequests.length = 0;
});
afterAll(() => server.close());

/** The names in the table body, top to bottom. */
async function hostNames() {
  const table = await screen.findByRole('grid', { name: 'Hosts' });
  const [, ...rows] = within(table).getAllByRole('row');
  return rows.map((row) => within(row).queryAllByRole('link')[0]?.textContent);
}
const hostsAsked = () => listRequests.filter((request) => request.path === '/api/hosts').map((request) => request.query);
const nextPage = () => screen.getAllByRole('button', { name: 'Go to next page' })[0] as HTMLElement;

describe('Hosts page', () => {
  it('shows the first 100 of 500 hosts, asked of the server a page at a time, and pages through them', async () => {
    const user = userEvent.setup();
    renderPages('/hosts');
    await waitFor(async () => expect(await hostNames()).toHaveLength(100));
    expect((await hostNames())[0]).toBe('host-001');
    expect(screen.getByRole('link', { name: 'host-001' })).toHaveAttribute('href', `/hosts/${fleet[0]?.id}`);
    expect(hostsAsked()).toEqual([{ sort: 'name', limit: '100' }]);

    await user.click(nextPage());
    await waitFor(async () => expect((await hostNames())[0]).toBe('host-101'));
    expect(hostsAsked().at(-1)).toEqual({ sort: 'name', limit: '100', cursor: 'o100' });
  });

  it('sorts on the server by the column header clicked, and back', async () => {
    const user = userEvent.setup();
    const { router } = renderPages('/hosts?limit=20');
    await waitFor(async () => expect((await hostNames())[0]).toBe('host-001'));

    await user.click(screen.getByRole('button', { name: 'Name' }));
    await waitFor(async () => expect((await hostNames())[0]).toBe('host-500'));
    expect(screen.getByRole('columnheader', { name: 'Name' })).toHaveAttribute('aria-sort', 'descending');
    expect(router.state.location.search).toBe('?limit=20&sort=-name');
    expect(hostsAsked().at(-1)).toMatchObject({ sort: '-name' });

    await user.click(screen.getByRole('button', { name: 'State' }));
    const firstByState = [...fleet].sort((a, b) => a.state.localeCompare(b.state) || (a.id < b.id ? -1 : 1))[0];
    await waitFor(async () => expect((await hostNames())[0]).toBe(firstByState?.name));
  });

  it('filters by state and by name on the server, the filters in the address', async () => {
    const user = userEvent.setup();
    const { router } = renderPages('/hosts?limit=20');
    await waitFor(async () => expect(await hostNames()).toHaveLength(20));
    const unreachable = fleet.filter((host) => host.state === 'unreachable').map((host) => host.name);

    await user.selectOptions(screen.getByRole('combobox', { name: 'Filter hosts by state' }), 'unreachable');
    await waitFor(async () => expect(await hostNames()).toEqual(unreachable));
    expect(screen.getAllByText(': connect ECONNREFUSED 10.0.0.1:9443')).toHaveLength(unreachable.length);
    expect(router.state.location.search).toBe('?limit=20&state=unreachable');

    await user.selectOptions(screen.getByRole('combobox', { name: 'Filter hosts by state' }), 'All states');
    await user.type(screen.getByRole('textbox', { name: 'Filter hosts by name' }), 'host-12');
    await waitFor(async () => expect(await hostNames()).toEqual(Array.from({ length: 10 }, (_, i) => `host-${120 + i}`)));
    expect(router.state.location.search).toBe('?limit=20&name=host-12');
    expect(hostsAsked().at(-1)).toEqual({ name: 'host-12', sort: 'name', limit: '20' });

    await user.clear(screen.getByRole('textbox', { name: 'Filter hosts by name' }));
    await user.type(screen.getByRole('textbox', { name: 'Filter hosts by name' }), 'no-such-host');
    expect(await screen.findByText('No hosts match the filters')).toBeInTheDocument();
    expect(screen.queryByText('No hosts enrolled')).not.toBeInTheDocument();
  });

  it('starts filtered by the state in the address', async () => {
    renderPages('/hosts?state=error');
    const inError = fleet.filter((host) => host.state === 'error').map((host) => host.name);
    await waitFor(async () => expect(await hostNames()).toEqual(inError));
    expect(screen.getByRole('combobox', { name: 'Filter hosts by state' })).toHaveValue('error');
  });

  it('shows why the hosts could not be loaded, with a retry, rather than an empty list', async () => {
    const user = userEvent.setup();
    server.use(
      http.get(
        '*/api/hosts',
        () => HttpResponse.json({ statusCode: 500, error: 'Internal Server Error', message: 'database down' }, { status: 500 }),
        { once: true },
      ),
    );
    renderPages('/hosts');
    expect(await screen.findByRole('heading', { name: 'Could not load the hosts' })).toBeInTheDocument();
    expect(screen.getByText('database down')).toBeInTheDocument();
    expect(screen.queryByText('No hosts enrolled')).not.toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Try again' }));
    await waitFor(async () => expect(await hostNames()).toHaveLength(100));
  });

  it('shows CPU, memory, VMs and owner of each host', async () => {
    server.use(...fleetApi([makeHost(1)]));
    renderPages('/hosts');
    await screen.findByRole('link', { name: 'host-001' });
    const table = screen.getByRole('grid', { name: 'Hosts' });
    const row = within(table).getAllByRole('row')[1] as HTMLElement;
    expect(within(row).getByText('Cascadelake-Server, 64 threads')).toBeInTheDocument();
    expect(within(row).getByText('3.7%')).toBeInTheDocument();
    expect(within(row).getByText('1.0 GiB / 256 GiB')).toBeInTheDocument();
    expect(within(row).getByText('api-2')).toBeInTheDocument();
    expect(within(row).getByTitle('running / total')).toHaveTextContent('0 / 1');
  });

  it('updates a host’s CPU and memory from its live stats frames, without reloading the list', async () => {
    let listed = 0;
    server.use(
      http.get('*/api/hosts', ({ request }) => (listed++, HttpResponse.json(pageOf([makeHost(1)], new URL(request.url))))),
    );
    const { live } = renderPages('/hosts');
    const table = await screen.findByRole('grid', { name: 'Hosts' });
    expect(await within(table).findByText('3.7%')).toBeInTheDocument();
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
    await screen.findByRole('link', { name: 'host-003' });
    expect(screen.queryByRole('button', { name: /^Trust/ })).not.toBeInTheDocument();
    expect(screen.queryByRole('heading', { name: 'Add a host' })).not.toBeInTheDocument();
  });
});
