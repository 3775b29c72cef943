import { useEffect, useState } from 'react';
import { createConsoleTicket, type ConsoleKind, type ConsoleTicket } from '@cockpit/contracts';
import { callApi } from '@cockpit/console-api';

/** Where a ticket's WebSocket opens: this page's origin (ws: or wss:) and the ticket's path. */
export function consoleSocketUrl(path: string, location: Pick<Location, 'protocol' | 'host'> = window.location): string {
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}${path}`;
}

/** Why a console socket closed, in words, when the api gave none. */
function closeReason(event: CloseEvent): string {
  if (event.reason) return event.reason;
  if (event.code === 1000) return 'The console was closed';
  if (event.code === 1006) return 'The connection to Cockpit was lost';
  return `The console closed (code ${event.code})`;
}

export type ConsoleSession =
  | { phase: 'requesting' }
  | { phase: 'failed'; error: string }
  | { phase: 'connecting' | 'open'; ticket: ConsoleTicket; socket: WebSocket }
  | { phase: 'closed'; ticket: ConsoleTicket; reason: string };

type Held = ConsoleSession & { key: string };

/**
 * One console connection while mounted: a ticket from POST /api/vms/{id}/console-tickets, then a
 * WebSocket to its path on this page's origin (binary RFB for vnc, text for serial). A new `key`
 * (another kind, a reconnect) opens another; unmounting closes it.
 */
export function useConsoleSession(vmId: string, kind: ConsoleKind, key: string): ConsoleSession {
  const sessionKey = `${vmId} ${kind} ${key}`;
  const [held, setHeld] = useState<Held>({ key: sessionKey, phase: 'requesting' });
  useEffect(() => {
    let socket: WebSocket | undefined;
    let over = false;
    const controller = new AbortController();
    const set = (session: ConsoleSession) => {
      if (!over) setHeld({ ...session, key: sessionKey });
    };
    callApi(createConsoleTicket, { params: { vmId }, body: { kind }, signal: controller.signal })
      .then((ticket) => {
        if (over) return;
        const opened = new WebSocket(consoleSocketUrl(ticket.path));
        opened.binaryType = 'arraybuffer';
        socket = opened;
        set({ phase: 'connecting', ticket, socket: opened });
        opened.addEventListener('open', () => set({ phase: 'open', ticket, socket: opened }));
        opened.addEventListener('close', (event) => set({ phase: 'closed', ticket, reason: closeReason(event) }));
      })
      .catch((error: unknown) => set({ phase: 'failed', error: error instanceof Error ? error.message : String(error) }));
    return () => {
      over = true;
      controller.abort();
      if (socket && socket.readyState !== WebSocket.CLOSED) socket.close(1000, 'Console closed');
    };
  }, [vmId, kind, sessionKey]);
  // Until this key's first news, it is asking for its ticket.
  return held.key === sessionKey ? held : { phase: 'requesting' };
}
