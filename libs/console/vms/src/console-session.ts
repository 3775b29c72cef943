import { useEffect, useState } from 'react';
import { createConsoleTicket, type ConsoleKind, type ConsoleTicket } from '@cockpit/contracts';
import { callApi } from '@cockpit/console-api';

/** noVNC, loaded on first use (its own chunk in the build). */
export const loadVnc = () => import('@novnc/novnc');
/** xterm.js and its fit addon, loaded on first use. */
export const loadTerminal = () => Promise.all([import('@xterm/xterm'), import('@xterm/addon-fit')]);

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

export type SocketStatus = { phase: 'connecting' | 'open'; socket: WebSocket } | { phase: 'closed'; reason: string };

/**
 * Opens the ticket's WebSocket (binary frames as ArrayBuffers) and reports its status. The caller
 * must hand it to what reads it (noVNC, the terminal) in the same task: the server speaks first
 * (RFB's version greeting, a login prompt) and nothing received before a reader is attached is kept.
 */
export function openConsoleSocket(path: string, onStatus: (status: SocketStatus) => void): WebSocket {
  const socket = new WebSocket(consoleSocketUrl(path));
  socket.binaryType = 'arraybuffer';
  onStatus({ phase: 'connecting', socket });
  socket.addEventListener('open', () => onStatus({ phase: 'open', socket }));
  socket.addEventListener('close', (event) => onStatus({ phase: 'closed', reason: closeReason(event) }));
  return socket;
}

/** Closes a console socket unless it is already closing or closed. */
export function closeConsoleSocket(socket: WebSocket | undefined, reason = 'Console closed'): void {
  if (socket && socket.readyState < WebSocket.CLOSING) socket.close(1000, reason);
}

export type TicketState =
  { phase: 'requesting' } | { phase: 'failed'; error: string } | { phase: 'ready'; ticket: ConsoleTicket };

/**
 * A console ticket (POST /api/vms/{id}/console-tickets) for one connection, with the code that
 * will read its socket loaded meanwhile (the ticket is valid 30 s). A new `key` (another kind, a
 * reconnect) asks for another.
 */
export function useConsoleTicket(vmId: string, kind: ConsoleKind, key: string): TicketState {
  const ticketKey = `${vmId} ${kind} ${key}`;
  const [held, setHeld] = useState<TicketState & { key: string }>({ key: ticketKey, phase: 'requesting' });
  useEffect(() => {
    const controller = new AbortController();
    const engine = kind === 'vnc' ? loadVnc() : loadTerminal();
    Promise.all([callApi(createConsoleTicket, { params: { vmId }, body: { kind }, signal: controller.signal }), engine])
      .then(([ticket]) => !controller.signal.aborted && setHeld({ key: ticketKey, phase: 'ready', ticket }))
      .catch((error: unknown) => {
        if (!controller.signal.aborted)
          setHeld({ key: ticketKey, phase: 'failed', error: error instanceof Error ? error.message : String(error) });
      });
    return () => controller.abort();
  }, [vmId, kind, ticketKey]);
  // Until this key's answer, it is asking for its ticket.
  return held.key === ticketKey ? held : { phase: 'requesting' };
}
