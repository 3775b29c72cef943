import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { ErrorResponse, Host, HostDetail, Me, removeHost, updateHost } from '@cockpit/contracts';
import { fleetApi, pageOf, renderPages } from './test/api.js';
import { fleetOf, makeHostDetail, viewerMe } from '@cockpit/console-api/testing';

const fleet = fleetOf(2);
const [first] = fleet as [Host];
const server = setupServer(...fleetApi(fleet));
beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const apiError = (statusCode: number, error: string, message: string) =>
  HttpResponse.json(ErrorResponse.parse({ statusCode, error, message }), { status: statusCode });

/**
 * host-001 as the api keeps it: PATCH and DELETE change what GET answers, as the real one does,
 * and each request's method and body are kept to check what the page sent.
 */
function editableHost() {
  let host: HostDetail | null = makeHostDetail(1);
  const requests: { method: string; body: unknown }[] = [];
  server.use(
    http.get('*/api/hosts', ({ request }) =>
      HttpResponse.json(pageOf(host ? [Host.parse(host), ...fleet.slice(1)] : fleet.slice(1), new URL(request.url))),
    ),
    http.get('*/api/hosts/:hostId', ({ params }) =>
      host && params['hostId'] === host.id
        ? HttpResponse.json(host)
        : apiError(404, 'Not Found', `No host ${String(params['hostId'])}`),
    ),
    http.patch('*/api/hosts/:hostId', async ({ request }) => {
      const body = updateHost.body?.parse(await request.json()) ?? {};
      requests.push({ method: 'PATCH', body });
      if (!host) return apiError(404, 'Not Found', 'No host');
      const { enabled, url } = body;
      host = HostDetail.parse({
        ...host,
        ...(url ? { url } : {}),
        ...(enabled === false ? { enabled, state: 'disabled', stateReason: 'Collection disabled by an administrator' } : {}),
        ...(enabled === true ? { enabled, state: 'unreachable', stateReason: 'Waiting for the collector to connect' } : {}),
      });
      return HttpResponse.json(Host.parse(host));
    }),
    http.delete('*/api/hosts/:hostId', () => {
      requests.push({ method: 'DELETE', body: undefined });
      host = null;
      return HttpResponse.json(removeHost.response.parse({ removed: true }));
    }),
  );
  return requests;
}

async function openHostPage() {
  const rendered = renderPages(`/hosts/${first.id}`);
  await screen.findByRole('heading', { level: 1, name: 'host-001' });
  return rendered;
}

describe('Host actions', () => {
  it('are not offered without host.manage', async () => {
    // The host answers only after the viewer's permissions, so they are known once it shows.
    let answerMe: (() => void) | undefined;
    const meAnswered = new Promise<void>((resolve) => (answerMe = resolve));
    server.use(
      http.get('*/api/auth/me', () => {
        answerMe?.();
        return HttpResponse.json(Me.parse(viewerMe));
      }),
      http.get('*/api/hosts/:hostId', async () => {
        await meAnswered;
        return HttpResponse.json(makeHostDetail(1));
      }),
    );
    await openHostPage();
    expect(screen.getByText('connected')).toBeInTheDocument();
    for (const name of ['Disable collecting', 'Edit connection', 'Remove host']) {
      expect(screen.queryByRole('button', { name })).not.toBeInTheDocument();
    }
  });

  it('disable collecting, then enable it again, the page following the api', async () => {
    const requests = editableHost();
    const user = userEvent.setup();
    await openHostPage();

    await user.click(await screen.findByRole('button', { name: 'Disable collecting' }));
    expect(await screen.findByRole('button', { name: 'Enable collecting' })).toBeInTheDocument();
    expect(screen.getByText('disabled')).toBeInTheDocument();
    expect(screen.getByText('Collection disabled by an administrator')).toBeInTheDocument();
    expect(requests).toEqual([{ method: 'PATCH', body: { enabled: false } }]);

    await user.click(screen.getByRole('button', { name: 'Enable collecting' }));
    expect(await screen.findByText('Waiting for the collector to connect')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Disable collecting' })).toBeInTheDocument();
    expect(requests.at(-1)).toEqual({ method: 'PATCH', body: { enabled: true } });
  });

  it('shows why disabling failed', async () => {
    server.use(http.patch('*/api/hosts/:hostId', () => apiError(404, 'Not Found', `No host ${first.id}`)));
    const user = userEvent.setup();
    await openHostPage();
    await user.click(await screen.findByRole('button', { name: 'Disable collecting' }));
    expect(await screen.findByText(`No host ${first.id}`)).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Disable collecting' })).toBeEnabled();
  });

  it('edit connection keeps the dialog open with the api’s reason when the new URL is another machine', async () => {
    const message =
      'https://other.lab.example:9443 presents 11:22, not the pinned AB:CD: enroll it as a new host instead. Nothing changed.';
    const sent: unknown[] = [];
    server.use(
      http.patch('*/api/hosts/:hostId', async ({ request }) => {
        sent.push(await request.json());
        return apiError(409, 'Conflict', message);
      }),
    );
    const user = userEvent.setup();
    await openHostPage();

    await user.click(await screen.findByRole('button', { name: 'Edit connection' }));
    const dialog = screen.getByRole('dialog', { name: 'Edit the connection to host-001' });
    const url = within(dialog).getByLabelText('Agent URL');
    expect(url).toHaveValue(first.url);
    expect(within(dialog).getByLabelText('New token')).toHaveValue('');
    expect(within(dialog).getByRole('button', { name: 'Save' })).toBeDisabled();

    await user.clear(url);
    await user.type(url, 'https://other.lab.example:9443');
    await user.click(within(dialog).getByRole('button', { name: 'Save' }));
    expect(await within(dialog).findByText(message)).toBeInTheDocument();
    expect(sent).toEqual([{ url: 'https://other.lab.example:9443' }]);
    expect(screen.getByRole('dialog', { name: 'Edit the connection to host-001' })).toBeInTheDocument();
    expect(url).toHaveValue('https://other.lab.example:9443');

    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(screen.getByText(first.url)).toBeInTheDocument();
  });

  it('a new token alone sends only the token, then closes the dialog', async () => {
    const requests = editableHost();
    const user = userEvent.setup();
    await openHostPage();

    await user.click(await screen.findByRole('button', { name: 'Edit connection' }));
    const dialog = screen.getByRole('dialog', { name: 'Edit the connection to host-001' });
    await user.type(within(dialog).getByLabelText('New token'), 'short');
    expect(within(dialog).getByText('At least 16 characters')).toBeInTheDocument();
    expect(within(dialog).getByRole('button', { name: 'Save' })).toBeDisabled();

    await user.type(within(dialog).getByLabelText('New token'), '-rotated-agent-token');
    await user.click(within(dialog).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(requests).toEqual([{ method: 'PATCH', body: { token: 'short-rotated-agent-token' } }]);
  });

  it('remove host asks first, naming the host and what goes with it, then lands on the hosts list', async () => {
    const requests = editableHost();
    const user = userEvent.setup();
    const { router } = await openHostPage();

    await user.click(await screen.findByRole('button', { name: 'Remove host' }));
    const dialog = screen.getByRole('dialog', { name: /Remove host-001\?/ });
    expect(dialog).toHaveTextContent('its inventory and metrics history are removed too');
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(requests).toEqual([]);

    await user.click(screen.getByRole('button', { name: 'Remove host' }));
    await user.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Remove' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Hosts' })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe('/hosts');
    expect(requests).toEqual([{ method: 'DELETE', body: undefined }]);
    const table = await screen.findByRole('grid', { name: 'Hosts' });
    await waitFor(() => expect(within(table).queryByRole('link', { name: 'host-001' })).not.toBeInTheDocument());
    expect(within(table).getByRole('link', { name: 'host-002' })).toBeInTheDocument();
  });
});
