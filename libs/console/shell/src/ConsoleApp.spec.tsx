import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { sections } from './layout/navigation.js';
import { healthyApi, info } from './test/api-handlers.js';
import { renderConsole } from './test/render-console.js';

const server = setupServer(...healthyApi);
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

describe('console shell', () => {
  it('shows the masthead, every section in the navigation, and live api facts on the dashboard', async () => {
    renderConsole('/');
    const nav = screen.getByRole('navigation', { name: 'Main navigation' });
    expect(
      within(nav)
        .getAllByRole('link')
        .map((link) => link.textContent),
    ).toEqual(sections.map((s) => s.label));
    expect(await screen.findByText('Connected')).toBeInTheDocument();
    expect(await screen.findByText(info.instanceId)).toBeInTheDocument();
    expect(screen.getByText(info.version)).toBeInTheDocument();
    expect(screen.getByRole('heading', { level: 1, name: 'Dashboard' })).toBeInTheDocument();
  });

  it('navigates to each section and shows its honest empty state', async () => {
    const user = userEvent.setup();
    renderConsole('/');
    const nav = screen.getByRole('navigation', { name: 'Main navigation' });
    await user.click(within(nav).getByRole('link', { name: 'Hosts' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Hosts' })).toBeInTheDocument();
    expect(screen.getByText('No hosts enrolled')).toBeInTheDocument();
    await user.click(within(nav).getByRole('link', { name: 'Audit' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Audit log' })).toBeInTheDocument();
    expect(within(nav).getByRole('link', { name: 'Audit' })).toHaveAttribute('aria-current', 'page');
  });

  it('says so when the api cannot be reached', async () => {
    server.use(
      http.get('*/api/info', () => HttpResponse.error()),
      http.get('*/api/health/ready', () =>
        HttpResponse.json({ statusCode: 503, error: 'Service Unavailable', message: 'database down' }, { status: 503 }),
      ),
    );
    renderConsole('/');
    expect(await screen.findByText('API unreachable')).toBeInTheDocument();
    expect(await screen.findByText('Cannot reach the Cockpit API')).toBeInTheDocument();
  });

  it('answers an unknown address inside the shell', async () => {
    renderConsole('/no/such/page');
    expect(await screen.findByRole('heading', { level: 1, name: 'Page not found' })).toBeInTheDocument();
  });
});
