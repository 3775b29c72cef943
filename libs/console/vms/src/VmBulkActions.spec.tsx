import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { BulkVmActionBody, type Host } from '@cockpit/contracts';
import { fleetOf, makeJob, makeMe, makeVm, operatorMe, viewerMe } from '@cockpit/console-api/testing';
import { fleetApi, listRequests, renderPages } from './test/api.js';

const hosts = fleetOf(4);
const vms = Array.from({ length: 60 }, (_, i) => makeVm(i + 1, hosts[i % hosts.length] as Host));
/** Every bulk action asked for, as the api parsed it. */
const bulkBodies: unknown[] = [];
const job = makeJob(7, { total: 2, done: 0, title: 'Start 2 VMs' });

const server = setupServer(
  ...fleetApi(hosts, vms, operatorMe),
  http.post('*/api/vms/bulk-actions', async ({ request }) => {
    const body = BulkVmActionBody.parse(await request.json());
    bulkBodies.push(body);
    return HttpResponse.json({ ...job, params: undefined }, { status: 202 });
  }),
  http.get('*/api/jobs/:jobId', () => HttpResponse.json({ ...job, progress: { ...job.progress, done: 1, succeeded: 1 } })),
);
beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterEach(() => {
  server.resetHandlers();
  listRequests.length = 0;
  bulkBodies.length = 0;
});
afterAll(() => server.close());

const table = () => screen.findByRole('grid', { name: 'Virtual machines' });
const rowBox = (name: string) => screen.getByRole('checkbox', { name: `Select ${name}` });
const pageBox = () => screen.getByRole('checkbox', { name: 'Select every one of the VMs on this page' });

describe('bulk actions on the VM list', () => {
  it('runs one power action on the ticked VMs as a job, with 4 at once per host, and follows the job', async () => {
    const user = userEvent.setup();
    renderPages('/vms?limit=20');
    await within(await table()).findByRole('link', { name: 'vm-001' });
    expect(screen.getByRole('button', { name: 'Power selected VMs' })).toBeDisabled();
    await user.click(rowBox('vm-001'));
    await user.click(rowBox('vm-002'));
    expect(screen.getByRole('status', { name: 'Selection' })).toHaveTextContent('2 VMs selected.');
    await user.click(screen.getByRole('button', { name: 'Power 2 VMs' }));
    await user.click(screen.getByRole('menuitem', { name: /^Start/ }));
    const dialog = within(screen.getByRole('dialog', { name: 'Start 2 VMs?' }));
    expect(dialog.getByRole('spinbutton', { name: 'At most this many at once on one host' })).toHaveValue(4);
    expect(dialog.queryByRole('spinbutton', { name: 'Seconds each guest has to shut down' })).not.toBeInTheDocument();
    await user.click(dialog.getByRole('button', { name: 'Start' }));

    await waitFor(() => expect(bulkBodies).toHaveLength(1));
    expect(bulkBodies[0]).toEqual({ action: 'start', vmIds: [vms[0]?.id, vms[1]?.id], perHost: 4, timeoutSeconds: 120 });
    expect(await screen.findByRole('link', { name: 'Open the job' })).toHaveAttribute('href', `/jobs/${job.id}`);
    expect(await screen.findByRole('progressbar', { name: 'Progress of Start 2 VMs' })).toHaveAttribute(
      'aria-valuetext',
      '1 of 2 done: 1 succeeded',
    );
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(rowBox('vm-001')).not.toBeChecked();
  });

  it('selects every VM the filter matches, then sends the filter, the per-host limit and the shutdown timeout', async () => {
    const user = userEvent.setup();
    renderPages('/vms?state=running&limit=20');
    const running = vms.filter((vm) => vm.state === 'running');
    await waitFor(async () => expect(within(await table()).getAllByRole('row')).toHaveLength(21));
    await user.click(pageBox());
    const banner = within(screen.getByRole('status', { name: 'Selection' }));
    expect(banner.getByText('20 VMs selected.')).toBeInTheDocument();
    await user.click(banner.getByRole('button', { name: `Select all ${running.length} VMs matching the filter` }));
    expect(screen.getByRole('status', { name: 'Selection' })).toHaveTextContent(
      `All ${running.length} VMs matching the filter are selected.`,
    );

    await user.click(screen.getByRole('button', { name: `Power all ${running.length} VMs matching the filter` }));
    await user.click(screen.getByRole('menuitem', { name: /^Shut down/ }));
    const dialog = within(screen.getByRole('dialog', { name: `Shut down all ${running.length} VMs matching the filter?` }));
    const perHost = dialog.getByRole('spinbutton', { name: 'At most this many at once on one host' });
    await user.clear(perHost);
    await user.type(perHost, '2');
    await user.click(dialog.getByRole('button', { name: '10 seconds more' }));
    await user.click(dialog.getByRole('button', { name: 'Shut down' }));
    await waitFor(() => expect(bulkBodies).toHaveLength(1));
    expect(bulkBodies[0]).toEqual({ action: 'shutdown', filter: { state: 'running' }, perHost: 2, timeoutSeconds: 130 });
  });

  it('forgets the selection when the filter changes', async () => {
    const user = userEvent.setup();
    renderPages('/vms?limit=20');
    await within(await table()).findByRole('link', { name: 'vm-001' });
    await user.click(rowBox('vm-001'));
    expect(screen.getByRole('status', { name: 'Selection' })).toHaveTextContent('1 VM selected.');
    await user.selectOptions(screen.getByRole('combobox', { name: 'Filter VMs by state' }), 'running');
    await waitFor(() => expect(screen.queryByRole('status', { name: 'Selection' })).not.toBeInTheDocument());
    expect(screen.getByRole('button', { name: 'Power selected VMs' })).toBeDisabled();
  });

  it('shows the api’s refusal in the dialog and keeps the selection', async () => {
    const user = userEvent.setup();
    server.use(
      http.post('*/api/vms/bulk-actions', () =>
        HttpResponse.json(
          { statusCode: 403, error: 'Forbidden', message: 'You need vm.power on vm-001 and 1 more' },
          { status: 403 },
        ),
      ),
    );
    renderPages('/vms?limit=20');
    await within(await table()).findByRole('link', { name: 'vm-001' });
    await user.click(rowBox('vm-001'));
    await user.click(screen.getByRole('button', { name: 'Power 1 VM' }));
    await user.click(screen.getByRole('menuitem', { name: /^Power off/ }));
    const dialog = within(screen.getByRole('dialog', { name: 'Power off 1 VM?' }));
    await user.click(dialog.getByRole('button', { name: 'Power off' }));
    expect(await dialog.findByText('You need vm.power on vm-001 and 1 more')).toBeInTheDocument();
    await user.click(dialog.getByRole('button', { name: 'Cancel' }));
    expect(rowBox('vm-001')).toBeChecked();
  });

  it('offers no boxes to a viewer, and disables those of VMs the user may not power, saying why', async () => {
    server.use(...fleetApi(hosts, vms, viewerMe));
    const { unmount } = renderPages('/vms?limit=20');
    await within(await table()).findByRole('link', { name: 'vm-001' });
    expect(screen.queryByRole('checkbox')).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Power selected VMs' })).not.toBeInTheDocument();
    unmount();

    const onHost1 = makeMe([
      { scope: '/', permissions: ['vm.view', 'host.view'] },
      { scope: `/hosts/${hosts[0]?.id}`, permissions: ['vm.power'] },
    ]);
    server.use(...fleetApi(hosts, vms, onHost1));
    renderPages('/vms?limit=20');
    await within(await table()).findByRole('link', { name: 'vm-001' });
    // vm-001 is on host 1, vm-002 on host 2.
    expect(rowBox('vm-001')).toBeEnabled();
    expect(rowBox('vm-002')).toBeDisabled();
    expect(rowBox('vm-002')).toHaveAttribute('title', 'You need the vm.power permission on this VM');
  });
});
