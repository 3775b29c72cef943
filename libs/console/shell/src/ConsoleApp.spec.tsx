import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { sections } from './layout/navigation.js';
import { adminMe, emptyFleet, healthyApi, info, viewerMe } from './test/api-handlers.js';
import { renderConsole } from './test/render-console.js';

const server = setupServer(...healthyApi);
beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterEach(() => {
  server.resetHandlers();
  server.events.removeAllListeners();
});
afterAll(() => server.close());

describe('console shell', () => {
  it('shows the masthead, every section in the navigation, and live api facts on the dashboard', async () => {
    const { live } = renderConsole('/');
    const nav = await screen.findByRole('navigation', { name: 'Main navigation' });
    expect(
      within(nav)
        .getAllByRole('link')
        .map((link) => link.textContent),
    ).toEqual(sections.map((s) => s.label));
    act(() => live.latest.goLive());
    expect(within(screen.getByRole('banner')).getByText('Live')).toBeInTheDocument();
    expect(await screen.findByText(info.instanceId)).toBeInTheDocument();
    expect(screen.getByText(info.version)).toBeInTheDocument();
    expect(screen.getByRole('heading', { level: 1, name: 'Dashboard' })).toBeInTheDocument();
    expect(await screen.findByRole('link', { name: '0 hosts' })).toHaveAttribute('href', '/hosts');
    expect(screen.getByText('Every host is connected and trusted.')).toBeInTheDocument();
  });

  it('shows the fleet summary on the dashboard, linking to hosts needing attention', async () => {
    const hostId = '10000000-0000-4000-8000-000000000001';
    server.use(
      http.get('*/api/fleet/summary', () =>
        HttpResponse.json({
          ...emptyFleet,
          hosts: { total: 3, byState: { connected: 2, unreachable: 1 } },
          vms: { total: 4, byState: { running: 3, shutoff: 1 } },
          attention: [{ id: hostId, name: 'lab-7', state: 'unreachable', stateReason: 'connect ETIMEDOUT' }],
        }),
      ),
    );
    renderConsole('/');
    expect(await screen.findByRole('link', { name: '3 hosts' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'unreachable: 1' })).toHaveAttribute('href', '/hosts?state=unreachable');
    expect(screen.getByRole('link', { name: 'running: 3' })).toHaveAttribute('href', '/vms?state=running');
    expect(screen.getByText('connect ETIMEDOUT')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'lab-7' })).toHaveAttribute('href', `/hosts/${hostId}`);
  });

  it('lists no VMs or hosts for the dashboard: it reads the fleet summary', async () => {
    const lists: string[] = [];
    server.events.on('request:start', ({ request }) => {
      const { pathname } = new URL(request.url);
      if (pathname === '/api/vms' || pathname === '/api/hosts') lists.push(pathname);
    });
    const user = userEvent.setup();
    renderConsole('/');
    // Both of the dashboard's own queries have answered: a list asked for with them would have been too.
    expect(await screen.findByRole('link', { name: '0 hosts' })).toBeInTheDocument();
    expect(await screen.findByText(info.instanceId)).toBeInTheDocument();
    expect(lists).toEqual([]);
    // The VMs page does list them (one page): what is counted here is seen.
    await user.click(within(screen.getByRole('navigation', { name: 'Main navigation' })).getByRole('link', { name: 'VMs' }));
    await waitFor(() => expect(lists).toEqual(['/api/vms']));
  });

  it('navigates to each section and shows its honest empty state', async () => {
    const user = userEvent.setup();
    renderConsole('/');
    const nav = await screen.findByRole('navigation', { name: 'Main navigation' });
    await user.click(within(nav).getByRole('link', { name: 'Hosts' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Hosts' })).toBeInTheDocument();
    expect(await screen.findByText('No hosts enrolled')).toBeInTheDocument();
    await user.click(within(nav).getByRole('link', { name: 'VMs' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Virtual machines' })).toBeInTheDocument();
    expect(await screen.findByText('No virtual machines')).toBeInTheDocument();
    await user.click(within(nav).getByRole('link', { name: 'Audit' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Audit log' })).toBeInTheDocument();
    expect(await screen.findByRole('grid', { name: 'Audit records' })).toBeInTheDocument();
    expect(within(nav).getByRole('link', { name: 'Audit' })).toHaveAttribute('aria-current', 'page');
  });

  it('shows in the masthead whether live updates arrive, following the connection', async () => {
    const user = userEvent.setup();
    const { live } = renderConsole('/');
    const banner = within(await screen.findByRole('banner'));
    expect(banner.getByText('Connecting…')).toBeInTheDocument();
    const socket = live.latest;
    act(() => socket.goLive(7));
    expect(banner.getByText('Live')).toBeInTheDocument();
    await user.hover(banner.getByText('Live'));
    expect(await screen.findByRole('tooltip')).toHaveTextContent('Connected: pages update as changes happen.');

    act(() => socket.connectionLost());
    expect(banner.getByText('Reconnecting…')).toBeInTheDocument();
    act(() => ['websocket error', 'websocket error', 'websocket error'].forEach((error) => socket.attemptFails(error)));
    expect(banner.getByText('Offline')).toBeInTheDocument();

    act(() => socket.serverAccepts());
    expect(socket.subscriptions.at(-1)).toEqual({ scopes: ['/'], since: 7 });
    act(() => socket.acknowledge({ scopes: ['/'], seq: 9, replayed: 2 }));
    expect(banner.getByText('Live')).toBeInTheDocument();
  });

  it('says so when the api cannot be reached', async () => {
    server.use(http.get('*/api/info', () => HttpResponse.error()));
    const { live } = renderConsole('/');
    await screen.findByRole('banner');
    act(() => live.latest.attemptFails('Sign in first: send the session cookie or an API token', { refused: true }));
    expect(within(screen.getByRole('banner')).getByText('Offline')).toBeInTheDocument();
    expect(await screen.findByText('Cannot reach the Cockpit API')).toBeInTheDocument();
  });

  it('answers an unknown address inside the shell', async () => {
    renderConsole('/no/such/page');
    expect(await screen.findByRole('heading', { level: 1, name: 'Page not found' })).toBeInTheDocument();
  });

  it('shows the user’s running jobs in the masthead, leading to the job’s page', async () => {
    const user = userEvent.setup();
    const job = {
      id: '40000000-0000-4000-8000-000000000001',
      kind: 'vm.bulk-action',
      title: 'Start 3 VMs',
      scope: '/',
      actor: { id: adminMe.user.id, name: 'admin' },
      state: 'running',
      progress: { total: 3, done: 1, succeeded: 1, failed: 0, skipped: 0, cancelled: 0 },
      attempts: 1,
      instance: 'api-1',
      error: null,
      createdAt: '2026-11-22T11:59:00.000Z',
      startedAt: '2026-11-22T11:59:01.000Z',
      finishedAt: null,
    };
    const asked: string[] = [];
    server.use(
      http.get('*/api/auth/me', () =>
        HttpResponse.json({ ...adminMe, grants: [...adminMe.grants, { scope: '/', permissions: ['job.view'] }] }),
      ),
      http.get('*/api/jobs', ({ request }) => {
        asked.push(new URL(request.url).search);
        return HttpResponse.json({ items: [job], total: 1, nextCursor: null });
      }),
      http.get('*/api/jobs/:jobId', () => HttpResponse.json({ ...job, params: {} })),
      http.get('*/api/jobs/:jobId/targets', () => HttpResponse.json({ items: [], total: 0, nextCursor: null })),
    );
    const { router } = renderConsole('/');
    const banner = within(await screen.findByRole('banner'));
    await user.click(await banner.findByRole('button', { name: 'Running jobs: 1' }));
    expect(asked[0]).toBe('?active=true&mine=true&limit=10');
    await user.click(screen.getByRole('menuitem', { name: /Start 3 VMs/ }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Start 3 VMs' })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe(`/jobs/${job.id}`);
  });
});

describe('console access', () => {
  it('sends someone who is not signed in to the sign-in page, remembering where they were going', async () => {
    server.use(
      http.get('*/api/auth/me', () =>
        HttpResponse.json({ statusCode: 401, error: 'Unauthorized', message: 'Sign in first' }, { status: 401 }),
      ),
    );
    const { router, live } = renderConsole('/hosts');
    expect(await screen.findByRole('heading', { name: 'Sign in to Cockpit' })).toBeInTheDocument();
    expect(live.sockets).toEqual([]);
    expect(router.state.location.pathname).toBe('/login');
    expect(router.state.location.search).toBe('?next=%2Fhosts');
  });

  it('nudges an administrator without a second factor', async () => {
    renderConsole('/');
    expect(await screen.findByText('Protect this administrator account with a second factor')).toBeInTheDocument();
  });

  it('offers a viewer neither Settings nor Audit, and refuses the Users page by address', async () => {
    server.use(http.get('*/api/auth/me', () => HttpResponse.json(viewerMe)));
    renderConsole('/settings');
    expect(await screen.findByText('Not allowed')).toBeInTheDocument();
    const nav = await screen.findByRole('navigation', { name: 'Main navigation' });
    const labels = within(nav)
      .getAllByRole('link')
      .map((link) => link.textContent);
    expect(labels).not.toContain('Settings');
    expect(labels).not.toContain('Audit');
    expect(screen.queryByText('Protect this administrator account with a second factor')).not.toBeInTheDocument();
  });
});
