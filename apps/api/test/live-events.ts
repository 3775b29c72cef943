import { io as connect, type Socket } from 'socket.io-client';
import { CockpitEvent } from '@cockpit/contracts';

/**
 * A real socket.io client signed in as the user and subscribed to `/` ("everything I may see");
 * each event, checked against the contract, goes to `onEvent`.
 */
export async function liveEvents(
  apiUrl: string,
  credentials: { username: string; password: string },
  onEvent: (event: CockpitEvent) => void,
): Promise<Socket> {
  const login = await fetch(`${apiUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(credentials),
  });
  if (login.status !== 200) throw new Error(`Sign-in as ${credentials.username} answered ${login.status}`);
  const cookie = (login.headers.getSetCookie()[0] ?? '').split(';')[0] ?? '';
  const socket = connect(apiUrl, {
    path: '/socket.io',
    transports: ['websocket'],
    extraHeaders: { Cookie: cookie },
    reconnection: false,
  });
  socket.on('event', (raw: unknown) => onEvent(CockpitEvent.parse(raw)));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  const reply = await new Promise<{ error?: string }>((resolve) => socket.emit('subscribe', { scopes: ['/'] }, resolve));
  if (reply.error) throw new Error(`subscribing answered ${reply.error}`);
  return socket;
}
