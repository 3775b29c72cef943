import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { setupServer } from 'msw/node';
import { MIGRATION_DEFAULTS, type FleetVm, type Host } from '@cockpit/contracts';
import { fleetOf, makePreflight, makeVm, viewerMe } from '@cockpit/console-api/testing';
import { migrationsApi, renderMigrations, requests, sentTo, type World } from './test/api.js';

const hosts = fleetOf(3);
const [source, broadwell, spare] = hosts as [Host, Host, Host];
const vm = makeVm(1, source, { cpu: { model: 'Skylake-Server-IBRS', features: ['avx512f', 'avx512bw'] } });
const crashed = makeVm(6, source, { state: 'crashed' });

const CPU_REFUSAL = `${broadwell.name}'s CPU (Broadwell-IBRS) lacks avx512f, avx512bw, which ${vm.name}'s CPU (Skylake-Server-IBRS) needs`;
const SLOT_WARNING = `it will wait for a slot: ${spare.name} already receives 2 of 2`;

/** host-002 lacks the VM's CPU flags; host-003 takes it after a wait for a slot. */
const preflight: World['preflight'] = (subject, target, options) =>
  makePreflight(subject, target, {
    options: { ...MIGRATION_DEFAULTS, copyStorage: false, ...options },
    replaced:
      target.id === broadwell.id
        ? [{ check: 'cpu', outcome: 'fail', message: CPU_REFUSAL }]
        : [{ check: 'concurrency', outcome: 'warn', message: SLOT_WARNING }],
  });

let world: World;
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
beforeEach(() => {
  world = { hosts, vms: [vm, crashed], migrations: [], preflight };
  server.use(...migrationsApi(world));
});
afterEach(() => {
  server.resetHandlers();
  requests.length = 0;
});
afterAll(() => server.close());

async function openWizard() {
  const user = userEvent.setup();
  const rendered = renderMigrations(`/vms/${vm.id}`);
  await user.click(await screen.findByRole('button', { name: 'Migrate' }));
  const wizard = within(await screen.findByRole('dialog', { name: `Migrate ${vm.name}` }));
  return { user, wizard, ...rendered };
}

const rowOf = (wizard: ReturnType<typeof within>, host: Host) =>
  within(wizard.getByRole('radio', { name: `Move to ${host.name}` }).closest('tr') as HTMLElement);

describe('the Migrate button on a VM’s page', () => {
  it('is there for who holds vm.migrate on the VM, and disabled with the reason for a VM that cannot move', async () => {
    const user = userEvent.setup();
    renderMigrations(`/vms/${vm.id}`);
    expect(await screen.findByRole('button', { name: 'Migrate' })).not.toHaveAttribute('aria-disabled', 'true');
    cleanup();

    renderMigrations(`/vms/${crashed.id}`);
    const disabled = await screen.findByRole('button', { name: 'Migrate' });
    expect(disabled).toHaveAttribute('aria-disabled', 'true');
    await user.hover(disabled);
    expect(await screen.findByRole('tooltip')).toHaveTextContent('A crashed VM cannot be moved: start or shut it off first');
    cleanup();

    world.me = viewerMe;
    renderMigrations(`/vms/${vm.id}`);
    await screen.findByRole('heading', { name: vm.name });
    expect(screen.queryByRole('button', { name: 'Migrate' })).not.toBeInTheDocument();
  });
});

describe('the migrate wizard', () => {
  it('lists every other host with its verdict: a CPU-incompatible one is refused, naming the flags it lacks', async () => {
    const { wizard } = await openWizard();
    const table = await wizard.findByRole('grid', { name: 'Target hosts' });
    const [, ...rows] = within(table).getAllByRole('row');
    // Those that can take it first.
    expect(rows.map((row) => within(row).getAllByRole('cell')[1]?.textContent)).toEqual([spare.name, broadwell.name]);

    const refused = rowOf(wizard, broadwell);
    expect(refused.getByText('refused')).toBeInTheDocument();
    expect(refused.getByText(CPU_REFUSAL)).toBeInTheDocument();
    expect(wizard.getByRole('radio', { name: `Move to ${broadwell.name}` })).toBeDisabled();

    const warned = rowOf(wizard, spare);
    expect(warned.getByText('can move, with warnings')).toBeInTheDocument();
    expect(warned.getByText(SLOT_WARNING)).toBeInTheDocument();
    expect(warned.getByText('Live, shared storage')).toBeInTheDocument();
    expect(wizard.getByRole('button', { name: 'Next' })).toBeDisabled();
    expect(sentTo('POST', '/api/migrations/preflight/matrix')).toEqual([{ vmIds: [vm.id], options: {} }]);
    expect(sentTo('POST', '/api/migrations')).toEqual([]);
  });

  it('shows the options with their defaults and the detected type with its reason; Start opens the live view', async () => {
    const { user, wizard, router } = await openWizard();
    await user.click(await wizard.findByRole('radio', { name: `Move to ${spare.name}` }));
    await user.click(wizard.getByRole('button', { name: 'Next' }));

    expect(wizard.getByRole('checkbox', { name: /^Live/ })).toBeChecked();
    expect(wizard.getByRole('checkbox', { name: /^Persistent/ })).toBeChecked();
    expect(wizard.getByRole('checkbox', { name: /^Undefine the source/ })).toBeChecked();
    expect(wizard.getByRole('checkbox', { name: /^Auto-converge/ })).not.toBeChecked();
    expect(wizard.getByText(/Throttle the guest’s CPU .* Default: off\./)).toBeInTheDocument();
    expect(wizard.getByLabelText('Bandwidth limit (MiB/s)')).toHaveValue(null);
    expect(wizard.getByLabelText('Bandwidth limit (MiB/s)')).toHaveAttribute('placeholder', 'unlimited');
    expect(wizard.getByLabelText('Downtime limit (ms)')).toHaveValue(300);
    expect(wizard.getByText('The pause the switch-over may take. Default: 300 ms.')).toBeInTheDocument();
    expect(wizard.getByRole('radio', { name: 'As the pools need (default)' })).toBeChecked();
    // The type for the chosen host, and why.
    expect(await wizard.findByText(/only CPU and memory state move/)).toBeInTheDocument();

    await user.type(wizard.getByLabelText('Bandwidth limit (MiB/s)'), '100');
    await user.click(wizard.getByRole('checkbox', { name: /^Auto-converge/ }));
    // The checks are asked again with the options.
    await waitFor(() =>
      expect(sentTo('POST', '/api/migrations/preflight').at(-1)).toEqual({
        vmId: vm.id,
        targetHostId: spare.id,
        options: { autoConverge: true, maxBandwidthMBps: 100 },
      }),
    );
    await user.click(wizard.getByRole('button', { name: 'Next' }));
    const move = within(wizard.getByLabelText('The move'));
    expect(move.getByText(/^Live, shared storage/)).toBeInTheDocument();
    expect(within(move.getByText('Bandwidth limit').closest('div') as HTMLElement).getByText('100 MiB/s')).toBeInTheDocument();
    expect(within(wizard.getByRole('list', { name: 'Pre-flight checks' })).getByText(SLOT_WARNING)).toBeInTheDocument();

    await user.click(wizard.getByRole('button', { name: 'Start migration' }));
    await waitFor(() => expect(router.state.location.pathname).toMatch(/^\/migrations\/[0-9a-f-]{36}$/));
    expect(sentTo('POST', '/api/migrations')).toEqual([
      { vmId: vm.id, targetHostId: spare.id, options: { autoConverge: true, maxBandwidthMBps: 100 } },
    ]);
    expect(await screen.findByRole('heading', { level: 1, name: `${vm.name} to ${spare.name}` })).toBeInTheDocument();
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
  });

  it('shows each reason when the start is refused (409), and stays open', async () => {
    const { user, wizard, router } = await openWizard();
    await user.click(await wizard.findByRole('radio', { name: `Move to ${spare.name}` }));
    await user.click(wizard.getByRole('button', { name: 'Next' }));
    await user.click(wizard.getByRole('button', { name: 'Next' }));
    await wizard.findByRole('list', { name: 'Pre-flight checks' });
    // Between the review and Start, memory on the target ran out.
    const memory = `${spare.name} has 512 MiB free; ${vm.name} needs ${vm.memoryMiB} MiB`;
    world.preflight = (subject: FleetVm, target: Host) =>
      makePreflight(subject, target, { replaced: [{ check: 'memory', outcome: 'fail', message: memory }] });
    await user.click(wizard.getByRole('button', { name: 'Start migration' }));
    const alert = await wizard.findByText('Not started');
    expect(within(alert.closest('.pf-v6-c-alert') as HTMLElement).getByText(memory)).toBeInTheDocument();
    expect(router.state.location.pathname).toBe(`/vms/${vm.id}`);
  });
});
