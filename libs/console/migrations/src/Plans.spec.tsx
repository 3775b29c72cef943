import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { setupServer } from 'msw/node';
import type { Host } from '@cockpit/contracts';
import { fleetOf, makeMe, makePlan, makeVm, viewerMe } from '@cockpit/console-api/testing';
import { everyHostPasses, migrationsApi, renderMigrations, requests, sentTo, type World } from './test/api.js';

const hosts = fleetOf(4);
const [busy, roomy, other] = hosts as [Host, Host, Host, Host];
const big = makeVm(1, busy, { memoryMiB: 16_384 });
const small = makeVm(2, busy, { state: 'running', memoryMiB: 2048 });
const pinned = makeVm(3, busy, { state: 'running' });
const disks = makeVm(4, busy, {
  state: 'running',
  disks: [
    { id: 'vda', poolId: 'local-ssd', sizeBytes: 20 * 1024 ** 3, allocatedBytes: 5 * 1024 ** 3, format: 'qcow2', bus: 'virtio' },
    { id: 'vdb', poolId: 'local-ssd', sizeBytes: 40 * 1024 ** 3, allocatedBytes: 1024 ** 3, format: 'qcow2', bus: 'virtio' },
  ],
});

const evacuation = makePlan(
  [
    { vm: big, target: roomy, reason: `${roomy.name} has the most free memory (120 GiB)` },
    { vm: small, target: other, reason: `${other.name} has the most free memory once ${big.name} is there` },
  ],
  [{ vm: pinned, reasons: [`no host offers avx512f, which ${pinned.name}'s CPU needs`, 'it uses host-passthrough'] }],
  [busy, roomy, other],
);
const rebalance = makePlan([{ vm: big, target: roomy, reason: `narrows the memory spread most` }], [], [busy, roomy]);

let world: World;
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
beforeEach(() => {
  world = { hosts, vms: [big, small, pinned, disks], migrations: [], preflight: everyHostPasses, evacuation, rebalance };
  server.use(...migrationsApi(world));
});
afterEach(() => {
  server.resetHandlers();
  requests.length = 0;
});
afterAll(() => server.close());

const cellsOf = (table: HTMLElement) =>
  within(table)
    .getAllByRole('row')
    .slice(1)
    .map((row) =>
      within(row)
        .getAllByRole('cell')
        .map((cell) => cell.textContent),
    );

describe('evacuating a host', () => {
  it('shows the dry-run plan (each VM’s target and why, what cannot move and why, the spread), then runs it', async () => {
    const user = userEvent.setup();
    renderMigrations(`/hosts/${busy.id}`);
    await user.click(await screen.findByRole('button', { name: 'Evacuate' }));
    const dialog = within(screen.getByRole('dialog', { name: `Evacuate ${busy.name}` }));
    const moves = await dialog.findByRole('grid', { name: 'Planned moves' });
    expect(cellsOf(moves)).toEqual([
      [big.name, busy.name, roomy.name, 'Live, shared storage', '16.0 GiB', `${roomy.name} has the most free memory (120 GiB)`],
      [
        small.name,
        busy.name,
        other.name,
        'Live, shared storage',
        '2.0 GiB',
        `${other.name} has the most free memory once ${big.name} is there`,
      ],
    ]);
    expect(cellsOf(dialog.getByRole('grid', { name: 'VMs that cannot move' }))).toEqual([
      [pinned.name, `no host offers avx512f, which ${pinned.name}'s CPU needsit uses host-passthrough`],
    ]);
    expect(dialog.getByText('Memory spread 60.0% → 0.0%; CPU spread 30.0% → 0.0%.')).toBeInTheDocument();
    expect(cellsOf(dialog.getByRole('grid', { name: 'Load before and after' }))[0]).toEqual([
      busy.name,
      '80.0%',
      '40.0%',
      '40.0%',
      '20.0%',
    ]);
    expect(sentTo('POST', `/api/hosts/${busy.id}/evacuation`)).toEqual([{ dryRun: true, options: {} }]);

    await user.click(dialog.getByRole('button', { name: 'Run: move 2 VMs' }));
    expect(await dialog.findByText('2 migrations queued')).toBeInTheDocument();
    expect(sentTo('POST', `/api/hosts/${busy.id}/evacuation`).at(-1)).toEqual({ dryRun: false });
    expect(dialog.getByRole('link', { name: 'the migrations page' })).toHaveAttribute('href', `/migrations?hostId=${busy.id}`);
  });

  it('is offered only with vm.migrate on the host', async () => {
    world.me = makeMe([
      { scope: '/', permissions: ['host.view', 'vm.view'] },
      { scope: `/hosts/${roomy.id}`, permissions: ['vm.migrate'] },
    ]);
    renderMigrations(`/hosts/${busy.id}`);
    await screen.findByRole('heading', { name: busy.name });
    expect(screen.queryByRole('button', { name: 'Evacuate' })).not.toBeInTheDocument();
    cleanup();
    renderMigrations(`/hosts/${roomy.id}`);
    expect(await screen.findByRole('button', { name: 'Evacuate' })).toBeInTheDocument();
  });
});

describe('rebalancing hosts', () => {
  it('plans moves for the chosen hosts, with the spread before and after, then applies them', async () => {
    const user = userEvent.setup();
    renderMigrations('/migrations');
    await waitFor(() =>
      expect(screen.getByRole('button', { name: 'Rebalance hosts' })).not.toHaveAttribute('aria-disabled', 'true'),
    );
    await user.click(screen.getByRole('button', { name: 'Rebalance hosts' }));
    const dialog = within(screen.getByRole('dialog', { name: 'Rebalance hosts' }));
    const plan = dialog.getByRole('button', { name: 'Plan' });
    expect(plan).toBeDisabled();
    await user.click(await dialog.findByRole('checkbox', { name: busy.name }));
    await user.click(dialog.getByRole('checkbox', { name: roomy.name }));
    await user.clear(dialog.getByLabelText('At most this many moves'));
    await user.type(dialog.getByLabelText('At most this many moves'), '3');
    await user.click(plan);
    expect(await dialog.findByText('Memory spread 60.0% → 0.0%; CPU spread 30.0% → 0.0%.')).toBeInTheDocument();
    expect(cellsOf(dialog.getByRole('grid', { name: 'Planned moves' }))[0]?.at(-1)).toBe('narrows the memory spread most');
    expect(sentTo('POST', '/api/migrations/rebalance')).toEqual([
      { hostIds: [busy.id, roomy.id], dryRun: true, maxMoves: 3, options: {} },
    ]);

    await user.click(dialog.getByRole('button', { name: 'Apply: 1 move' }));
    expect(await dialog.findByText('1 migration queued')).toBeInTheDocument();
    expect(sentTo('POST', '/api/migrations/rebalance').at(-1)).toEqual({
      hostIds: [busy.id, roomy.id],
      maxMoves: 3,
      dryRun: false,
    });
  });

  it('is disabled, saying why, without vm.migrate anywhere', async () => {
    const user = userEvent.setup();
    world.me = viewerMe;
    renderMigrations('/migrations');
    await waitFor(() => expect(screen.getByRole('button', { name: 'Rebalance hosts' })).toHaveAttribute('aria-disabled', 'true'));
    // Once signed in is known: the button then sits in its tooltip.
    await screen.findByRole('grid', { name: 'Migrations' });
    await user.hover(screen.getByRole('button', { name: 'Rebalance hosts' }));
    expect(await screen.findByRole('tooltip')).toHaveTextContent('Rebalancing needs the vm.migrate permission');
  });
});

describe('moving a VM’s storage', () => {
  it('sends each disk’s target pool and deleteSource, then opens the live view', async () => {
    const user = userEvent.setup();
    const { router } = renderMigrations(`/vms/${disks.id}`);
    await user.click(await screen.findByRole('button', { name: 'Move storage' }));
    const dialog = within(screen.getByRole('dialog', { name: `Move the storage of ${disks.name}` }));
    const move = dialog.getByRole('button', { name: 'Move' });
    expect(move).toBeDisabled();
    await user.selectOptions(await dialog.findByRole('combobox', { name: 'Target pool of vdb' }), 'shared-nfs');
    expect(
      within(dialog.getByRole('combobox', { name: 'Target pool of vdb' }))
        .getAllByRole('option')
        .map((o) => o.textContent),
    ).toEqual(['Keep it on local-ssd', 'shared-nfs (shared, 9.0 TiB free)']);
    expect(dialog.getByRole('checkbox', { name: 'Delete the source volumes' })).toBeChecked();
    await user.click(dialog.getByRole('checkbox', { name: 'Delete the source volumes' }));
    await user.click(move);
    await waitFor(() => expect(router.state.location.pathname).toMatch(/^\/migrations\/[0-9a-f-]{36}$/));
    expect(sentTo('POST', '/api/migrations/storage')).toEqual([
      { vmId: disks.id, disks: [{ diskId: 'vdb', targetPoolId: 'shared-nfs' }], deleteSource: false, maxBandwidthMBps: null },
    ]);
    expect(await screen.findByRole('heading', { level: 1, name: `Storage of ${disks.name}` })).toBeInTheDocument();
    expect(cellsOf(screen.getByRole('grid', { name: 'Disks moved' }))).toEqual([['vdb', 'local-ssd', 'shared-nfs', 'pending']]);
  });
});
