import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { CreateVmBody, type Host } from '@cockpit/contracts';
import { fleetOf, makeVm, operatorMe, viewerMe } from '@cockpit/console-api/testing';
import { fleetApi, renderPages } from './test/api.js';

const hosts = fleetOf(3);
/** Every creation asked for, as the api parsed it. */
const created: unknown[] = [];

const server = setupServer(
  ...fleetApi(hosts, [], operatorMe),
  http.post('*/api/vms', async ({ request }) => {
    const body = CreateVmBody.parse(await request.json());
    created.push(body);
    const host = (hosts.find((h) => h.id === body.hostId) ?? hosts[1]) as Host;
    const vm = makeVm(42, host, { name: body.name, state: body.start ? 'running' : 'shutoff' });
    return HttpResponse.json(
      {
        vm,
        placement: {
          hostId: host.id,
          hostName: host.name,
          chosen: body.hostId ? 'asked' : 'placed',
          reason: body.hostId
            ? 'You asked for it'
            : 'The connected host with the most free memory that has pool local-ssd and bridge br-prod',
          rejected: body.hostId
            ? []
            : [{ hostId: hosts[0]?.id, hostName: hosts[0]?.name, reasons: ['only 1 GiB of memory free'] }],
        },
      },
      { status: 201 },
    );
  }),
);
beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterEach(() => {
  server.resetHandlers();
  created.length = 0;
});
afterAll(() => server.close());

const wizard = () => within(screen.getByRole('dialog'));
async function openWizard(user: ReturnType<typeof userEvent.setup>) {
  // Offered once who is signed in is known.
  await waitFor(() => expect(screen.getByRole('button', { name: 'Create VM' })).not.toHaveAttribute('aria-disabled', 'true'));
  await user.click(screen.getByRole('button', { name: 'Create VM' }));
}
const next = async (user: ReturnType<typeof userEvent.setup>) => user.click(wizard().getByRole('button', { name: 'Next' }));

describe('Create VM wizard', () => {
  it('creates a VM Cockpit places, checked step by step by the shared schema, and shows where it went and why', async () => {
    const user = userEvent.setup();
    renderPages('/vms');
    await openWizard(user);
    expect(wizard().getByRole('button', { name: 'Next' })).toBeDisabled();
    await user.type(wizard().getByRole('textbox', { name: 'Name' }), 'web 9');
    expect(wizard().getByText('use letters, digits, ".", "_" or "-", starting with a letter or digit')).toBeInTheDocument();
    expect(wizard().getByRole('button', { name: 'Next' })).toBeDisabled();
    await user.clear(wizard().getByRole('textbox', { name: 'Name' }));
    await user.type(wizard().getByRole('textbox', { name: 'Name' }), 'web-9');
    expect(wizard().getByRole('radio', { name: /Let Cockpit place it/ })).toBeChecked();
    await next(user);

    const vcpus = wizard().getByRole('spinbutton', { name: 'vCPUs' });
    await user.clear(vcpus);
    expect(wizard().getByText('Required')).toBeInTheDocument();
    await user.type(vcpus, '4');
    const memory = wizard().getByRole('spinbutton', { name: 'Memory (MiB)' });
    await user.clear(memory);
    await user.type(memory, '4096');
    expect(wizard().getByText('= 4.0 GiB')).toBeInTheDocument();
    await next(user);

    // No host chosen: the pool is named, not picked.
    await user.type(wizard().getByRole('textbox', { name: 'Pool of new disk 1' }), 'local-ssd');
    const size = wizard().getByRole('spinbutton', { name: 'Size of new disk 1 in GiB' });
    await user.clear(size);
    await user.type(size, '10');
    await next(user);
    expect(wizard().getByRole('button', { name: 'Next' })).toBeDisabled();
    await user.type(wizard().getByRole('textbox', { name: 'Bridge of new network interface 1' }), 'br-prod');
    await next(user);
    await user.click(wizard().getByRole('checkbox', { name: 'Start it when its host boots (autostart)' }));
    await next(user);

    expect(wizard().getByText('Cockpit places it')).toBeInTheDocument();
    await user.click(wizard().getByRole('button', { name: 'Create' }));
    expect(await screen.findByRole('heading', { name: /Cockpit placed web-9 on host-002/ })).toBeInTheDocument();
    expect(created).toEqual([
      {
        name: 'web-9',
        vcpus: 4,
        memoryMiB: 4096,
        cpu: { model: 'host-model', features: [] },
        disks: [{ poolId: 'local-ssd', sizeBytes: 10 * 1024 ** 3, format: 'qcow2', bus: 'virtio' }],
        nics: [{ networkId: 'br-prod', model: 'virtio' }],
        bootOrder: ['disk', 'network'],
        autostart: true,
        start: true,
      },
    ]);
    expect(
      screen.getByText('The connected host with the most free memory that has pool local-ssd and bridge br-prod'),
    ).toBeInTheDocument();
    expect(within(screen.getByRole('list', { name: 'Hosts that could not take it' })).getByRole('listitem')).toHaveTextContent(
      'host-001: only 1 GiB of memory free',
    );
    expect(screen.getByRole('link', { name: 'Open web-9' })).toHaveAttribute('href', `/vms/${makeVm(42, hosts[1] as Host).id}`);
  });

  it('creates on a chosen host, picking its pools and bridges, and shows the api’s refusal', async () => {
    const user = userEvent.setup();
    renderPages('/vms');
    await openWizard(user);
    await user.type(wizard().getByRole('textbox', { name: 'Name' }), 'db-1');
    await user.click(wizard().getByRole('radio', { name: 'On a host I choose' }));
    expect(wizard().getByText('Choose a host, or let Cockpit place it')).toBeInTheDocument();
    expect(wizard().getByRole('button', { name: 'Next' })).toBeDisabled();
    await user.type(wizard().getByRole('combobox', { name: 'Host of the new VM' }), 'host-003');
    await user.click(await screen.findByRole('option', { name: 'host-003' }));
    await waitFor(() => expect(wizard().getByRole('button', { name: 'Next' })).toBeEnabled());
    await next(user);
    await next(user);
    const pool = wizard().getByRole('combobox', { name: 'Pool of new disk 1' });
    await waitFor(() => expect(within(pool).getAllByRole('option')).toHaveLength(3));
    await user.selectOptions(pool, 'shared-nfs');
    await next(user);
    await user.selectOptions(wizard().getByRole('combobox', { name: 'Bridge of new network interface 1' }), 'br-mgmt');
    await next(user);
    await user.click(wizard().getByRole('checkbox', { name: 'Start it once created' }));
    await next(user);

    server.use(
      http.post('*/api/vms', () =>
        HttpResponse.json(
          { statusCode: 409, error: 'Conflict', message: 'host-003 already has a VM named db-1' },
          { status: 409 },
        ),
      ),
    );
    await user.click(wizard().getByRole('button', { name: 'Create' }));
    expect(await wizard().findByText('Not created: host-003 already has a VM named db-1')).toBeInTheDocument();

    server.use(
      http.post('*/api/vms', async ({ request }) => {
        created.push(CreateVmBody.parse(await request.json()));
        const vm = makeVm(43, hosts[2] as Host, { name: 'db-1', state: 'shutoff' });
        return HttpResponse.json(
          {
            vm,
            placement: { hostId: vm.hostId, hostName: vm.hostName, chosen: 'asked', reason: 'You asked for it', rejected: [] },
          },
          { status: 201 },
        );
      }),
    );
    await user.click(wizard().getByRole('button', { name: 'Create' }));
    expect(await screen.findByRole('heading', { name: /Created db-1 on host-003/ })).toBeInTheDocument();
    expect(created[0]).toMatchObject({
      hostId: hosts[2]?.id,
      start: false,
      disks: [{ poolId: 'shared-nfs' }],
      nics: [{ networkId: 'br-mgmt' }],
    });
  });

  it('is not offered without vm.create, saying why', async () => {
    const user = userEvent.setup();
    server.use(...fleetApi(hosts, [], viewerMe));
    renderPages('/vms');
    await screen.findByRole('heading', { name: 'No virtual machines' });
    const create = screen.getByRole('button', { name: 'Create VM' });
    expect(create).toHaveAttribute('aria-disabled', 'true');
    await user.hover(create);
    expect(await screen.findByRole('tooltip')).toHaveTextContent('Creating a VM needs the vm.create permission');
  });
});
