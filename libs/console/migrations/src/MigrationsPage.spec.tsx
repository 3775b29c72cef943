import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import type { Host } from '@cockpit/contracts';
import { fleetOf, makeMigration, makeProgress, makeVm } from '@cockpit/console-api/testing';
import { everyHostPasses, migrationEvent, migrationsApi, renderMigrations, requests, type World } from './test/api.js';

const hosts = fleetOf(3);
const [first, second, third] = hosts as [Host, Host, Host];
const vms = [makeVm(1, first), makeVm(2, first), makeVm(3, second), makeVm(4, second)] as const;
const running = makeMigration(1, vms[0], third);
const queued = makeMigration(2, vms[1], third, { state: 'queued', progress: null, reason: 'host-003 already receives 2 of 2' });
const succeeded = makeMigration(3, vms[2], first, { state: 'succeeded' });
const failed = makeMigration(4, vms[3], third, { state: 'failed', reason: 'host-003 refused it: out of memory' });
const all = [running, queued, succeeded, failed];

let world: World;
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
beforeEach(() => {
  world = { hosts, vms: [...vms], migrations: [...all], preflight: everyHostPasses };
  server.use(...migrationsApi(world));
});
afterEach(() => {
  server.resetHandlers();
  requests.length = 0;
});
afterAll(() => server.close());

const listsAsked = () => requests.filter((r) => r.method === 'GET' && r.path === '/api/migrations').map((r) => r.query);
const rowsOf = async (name: string) => {
  const table = await screen.findByRole('grid', { name });
  await within(table).findAllByRole('link');
  return within(table).getAllByRole('row').slice(1);
};
const rowOf = (rows: HTMLElement[], vmName: string) =>
  within(rows.find((row) => within(row).queryByRole('link', { name: vmName })) as HTMLElement);

describe('the migrations page', () => {
  it('lists those running and the history, each leading to its live view, with its progress or result', async () => {
    renderMigrations('/migrations');
    const runningRows = await rowsOf('Running migrations');
    expect(runningRows.map((row) => within(row).getByRole('link').textContent)).toEqual([vms[0].name, vms[1].name]);
    expect(rowOf(runningRows, vms[0].name).getByRole('link')).toHaveAttribute('href', `/migrations/${running.id}`);
    expect(rowOf(runningRows, vms[0].name).getByRole('progressbar')).toHaveAttribute('aria-valuenow', '24.4140625');
    expect(rowOf(runningRows, vms[1].name).getByText('host-003 already receives 2 of 2')).toBeInTheDocument();

    const history = await rowsOf('Migrations');
    expect(history).toHaveLength(4);
    expect(rowOf(history, vms[2].name).getByText('downtime 212 ms')).toBeInTheDocument();
    expect(rowOf(history, vms[3].name).getByText('host-003 refused it: out of memory')).toBeInTheDocument();
    expect(listsAsked()).toEqual(
      expect.arrayContaining([
        { active: 'true', sort: '-createdAt', limit: '100' },
        { sort: '-createdAt', limit: '100' },
      ]),
    );
  });

  it('filters by state and day, and by the host a link names (shown as a chip to take off)', async () => {
    const user = userEvent.setup();
    renderMigrations(`/migrations?hostId=${third.id}`);
    expect(await screen.findByText(`Host: ${third.name}`)).toBeInTheDocument();
    await waitFor(() =>
      expect(listsAsked()).toEqual(
        expect.arrayContaining([
          { active: 'true', hostId: third.id, sort: '-createdAt', limit: '100' },
          { hostId: third.id, sort: '-createdAt', limit: '100' },
        ]),
      ),
    );
    await user.selectOptions(screen.getByRole('combobox', { name: 'Filter migrations by state' }), 'failed');
    await waitFor(() =>
      expect(listsAsked().at(-1)).toEqual({ state: 'failed', hostId: third.id, sort: '-createdAt', limit: '100' }),
    );
    expect(await rowsOf('Migrations')).toHaveLength(1);

    await user.type(screen.getByLabelText('Created from'), '2026-11-01');
    await waitFor(() =>
      expect(listsAsked().at(-1)).toMatchObject({ state: 'failed', since: new Date('2026-11-01T00:00:00').toISOString() }),
    );
    await user.click(screen.getByRole('button', { name: 'Show every host’s migrations' }));
    await waitFor(() => expect(listsAsked().at(-1)).not.toHaveProperty('hostId'));
  });

  it('moves a running row’s progress on from live events without reading the list again', async () => {
    const { live } = renderMigrations('/migrations');
    await rowsOf('Running migrations');
    act(() => live.latest.goLive());
    const asked = listsAsked().length;
    act(() => live.latest.receive('event', migrationEvent(running, { progress: makeProgress(30) })));
    const rows = await rowsOf('Running migrations');
    await waitFor(() => expect(rowOf(rows, vms[0].name).getByRole('progressbar')).toHaveAttribute('aria-valuenow', '73.2421875'));
    expect(listsAsked()).toHaveLength(asked);

    // A change of state reads the lists again: it leaves the running ones.
    world.migrations[0] = { ...running, state: 'succeeded', progress: null, downtimeMs: 180 };
    act(() => live.latest.receive('event', migrationEvent(running, { state: 'succeeded', progress: null })));
    await waitFor(async () => expect(await rowsOf('Running migrations')).toHaveLength(1));
    expect(listsAsked().length).toBeGreaterThan(asked);
  });

  it('shows why a list could not be loaded, never an empty table', async () => {
    server.use(
      http.get('*/api/migrations', () =>
        HttpResponse.json({ statusCode: 500, error: 'Internal', message: 'migrations table locked' }, { status: 500 }),
      ),
    );
    renderMigrations('/migrations');
    expect(await screen.findByRole('heading', { name: 'Could not load the migrations' })).toBeInTheDocument();
    expect(screen.getByRole('heading', { name: 'Could not load the running migrations' })).toBeInTheDocument();
    expect(screen.getAllByText('migrations table locked')).toHaveLength(2);
    expect(screen.queryByText('No migrations')).not.toBeInTheDocument();
    expect(screen.queryByText('Nothing is migrating')).not.toBeInTheDocument();
  });
});
