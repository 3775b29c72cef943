import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { act, cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import type { Host, Migration } from '@cockpit/contracts';
import { fleetOf, makeMigration, makeProgress, makeVm, migrationIdOf } from '@cockpit/console-api/testing';
import { everyHostPasses, migrationEvent, migrationsApi, renderMigrations, requests, sentTo, type World } from './test/api.js';
import { described } from './test/description.js';

const hosts = fleetOf(3);
const [source, , target] = hosts as [Host, Host, Host];
const vm = makeVm(1, source);
const running = makeMigration(1, vm, target, { options: { ...makeMigration(1, vm, target).options, autoConverge: true } });

let world: World;
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
beforeEach(() => {
  world = { hosts, vms: [vm], migrations: [running], preflight: everyHostPasses };
  server.use(...migrationsApi(world));
});
afterEach(() => {
  server.resetHandlers();
  requests.length = 0;
});
afterAll(() => server.close());

const reads = () => requests.filter((r) => r.method === 'GET' && r.path === `/api/migrations/${running.id}`).length;
const chart = () => screen.getByRole('img', { name: /^Throughput and dirty rate/ });
/** The migration in the fake api becomes `changes` (what a refetch reads). */
const becomes = (changes: Partial<Migration>) => (world.migrations[0] = { ...running, ...changes });

async function openLive() {
  const rendered = renderMigrations(`/migrations/${running.id}`);
  await screen.findByRole('heading', { level: 1, name: `${vm.name} to ${target.name}` });
  act(() => rendered.live.latest.goLive());
  return { user: userEvent.setup(), ...rendered };
}

describe('a migration’s live view', () => {
  it('follows the live progress events, chart included, without reading the migration again; then shows its record', async () => {
    const { live } = await openLive();
    expect(described('Iteration')).toBe('1');
    expect(described('ETA')).toBe('31 s');
    expect(chart()).toHaveAttribute('data-points', '1');

    const later = makeProgress(20, { iteration: 2, cpuThrottlePercent: 20, expectedDowntimeMs: 250, etaSeconds: 21 });
    act(() => live.latest.receive('event', migrationEvent(running, { progress: later })));
    await waitFor(() => expect(described('Iteration')).toBe('2'));
    expect(described('ETA')).toBe('21 s');
    expect(described('CPU throttle')).toBe('20.0%');
    expect(described('Expected downtime')).toBe('250 ms against a limit of 300 ms within the limit');
    expect(described('Remaining')).toBe('2.0 GiB');
    expect(chart()).toHaveAttribute('data-points', '2');
    expect(chart()).toHaveAccessibleName(
      'Throughput and dirty rate, latest: Throughput 100 MiB/s, Dirty rate 19.5 MiB/s, Remaining 2.0 GiB',
    );

    const last = makeProgress(30, { iteration: 3, expectedDowntimeMs: 900, etaSeconds: 11 });
    act(() => live.latest.receive('event', migrationEvent(running, { progress: last })));
    await waitFor(() => expect(chart()).toHaveAttribute('data-points', '3'));
    expect(described('Expected downtime')).toBe('900 ms against a limit of 300 ms over the limit: it iterates on');
    expect(reads()).toBe(1);

    becomes({ state: 'succeeded', progress: null, downtimeMs: 212, durationMs: 49_000, finishedAt: new Date().toISOString() });
    act(() => live.latest.receive('event', migrationEvent(running, { state: 'succeeded', progress: null })));
    expect(await screen.findByText(`Succeeded: ${vm.name} runs on ${target.name}`)).toBeInTheDocument();
    expect(described('Downtime')).toBe('212 ms within the 300 ms limit');
    expect(described('Took')).toBe('49 s');
    expect(screen.queryByText('Live progress')).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Cancel migration' })).not.toBeInTheDocument();
    // The chart stays, as it ran.
    expect(chart()).toHaveAttribute('data-points', '3');
  });

  it('cancels once confirmed, shows it cancelling, then cancelled', async () => {
    const { user, live } = await openLive();
    await user.click(screen.getByRole('button', { name: 'Cancel migration' }));
    const dialog = within(screen.getByRole('dialog', { name: `Warning alert: Cancel the migration of ${vm.name}?` }));
    expect(sentTo('POST', `/api/migrations/${running.id}/cancel`)).toEqual([]);
    await user.click(dialog.getByRole('button', { name: 'Cancel migration' }));
    expect(await screen.findByRole('button', { name: 'Cancelling…' })).toHaveAttribute('aria-disabled', 'true');
    expect(sentTo('POST', `/api/migrations/${running.id}/cancel`)).toHaveLength(1);

    becomes({ state: 'cancelled', reason: 'cancelled by olga', progress: null, finishedAt: new Date().toISOString() });
    act(() => live.latest.receive('event', migrationEvent(running, { state: 'cancelled', reason: 'cancelled by olga' })));
    expect(await screen.findByText('Cancelled')).toBeInTheDocument();
    expect(screen.getAllByText('cancelled by olga').length).toBeGreaterThan(0);
  });

  it('shows why a cancel was refused, and offers none during the switch-over', async () => {
    server.use(
      http.post('*/api/migrations/:migrationId/cancel', () =>
        HttpResponse.json(
          { statusCode: 409, error: 'Conflict', message: `${vm.name} is switching over: it can no longer be cancelled` },
          { status: 409 },
        ),
      ),
    );
    const { user } = await openLive();
    await user.click(screen.getByRole('button', { name: 'Cancel migration' }));
    await user.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Cancel migration' }));
    expect(
      await screen.findByText(`Could not cancel: ${vm.name} is switching over: it can no longer be cancelled`),
    ).toBeInTheDocument();
    cleanup();

    becomes({ state: 'completing' });
    await openLive();
    const cancel = screen.getByRole('button', { name: 'Cancel migration' });
    expect(cancel).toHaveAttribute('aria-disabled', 'true');
    await user.hover(cancel);
    expect(await screen.findByRole('tooltip')).toHaveTextContent('the migration can no longer be cancelled');
    expect(screen.queryByRole('button', { name: 'Apply' })).not.toBeInTheDocument();
  });

  it('changes the bandwidth limit with PATCH, and lifts it', async () => {
    const { user } = await openLive();
    expect(screen.getByText('Asked for: unlimited; in force on the host: unlimited')).toBeInTheDocument();
    await user.type(screen.getByLabelText('Bandwidth limit (MiB/s)'), '50');
    await user.click(screen.getByRole('button', { name: 'Apply' }));
    expect(await screen.findByText(/^Asked for: 50\.0 MiB\/s/)).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Unlimited' }));
    expect(await screen.findByText(/^Asked for: unlimited/)).toBeInTheDocument();
    expect(sentTo('PATCH', `/api/migrations/${running.id}`)).toEqual([{ maxBandwidthMBps: 50 }, { maxBandwidthMBps: null }]);

    await user.type(screen.getByLabelText('Bandwidth limit (MiB/s)'), '0');
    expect(screen.getByRole('button', { name: 'Apply' })).toBeDisabled();
    expect(screen.getByText('More than 0 and at most 100,000 MiB/s; empty for no limit')).toBeInTheDocument();
  });

  it('shows a finished one’s record: result, options, pre-flight answers, timings and bytes', async () => {
    becomes({
      state: 'failed',
      reason: 'host-003 refused the incoming migration: out of memory',
      progress: null,
      finishedAt: new Date().toISOString(),
      durationMs: 4_200,
      transferredBytes: 3 * 1024 ** 3,
    });
    renderMigrations(`/migrations/${running.id}`);
    expect(await screen.findByText('The migration failed')).toBeInTheDocument();
    expect(described('Result')).toBe('failed host-003 refused the incoming migration: out of memory');
    expect(described('Took')).toBe('4.2 s');
    expect(described('Transferred')).toBe('3.0 GiB');
    expect(described('Auto-converge')).toBe('yes');
    expect(described('Downtime limit')).toBe('300 ms');
    expect(within(screen.getByRole('list', { name: 'Pre-flight answers' })).getAllByRole('listitem')).toHaveLength(8);
    expect(screen.getByRole('link', { name: 'its job' })).toHaveAttribute('href', `/jobs/${running.jobId}`);
    expect(screen.queryByRole('button', { name: 'Cancel migration' })).not.toBeInTheDocument();
    cleanup();

    renderMigrations(`/migrations/${migrationIdOf(999)}`);
    expect(await screen.findByRole('heading', { name: 'No such migration' })).toBeInTheDocument();
  });
});
