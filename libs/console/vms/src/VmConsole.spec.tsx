import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse, ws } from 'msw';
import { setupServer } from 'msw/node';
import { ConsoleTicket, type Host } from '@cockpit/contracts';
import { fleetOf, makeMe, makeVm, operatorMe } from '@cockpit/console-api/testing';

// noVNC and xterm.js need a real browser (canvas, layout): the tests record what the console asks
// of them instead; the app build uses the real ones.
class FakeRfb extends EventTarget {
  static made: FakeRfb[] = [];
  scaleViewport = false;
  resizeSession = false;
  focusOnClick = false;
  background = '';
  readonly disconnect = jest.fn();
  readonly sendCtrlAltDel = jest.fn();
  readonly clipboardPasteFrom = jest.fn();
  /** What arrived on the socket, as noVNC reads it: it takes the socket's onmessage over. */
  readonly received: string[] = [];
  constructor(
    readonly target: HTMLElement,
    readonly channel: WebSocket,
  ) {
    super();
    FakeRfb.made.push(this);
    // (msw's WebSocket hands binary frames over as Blobs whatever the binaryType.)
    channel.onmessage = (event: MessageEvent) => {
      const data: unknown = event.data;
      if (typeof data === 'string') this.received.push(data);
      else if (data instanceof Blob) void data.text().then((text) => this.received.push(text));
      else this.received.push(new TextDecoder().decode(data as ArrayBuffer));
    };
  }
  /** The server's handshake is done: noVNC reports `connect`. */
  connected() {
    this.dispatchEvent(new CustomEvent('connect', { detail: {} }));
  }
  guestCopied(text: string) {
    this.dispatchEvent(new CustomEvent('clipboard', { detail: { text } }));
  }
}

class FakeTerminal {
  static made: FakeTerminal[] = [];
  readonly written: string[] = [];
  readonly open = jest.fn();
  readonly loadAddon = jest.fn();
  readonly focus = jest.fn();
  readonly dispose = jest.fn();
  readonly paste = jest.fn();
  selection = '';
  private typed?: (data: string) => void;
  constructor(readonly options: object) {
    FakeTerminal.made.push(this);
  }
  write(data: string) {
    this.written.push(data);
  }
  onData(listener: (data: string) => void) {
    this.typed = listener;
    return { dispose: () => undefined };
  }
  readonly attachCustomKeyEventHandler = jest.fn();
  getSelection() {
    return this.selection;
  }
  /** Someone types in the terminal. */
  type(data: string) {
    this.typed?.(data);
  }
}
class FakeFit {
  readonly fit = jest.fn();
}

jest.unstable_mockModule('@novnc/novnc', () => ({ default: FakeRfb }));
jest.unstable_mockModule('@xterm/xterm', () => ({ Terminal: FakeTerminal }));
jest.unstable_mockModule('@xterm/addon-fit', () => ({ FitAddon: FakeFit }));
const { fleetApi, renderPages } = await import('./test/api.js');

const hosts = fleetOf(2);
const vm = makeVm(1, hosts[0] as Host);
const stopped = makeVm(2, hosts[0] as Host);

const consoles = ws.link('ws://localhost/api/consoles/*');
/** What each console socket the page opened saw: its URL, what the page sent, whether it closed. */
const sockets: { url: string; received: unknown[]; closed: boolean; send: (data: string) => void; close: () => void }[] = [];
const tickets: { kind: string }[] = [];
let ticketCount = 0;

function ticketFor(kind: 'vnc' | 'serial') {
  ticketCount += 1;
  return ConsoleTicket.parse({
    ticket: `t-${ticketCount}`,
    kind,
    vmId: vm.id,
    vmName: vm.name,
    hostName: vm.hostName,
    user: 'olga',
    path: `/api/consoles/t-${ticketCount}`,
    expiresAt: '2026-11-22T12:00:30.000Z',
    issuedBy: 'api-1',
  });
}

const server = setupServer(
  ...fleetApi(hosts, [vm, stopped], operatorMe),
  http.post('*/api/vms/:vmId/console-tickets', async ({ request }) => {
    const body = (await request.json()) as { kind: 'vnc' | 'serial' };
    tickets.push(body);
    return HttpResponse.json(ticketFor(body.kind), { status: 201 });
  }),
  consoles.addEventListener('connection', ({ client }) => {
    const socket = {
      url: client.url.href,
      received: [] as unknown[],
      closed: false,
      send: (data: string) => client.send(data),
      close: () => client.close(4001, 'The VM’s host closed the console'),
    };
    sockets.push(socket);
    client.addEventListener('message', (event) => socket.received.push(event.data));
    // The server speaks first, at once: RFB's version greeting, a serial login prompt.
    client.send(tickets.at(-1)?.kind === 'vnc' ? new Blob(['RFB 003.008\n']) : 'vm-001 login: ');
    client.addEventListener('close', () => (socket.closed = true));
  }),
);
beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterEach(() => {
  server.resetHandlers();
  sockets.length = 0;
  tickets.length = 0;
  ticketCount = 0;
  FakeRfb.made.length = 0;
  FakeTerminal.made.length = 0;
});
afterAll(() => server.close());

const latestRfb = () => {
  const rfb = FakeRfb.made.at(-1);
  if (!rfb) throw new Error('noVNC was not started');
  return rfb;
};

describe('VM console tab', () => {
  it('opens the graphical console: a vnc ticket, a WebSocket on its path handed to noVNC, and who is connected to what', async () => {
    const user = userEvent.setup();
    renderPages(`/vms/${vm.id}?tab=console`);
    expect(await screen.findByText(`Connected as olga to ${vm.name} on ${vm.hostName}`)).toBeInTheDocument();
    expect(tickets).toEqual([{ kind: 'vnc' }]);
    expect(sockets.map((socket) => socket.url)).toEqual(['ws://localhost/api/consoles/t-1']);
    await waitFor(() => expect(FakeRfb.made).toHaveLength(1));
    const rfb = latestRfb();
    expect(rfb.channel.url).toBe('ws://localhost/api/consoles/t-1');
    expect(rfb.target).toBe(screen.getByRole('application', { name: `Screen of ${vm.name}` }));
    expect(rfb.scaleViewport).toBe(true);
    // Nothing the server sent before noVNC was attached is lost.
    await waitFor(() => expect(rfb.received).toEqual(['RFB 003.008\n']));

    expect(screen.getByRole('button', { name: 'Send Ctrl+Alt+Del' })).toBeDisabled();
    act(() => rfb.connected());
    await user.click(screen.getByRole('button', { name: 'Send Ctrl+Alt+Del' }));
    expect(rfb.sendCtrlAltDel).toHaveBeenCalledTimes(1);
    await user.click(screen.getByRole('checkbox', { name: 'Scale to fit' }));
    expect(rfb.scaleViewport).toBe(false);

    act(() => rfb.guestCopied('from the guest'));
    const clipboard = screen.getByRole('textbox', { name: 'Clipboard' });
    expect(clipboard).toHaveValue('from the guest');
    await user.clear(clipboard);
    await user.type(clipboard, 'to the guest');
    await user.click(screen.getByRole('button', { name: 'Send to the VM’s clipboard' }));
    expect(rfb.clipboardPasteFrom).toHaveBeenCalledWith('to the guest');
    expect(screen.getByRole('button', { name: 'Full screen' })).toBeEnabled();
  });

  it('closes the console when the tab is left', async () => {
    const user = userEvent.setup();
    renderPages(`/vms/${vm.id}?tab=console`);
    await screen.findByText(`Connected as olga to ${vm.name} on ${vm.hostName}`);
    await waitFor(() => expect(FakeRfb.made).toHaveLength(1));
    await user.click(screen.getByRole('tab', { name: 'Overview' }));
    expect(latestRfb().disconnect).toHaveBeenCalled();
    await waitFor(() => expect(sockets[0]?.closed).toBe(true));
  });

  it('opens the serial console in a terminal: what the guest writes shows, what is typed is sent', async () => {
    const user = userEvent.setup();
    renderPages(`/vms/${vm.id}?tab=console`);
    await screen.findByText(`Connected as olga to ${vm.name} on ${vm.hostName}`);
    await user.click(screen.getByRole('button', { name: 'Serial' }));
    await waitFor(() => expect(tickets).toEqual([{ kind: 'vnc' }, { kind: 'serial' }]));
    // The graphical console is closed first.
    await waitFor(() => expect(sockets[0]?.closed).toBe(true));
    expect(await screen.findByText(`Connected as olga to ${vm.name} on ${vm.hostName}`)).toBeInTheDocument();
    await waitFor(() => expect(FakeTerminal.made).toHaveLength(1));
    const terminal = FakeTerminal.made[0] as FakeTerminal;
    expect(terminal.open).toHaveBeenCalledWith(screen.getByRole('application', { name: `Serial console of ${vm.name}` }));
    // The prompt the guest wrote at once is shown; then what it writes next.
    await waitFor(() => expect(terminal.written).toEqual(['vm-001 login: ']));
    act(() => sockets[1]?.send('Password: '));
    await waitFor(() => expect(terminal.written).toEqual(['vm-001 login: ', 'Password: ']));
    act(() => terminal.type('root\r'));
    await waitFor(() => expect(sockets[1]?.received).toEqual(['root\r']));
  });

  it('says when the host closed the console, and reconnects with a new ticket', async () => {
    const user = userEvent.setup();
    renderPages(`/vms/${vm.id}?tab=console`);
    await screen.findByText(`Connected as olga to ${vm.name} on ${vm.hostName}`);
    act(() => sockets[0]?.close());
    expect(await screen.findByText('Disconnected: The VM’s host closed the console')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Reconnect' }));
    expect(await screen.findByText(`Connected as olga to ${vm.name} on ${vm.hostName}`)).toBeInTheDocument();
    expect(sockets.map((socket) => socket.url)).toEqual(['ws://localhost/api/consoles/t-1', 'ws://localhost/api/consoles/t-2']);
  });

  it('shows why a ticket was refused, and offers no console of a shut-off VM or without vm.console', async () => {
    server.use(
      http.post('*/api/vms/:vmId/console-tickets', () =>
        HttpResponse.json({ statusCode: 409, error: 'Conflict', message: 'The VM has no graphical console' }, { status: 409 }),
      ),
    );
    const first = renderPages(`/vms/${vm.id}?tab=console`);
    expect(await screen.findByText('Could not open the console: The VM has no graphical console')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Try again' })).toBeInTheDocument();
    expect(sockets).toEqual([]);
    first.unmount();

    const second = renderPages(`/vms/${stopped.id}?tab=console`);
    expect(await screen.findByText(`${stopped.name} is shutoff: start it to reach its console.`)).toBeInTheDocument();
    second.unmount();

    server.use(...fleetApi(hosts, [vm], makeMe([{ scope: '/', permissions: ['vm.view', 'vm.power'] }])));
    renderPages(`/vms/${vm.id}?tab=console`);
    const tabPanel = await screen.findByRole('tabpanel');
    expect(
      await within(tabPanel).findByText('You need the vm.console permission on this VM: opening a console needs it.'),
    ).toBeInTheDocument();
  });
});
