import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { VaporSnapshotCreate, VmUpdate, type FleetVm, type Host } from '@cockpit/contracts';
import { adminMe, fleetOf, makeMe, makeSnapshot, makeVm, NOW, operatorMe, viewerMe } from '@cockpit/console-api/testing';
import { fleetApi, renderPages } from './test/api.js';
import { described } from './test/description.js';

const hosts = fleetOf(3);
const host = hosts[0] as Host;
const running = makeVm(1, host);
const shutoff = makeVm(2, host);
const paused = makeVm(3, host);
const vms = [running, shutoff, paused];

/** What the page sent, beyond reading: method, path, body, If-Match. */
const sent: { method: string; path: string; body: unknown; ifMatch: string | null; search: string }[] = [];
async function record(request: Request) {
  const url = new URL(request.url);
  const text = await request.text();
  sent.push({
    method: request.method,
    path: url.pathname,
    body: text ? (JSON.parse(text) as unknown) : undefined,
    ifMatch: request.headers.get('if-match'),
    search: url.search,
  });
}
const metricsAsked: URL[] = [];

const server = setupServer(...fleetApi(hosts, vms, operatorMe));
beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterEach(() => {
  server.resetHandlers();
  sent.length = 0;
  metricsAsked.length = 0;
});
afterAll(() => server.close());

const powerGroup = () => within(screen.getByRole('group', { name: 'Power' }));
const powerButtons = () =>
  powerGroup()
    .getAllByRole('button')
    .map((button) => button.textContent);

describe('VM power buttons', () => {
  it('offer what each state allows', async () => {
    const { unmount } = renderPages(`/vms/${running.id}`);
    await screen.findByRole('heading', { level: 1, name: running.name });
    expect(powerButtons()).toEqual(['Shut down', 'Power off', 'Reboot', 'Reset', 'Pause']);
    unmount();
    const second = renderPages(`/vms/${paused.id}`);
    await screen.findByRole('heading', { level: 1, name: paused.name });
    expect(powerButtons()).toEqual(['Resume', 'Power off', 'Reset']);
    second.unmount();
    renderPages(`/vms/${shutoff.id}`);
    await screen.findByRole('heading', { level: 1, name: shutoff.name });
    expect(powerButtons()).toEqual(['Start']);
  });

  it('send the action with the VM’s generation in If-Match, and show the VM as the api answers', async () => {
    const user = userEvent.setup();
    server.use(
      http.post('*/api/vms/:vmId/actions', async ({ request }) => {
        await record(request);
        const vm = { ...shutoff, state: 'running', generation: 4 };
        return HttpResponse.json({ vmId: vm.id, state: vm.state, generation: 4, vm });
      }),
    );
    renderPages(`/vms/${shutoff.id}`);
    await user.click(await screen.findByRole('button', { name: 'Start' }));
    await waitFor(() => expect(powerButtons()).toEqual(['Shut down', 'Power off', 'Reboot', 'Reset', 'Pause']));
    expect(sent).toEqual([
      { method: 'POST', path: `/api/vms/${shutoff.id}/actions`, body: { action: 'start' }, ifMatch: '"3"', search: '' },
    ]);
    expect(described('Generation')).toBe('4');
  });

  it('confirm power off first, and show a lost update (412) with its reason', async () => {
    const user = userEvent.setup();
    server.use(
      http.post('*/api/vms/:vmId/actions', async ({ request }) => {
        await record(request);
        return HttpResponse.json(
          {
            statusCode: 412,
            error: 'Precondition Failed',
            message: 'VM vm-001 changed since you read it: it is at generation 5 now; read it again and retry',
          },
          { status: 412 },
        );
      }),
    );
    renderPages(`/vms/${running.id}`);
    await user.click(await screen.findByRole('button', { name: 'Power off' }));
    const dialog = within(screen.getByRole('dialog', { name: `Warning alert: Power off ${running.name}?` }));
    expect(sent).toEqual([]);
    await user.click(dialog.getByRole('button', { name: 'Power off' }));
    expect(
      await screen.findByText(
        'Power off failed: VM vm-001 changed since you read it: it is at generation 5 now; read it again and retry',
      ),
    ).toBeInTheDocument();
    expect(sent[0]).toMatchObject({ body: { action: 'poweroff' }, ifMatch: '"3"' });
  });

  it('are disabled, saying why, for a user without vm.power on the VM; edit and delete too', async () => {
    const user = userEvent.setup();
    server.use(...fleetApi(hosts, vms, viewerMe));
    renderPages(`/vms/${running.id}`);
    await screen.findByRole('heading', { level: 1, name: running.name });
    const reboot = powerGroup().getByRole('button', { name: 'Reboot' });
    expect(reboot).toHaveAttribute('aria-disabled', 'true');
    await user.hover(reboot);
    expect(await screen.findByRole('tooltip')).toHaveTextContent('You need the vm.power permission on this VM');
    expect(screen.getByRole('button', { name: 'Edit' })).toHaveAttribute('aria-disabled', 'true');
    expect(screen.getByRole('button', { name: 'Delete' })).toHaveAttribute('aria-disabled', 'true');
  });

  it('follow a grant on the VM’s host, not on another host', async () => {
    const onItsHost = makeMe([
      { scope: '/', permissions: ['vm.view', 'host.view'] },
      { scope: `/hosts/${host.id}`, permissions: ['vm.power'] },
    ]);
    const elsewhere = makeVm(9, hosts[1] as Host, { state: 'shutoff' });
    server.use(...fleetApi(hosts, [running, elsewhere], onItsHost));
    const { unmount } = renderPages(`/vms/${running.id}`);
    await screen.findByRole('heading', { level: 1, name: running.name });
    expect(powerGroup().getByRole('button', { name: 'Pause' })).not.toHaveAttribute('aria-disabled', 'true');
    unmount();
    renderPages(`/vms/${elsewhere.id}`);
    await screen.findByRole('heading', { level: 1, name: elsewhere.name });
    expect(powerGroup().getByRole('button', { name: 'Start' })).toHaveAttribute('aria-disabled', 'true');
  });
});

describe('VM overview', () => {
  it('shows autostart, boot order, and the changes waiting for the next boot', async () => {
    const staged = makeVm(4, host, {
      state: 'running',
      autostart: true,
      pendingChanges: { vcpus: 8, bootOrder: ['network', 'disk'], removeDisks: ['vda'] },
    });
    server.use(...fleetApi(hosts, [staged], operatorMe));
    renderPages(`/vms/${staged.id}`);
    expect(await screen.findByRole('heading', { level: 1, name: staged.name })).toBeInTheDocument();
    expect(described('vCPUs')).toBe(`${staged.vcpus} applies at next boot: 8`);
    expect(described('Boot order')).toBe('Disk → Network (PXE) applies at next boot: Network (PXE) → Disk');
    expect(described('Autostart')).toBe('yes, when its host boots');
    expect(within(screen.getByRole('grid', { name: 'Disks' })).getAllByRole('row')[1]).toHaveTextContent(
      'vda applies at next boot: removed',
    );
    const waiting = screen.getByText('Changes wait for the next start from shut off').closest('.pf-v6-c-alert') as HTMLElement;
    expect(
      within(waiting)
        .getAllByRole('listitem')
        .map((item) => item.textContent),
    ).toEqual(['vCPUs: 8', 'Boot order: Network (PXE) → Disk', 'Removed disks: vda']);
  });

  it('charts the last hour live, and 24 h or 30 d on request', async () => {
    const user = userEvent.setup();
    server.use(
      http.get('*/api/vms/:vmId/metrics', ({ request }) => {
        metricsAsked.push(new URL(request.url));
        return HttpResponse.json({
          resolution: '1m',
          stepSeconds: 240,
          from: new Date(NOW - 86_400_000).toISOString(),
          to: new Date(NOW).toISOString(),
          timestamps: [NOW - 240_000, NOW],
          series: {
            cpuPercent: [1, 2],
            memoryUsedMiB: [1, 2],
            diskReadBps: [0, 0],
            diskWriteBps: [0, 0],
            netRxBps: [0, 0],
            netTxBps: [0, 0],
          },
        });
      }),
    );
    renderPages(`/vms/${running.id}`);
    expect(await screen.findByText(/^Last hour, /)).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: '24 h' }));
    expect(
      await screen.findByText('Last 24 hours, 1-minute averages every 4 min, fetched again as new points are due.'),
    ).toBeInTheDocument();
    const from = Date.parse(metricsAsked.at(-1)?.searchParams.get('from') ?? '');
    expect(Date.now() - from).toBeGreaterThanOrEqual(86_400_000);
    expect(Date.now() - from).toBeLessThan(86_400_000 + 60_000);
    await user.click(screen.getByRole('button', { name: '30 d' }));
    await waitFor(() => expect(screen.getByText(/^Last 30 days, /)).toBeInTheDocument());
  });
});

describe('editing a VM', () => {
  it('says before saving which changes of a running VM wait for the next boot, and after, what the api says', async () => {
    const user = userEvent.setup();
    server.use(
      http.patch('*/api/vms/:vmId', async ({ request }) => {
        await record(request);
        const body = VmUpdate.parse(sent.at(-1)?.body);
        const vm: FleetVm = {
          ...running,
          memoryMiB: body.memoryMiB ?? running.memoryMiB,
          pendingChanges: { vcpus: body.vcpus },
          generation: 4,
        };
        return HttpResponse.json({ vm, appliedNow: ['memoryMiB'], appliesAtNextBoot: ['vcpus'] });
      }),
    );
    renderPages(`/vms/${running.id}`);
    await user.click(await screen.findByRole('button', { name: 'Edit' }));
    const dialog = within(screen.getByRole('dialog', { name: `Edit ${running.name}` }));
    expect(dialog.getByRole('button', { name: 'Save' })).toBeDisabled();
    const vcpus = dialog.getByRole('spinbutton', { name: 'vCPUs' });
    await user.clear(vcpus);
    await user.type(vcpus, '4');
    const memory = dialog.getByRole('spinbutton', { name: 'Memory (MiB)' });
    await user.clear(memory);
    await user.type(memory, '8192');
    expect(dialog.getByText('vCPUs: applies at the next start from shut off (not on reboot or reset)')).toBeInTheDocument();
    expect(dialog.queryByText(/Memory: applies at the next start/)).not.toBeInTheDocument();
    expect(dialog.getByText('= 8.0 GiB')).toBeInTheDocument();
    await user.click(dialog.getByRole('button', { name: 'Save' }));

    expect(await screen.findByText('Saved. Applies at next boot: vCPUs')).toBeInTheDocument();
    expect(screen.getByText('Applied now: Memory.')).toBeInTheDocument();
    expect(sent).toEqual([
      { method: 'PATCH', path: `/api/vms/${running.id}`, body: { vcpus: 4, memoryMiB: 8192 }, ifMatch: '"3"', search: '' },
    ]);
    expect(described('vCPUs')).toBe(`${running.vcpus} applies at next boot: 4`);
  });

  it('checks the form with the shared schema before sending: a bad name, too many vCPUs, a new disk on a pool of the host', async () => {
    const user = userEvent.setup();
    server.use(
      http.patch('*/api/vms/:vmId', async ({ request }) => {
        await record(request);
        return HttpResponse.json({ vm: shutoff, appliedNow: ['addDisks', 'bootOrder'], appliesAtNextBoot: [] });
      }),
    );
    renderPages(`/vms/${shutoff.id}`);
    await user.click(await screen.findByRole('button', { name: 'Edit' }));
    const dialog = within(screen.getByRole('dialog', { name: `Edit ${shutoff.name}` }));
    const name = dialog.getByRole('textbox', { name: 'Name' });
    await user.clear(name);
    await user.type(name, 'web 1');
    expect(dialog.getByText('use letters, digits, ".", "_" or "-", starting with a letter or digit')).toBeInTheDocument();
    await user.clear(name);
    await user.type(name, shutoff.name);
    const vcpus = dialog.getByRole('spinbutton', { name: 'vCPUs' });
    await user.clear(vcpus);
    await user.type(vcpus, '999');
    expect(dialog.getByText(/Too big: expected number to be <=512/)).toBeInTheDocument();
    await user.clear(vcpus);
    await user.type(vcpus, String(shutoff.vcpus));

    await user.click(dialog.getByRole('button', { name: 'Add a disk' }));
    const pool = dialog.getByRole('combobox', { name: 'Pool of new disk 1' });
    expect(
      within(pool)
        .getAllByRole('option')
        .map((option) => option.textContent),
    ).toEqual(['Choose…', 'local-ssd (local, 1.0 TiB free)', 'shared-nfs (shared, 9.0 TiB free)']);
    await user.selectOptions(pool, 'shared-nfs');
    const size = dialog.getByRole('spinbutton', { name: 'Size of new disk 1 in GiB' });
    await user.clear(size);
    await user.type(size, '50');
    await user.click(dialog.getByRole('button', { name: 'Try Network (PXE) earlier' }));
    // A shut-off VM takes everything at once.
    expect(dialog.queryByText(/applies at the next start/)).not.toBeInTheDocument();
    await user.click(dialog.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(sent).toHaveLength(1));
    expect(sent[0]?.body).toEqual({
      bootOrder: ['network', 'disk'],
      addDisks: [{ poolId: 'shared-nfs', sizeBytes: 50 * 1024 ** 3, format: 'qcow2', bus: 'virtio' }],
    });
    expect(await screen.findByText('Saved')).toBeInTheDocument();
  });
});

describe('deleting a VM', () => {
  it('is offered only once the VM is shut off, keeps its disks when asked, and goes back to the list', async () => {
    const user = userEvent.setup();
    server.use(
      http.delete('*/api/vms/:vmId', async ({ request }) => {
        await record(request);
        return HttpResponse.json({ deleted: true, keptDisks: true });
      }),
    );
    const first = renderPages(`/vms/${running.id}`);
    await screen.findByRole('heading', { level: 1, name: running.name });
    await user.hover(screen.getByRole('button', { name: 'Delete' }));
    expect(await screen.findByRole('tooltip')).toHaveTextContent('Shut the VM off before deleting it');
    first.unmount();

    const { router } = renderPages(`/vms/${shutoff.id}`);
    await user.click(await screen.findByRole('button', { name: 'Delete' }));
    const dialog = within(screen.getByRole('dialog', { name: `Danger alert: Delete ${shutoff.name}?` }));
    await user.click(dialog.getByRole('checkbox', { name: 'Keep its disk images in their pools' }));
    await user.click(dialog.getByRole('button', { name: 'Delete' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/vms'));
    expect(sent).toEqual([
      { method: 'DELETE', path: `/api/vms/${shutoff.id}`, body: undefined, ifMatch: '"3"', search: '?keepDisks=true' },
    ]);
  });
});

describe('VM snapshots', () => {
  const snapshots = [1, 2, 3].map((n) => makeSnapshot(n, running, { current: n === 3 }));
  const snapshotApi = () =>
    http.get('*/api/vms/:vmId/snapshots', () =>
      HttpResponse.json({ items: snapshots, total: snapshots.length, nextCursor: null }),
    );

  it('lists them with their kind, parent and size, and takes one with memory', async () => {
    const user = userEvent.setup();
    server.use(
      snapshotApi(),
      http.post('*/api/vms/:vmId/snapshots', async ({ request }) => {
        await record(request);
        const body = VaporSnapshotCreate.parse(sent.at(-1)?.body);
        return HttpResponse.json(
          { snapshot: makeSnapshot(4, running, { ...body }), vm: { ...running, snapshotCount: 4, generation: 4 } },
          { status: 201 },
        );
      }),
    );
    renderPages(`/vms/${running.id}?tab=snapshots`);
    const table = await screen.findByRole('grid', { name: 'Snapshots' });
    const [, ...rows] = within(table).getAllByRole('row');
    expect(rows.map((row) => row.textContent)).toEqual([
      expect.stringMatching(/^snap-1.*with memory.*running—1\.0 GiB/),
      expect.stringMatching(/^snap-2.*disks only.*shutoffsnap-12\.0 GiB/),
      expect.stringMatching(/^snap-3 current.*with memory.*runningsnap-23\.0 GiB/),
    ]);

    await user.click(screen.getByRole('button', { name: 'Take snapshot' }));
    const dialog = within(screen.getByRole('dialog', { name: `Take a snapshot of ${running.name}` }));
    expect(dialog.getByRole('checkbox', { name: 'Include memory (the running state)' })).toBeChecked();
    await user.type(dialog.getByRole('textbox', { name: 'Name' }), 'before upgrade');
    expect(dialog.getByText('use letters, digits, ".", "_" or "-", starting with a letter or digit')).toBeInTheDocument();
    await user.clear(dialog.getByRole('textbox', { name: 'Name' }));
    await user.type(dialog.getByRole('textbox', { name: 'Name' }), 'before-upgrade');
    await user.click(dialog.getByRole('button', { name: 'Take snapshot' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(sent).toEqual([
      {
        method: 'POST',
        path: `/api/vms/${running.id}/snapshots`,
        body: { name: 'before-upgrade', description: '', memory: true },
        ifMatch: '"3"',
        search: '',
      },
    ]);
    expect(await screen.findByRole('tab', { name: 'Snapshots (4)' })).toBeInTheDocument();
  });

  it('takes disks only of a shut-off VM', async () => {
    const user = userEvent.setup();
    server.use(
      http.get('*/api/vms/:vmId/snapshots', () => HttpResponse.json({ items: [], total: 0, nextCursor: null })),
      http.post('*/api/vms/:vmId/snapshots', async ({ request }) => {
        await record(request);
        return HttpResponse.json({ snapshot: makeSnapshot(1, shutoff), vm: shutoff }, { status: 201 });
      }),
    );
    renderPages(`/vms/${shutoff.id}?tab=snapshots`);
    expect(await screen.findByText('No snapshots')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Take snapshot' }));
    const dialog = within(screen.getByRole('dialog'));
    expect(dialog.getByRole('checkbox', { name: 'Include memory (the running state)' })).toBeDisabled();
    await user.type(dialog.getByRole('textbox', { name: 'Name' }), 'cold');
    await user.click(dialog.getByRole('button', { name: 'Take snapshot' }));
    await waitFor(() => expect(sent[0]?.body).toEqual({ name: 'cold', description: '', memory: false }));
  });

  it('reverts to one after confirming, and deletes one', async () => {
    const user = userEvent.setup();
    server.use(
      snapshotApi(),
      http.post('*/api/vms/:vmId/snapshots/:snapshotId/revert', async ({ request }) => {
        await record(request);
        return HttpResponse.json({ ...running, generation: 5 });
      }),
      http.delete('*/api/vms/:vmId/snapshots/:snapshotId', async ({ request }) => {
        await record(request);
        return HttpResponse.json({ ...running, generation: 6, snapshotCount: 2 });
      }),
    );
    renderPages(`/vms/${running.id}?tab=snapshots`);
    await user.click(await screen.findByRole('button', { name: 'Revert to snap-2' }));
    const revert = within(screen.getByRole('dialog', { name: `Warning alert: Revert ${running.name} to snap-2?` }));
    expect(revert.getByText(/what changed since is lost\. It is left shut off/)).toBeInTheDocument();
    await user.click(revert.getByRole('button', { name: 'Revert' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    await user.click(screen.getByRole('button', { name: 'Delete snap-1' }));
    await user.click(
      within(screen.getByRole('dialog', { name: 'Warning alert: Delete snapshot snap-1?' })).getByRole('button', {
        name: 'Delete',
      }),
    );
    await waitFor(() => expect(sent).toHaveLength(2));
    expect(sent.map((request) => [request.method, request.path, request.ifMatch])).toEqual([
      ['POST', `/api/vms/${running.id}/snapshots/${snapshots[1]?.id}/revert`, '"3"'],
      // The VM the revert answered is at generation 5.
      ['DELETE', `/api/vms/${running.id}/snapshots/${snapshots[0]?.id}`, '"5"'],
    ]);
  });

  it('shows why the snapshots could not be loaded, and disables their actions without vm.snapshot', async () => {
    server.use(
      ...fleetApi(hosts, vms, makeMe([{ scope: '/', permissions: ['vm.view', 'vm.power'] }])),
      http.get('*/api/vms/:vmId/snapshots', () =>
        HttpResponse.json(
          { statusCode: 504, error: 'Gateway Timeout', message: 'host-001 did not answer in 10 s' },
          { status: 504 },
        ),
      ),
    );
    renderPages(`/vms/${running.id}?tab=snapshots`);
    expect(await screen.findByRole('heading', { name: 'Could not load the snapshots' })).toBeInTheDocument();
    expect(screen.getByText('host-001 did not answer in 10 s')).toBeInTheDocument();
    expect(screen.queryByText('No snapshots')).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Take snapshot' })).toHaveAttribute('aria-disabled', 'true');
  });
});

describe('VM events', () => {
  it('shows the VM’s live events as they come and its audit history', async () => {
    server.use(
      ...fleetApi(hosts, vms, adminMe),
      http.get('*/api/audit', ({ request }) => {
        expect(new URL(request.url).searchParams.get('target')).toBe(running.id);
        return HttpResponse.json({
          items: [
            {
              id: '12',
              at: new Date(NOW - 60_000).toISOString(),
              actor: { type: 'user', id: adminMe.user.id, name: 'admin' },
              sourceIp: '127.0.0.1',
              action: 'actOnVm',
              target: running.id,
              params: { action: 'pause' },
              result: 'success',
              status: 200,
              requestId: 'r-1',
            },
          ],
          nextBefore: null,
        });
      }),
    );
    const { live } = renderPages(`/vms/${running.id}?tab=events`);
    expect(
      await screen.findByText('Nothing yet: changes to vm-001 appear here as they happen, while this page is open.'),
    ).toBeInTheDocument();
    const history = await screen.findByRole('grid', { name: 'History' });
    expect(within(history).getAllByRole('row')[1]).toHaveTextContent('adminactOnVmsuccess (200)');
    act(() => live.latest.goLive());
    act(() => {
      live.latest.receive('event', {
        seq: 900,
        ts: new Date(NOW).toISOString(),
        type: 'vm.state',
        data: { vmId: running.id, hostId: host.id, state: 'paused', previous: 'running', at: NOW },
      });
      // Another VM's: not listed.
      live.latest.receive('event', {
        seq: 901,
        ts: new Date(NOW).toISOString(),
        type: 'vm.updated',
        data: { vmId: shutoff.id, hostId: host.id },
      });
    });
    const table = await screen.findByRole('grid', { name: 'Live events' });
    expect(
      within(table)
        .getAllByRole('row')
        .slice(1)
        .map((row) => row.textContent),
    ).toEqual([expect.stringMatching(/vm\.staterunning → paused$/)]);
  });

  it('says the history needs audit.view', async () => {
    renderPages(`/vms/${running.id}?tab=events`);
    expect(
      await screen.findByText('The VM’s history comes from the audit log, which needs the audit.view permission.'),
    ).toBeInTheDocument();
  });
});

it('answers a VM that cannot be loaded with the reason', async () => {
  server.use(
    http.get('*/api/vms/:vmId', () =>
      HttpResponse.json({ statusCode: 503, error: 'Service Unavailable', message: 'database down' }, { status: 503 }),
    ),
  );
  renderPages(`/vms/${running.id}`);
  expect(await screen.findByText('Cannot load this VM')).toBeInTheDocument();
  expect(screen.getByText('database down')).toBeInTheDocument();
});
