import { z } from 'zod';
import { defineRoute } from './route.js';

export const ConsoleKind = z.enum(['vnc', 'serial']);
export type ConsoleKind = z.infer<typeof ConsoleKind>;

/** How long a console ticket may wait before its WebSocket opens. */
export const CONSOLE_TICKET_SECONDS = 30;

/** The WebSocket a ticket opens: `wss://<cockpit>/api/consoles/<vmId>/<ticket>` (same origin, the session cookie along). */
export const CONSOLE_SOCKET_PREFIX = '/api/consoles/';
export const consoleSocketPath = (vmId: string, ticket: string) => `${CONSOLE_SOCKET_PREFIX}${vmId}/${ticket}`;

export const ConsoleTicket = z
  .object({
    ticket: z.string().meta({ description: 'Single use, for this VM and you, valid 30 s' }),
    kind: ConsoleKind,
    vmId: z.uuid(),
    vmName: z.string(),
    hostName: z.string(),
    user: z.string().meta({ description: 'Who the console is opened as (for the "connected as … to … on …" banner)' }),
    path: z
      .string()
      .meta({ description: 'Open a WebSocket on this path of any Cockpit instance: `/api/consoles/<vmId>/<ticket>`' }),
    expiresAt: z.iso.datetime(),
    issuedBy: z.string().meta({ description: 'The api instance that issued it' }),
  })
  .meta({ id: 'ConsoleTicket' });
export type ConsoleTicket = z.infer<typeof ConsoleTicket>;

export const createConsoleTicket = defineRoute({
  id: 'createConsoleTicket',
  method: 'post',
  path: '/api/vms/{vmId}/console-tickets',
  summary: 'A ticket to open the VM’s graphical (VNC) or serial console in the browser',
  description:
    'The ticket is bound to the VM, to you (the WebSocket must carry the same session) and is valid 30 s, once. Open `path` as a WebSocket (binary RFB frames for `vnc`, text for `serial`); Cockpit proxies it to the VM’s host over the pinned connection. Who opened and closed a console and for how long is audited; signing out, or losing `vm.console`, ends it.',
  tag: 'VMs',
  access: { permission: 'vm.console', scope: { kind: 'vm', param: 'vmId' } },
  params: z.object({ vmId: z.uuid() }),
  body: z.object({ kind: ConsoleKind }),
  status: 201,
  response: ConsoleTicket,
  errors: [404, 409],
});

export const vmConsoleRoutes = [createConsoleTicket] as const;
