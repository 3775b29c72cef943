import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { createHash } from 'node:crypto';
import { io as connect, type Socket } from 'socket.io-client';
import { Me } from '@cockpit/contracts';
import { queryRows } from '@cockpit/dev-testing';
import { AccessService } from '@cockpit/api-access';
import { PrincipalService } from '@cockpit/api-auth';
import { EventHubService, MAX_STREAMS_PER_PRINCIPAL } from '@cockpit/api-events';
import { signedIn, until, type Call } from '../test/sign-in.js';
import { startTestApi, type TestApi } from '../test/test-app.js';

const PASSWORD = 'live-access-admin-password';

/** An open SSE stream: everything it received so far, and whether the server ended it. */
interface SseStream {
  status: number;
  text(): string;
  ended(): boolean;
  close(): void;
}

async function openSse(api: TestApi, headers: Record<string, string>, query = ''): Promise<SseStream> {
  const controller = new AbortController();
  const response = await fetch(`${api.url}/api/events${query}`, { headers, signal: controller.signal });
  let text = '';
  let ended = false;
  if (response.status === 200 && response.body) {
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    void (async () => {
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          text += decoder.decode(value, { stream: true });
        }
      } catch {
        // aborted by the test
      }
      ended = true;
    })();
  } else {
    text = await response.text();
    ended = true;
  }
  return { status: response.status, text: () => text, ended: () => ended, close: () => controller.abort() };
}

async function login(api: TestApi, username: string, password: string) {
  const response = await fetch(`${api.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  const me = Me.parse(await response.json());
  return { cookie: (response.headers.getSetCookie()[0] ?? '').split(';')[0] ?? '', csrf: me.csrfToken };
}

describe('live streams keep checking access', () => {
  let api: TestApi;
  let call: Call;
  const streams: SseStream[] = [];
  const sockets: Socket[] = [];

  const newToken = async (name: string) => {
    const created = await call('POST', '/api/tokens', { name, permissions: ['audit.view'] });
    expect(created.status).toBe(201);
    return created.json as { id: string; token: string };
  };

  beforeAll(async () => {
    api = await startTestApi({ COCKPIT_ADMIN_PASSWORD: PASSWORD });
    call = await signedIn(api, PASSWORD);
  });
  afterAll(async () => {
    for (const stream of streams) stream.close();
    for (const socket of sockets) socket.disconnect();
    await api.close();
  });

  it('ends an SSE stream once its token is revoked, after delivering while it was valid', async () => {
    const token = await newToken('sse-revoked');
    const stream = await openSse(api, { Authorization: `Bearer ${token.token}` });
    streams.push(stream);
    expect(stream.status).toBe(200);
    // Positive control: an audited change reaches the open stream.
    await call('POST', '/api/groups', { name: 'sse-visible', members: [] });
    await until(() => stream.text().includes('audit.created'), 5000, 'an event on the stream');
    expect(stream.ended()).toBe(false);
    expect((await call('DELETE', `/api/tokens/${token.id}`)).status).toBe(200);
    await until(() => stream.ended(), 8000, 'the stream ended');
    expect(stream.text()).toMatch(/event: error\ndata: .*token was revoked/);
  });

  it('ends an SSE stream whose session is signed out elsewhere', async () => {
    const session = await login(api, 'admin', PASSWORD);
    const stream = await openSse(api, { Cookie: session.cookie });
    streams.push(stream);
    expect(stream.status).toBe(200);
    const logout = await fetch(`${api.url}/api/auth/logout`, {
      method: 'POST',
      headers: { Cookie: session.cookie, 'X-CSRF-Token': session.csrf },
    });
    expect(logout.status).toBeLessThan(300);
    await until(() => stream.ended(), 8000, 'the stream ended');
    expect(stream.text()).toContain('Your session ended');
  });

  it(`allows at most ${MAX_STREAMS_PER_PRINCIPAL} SSE streams per token, and another once one closes`, async () => {
    const token = await newToken('sse-cap');
    const headers = { Authorization: `Bearer ${token.token}` };
    const open: SseStream[] = [];
    for (let i = 0; i < MAX_STREAMS_PER_PRINCIPAL; i++) open.push(await openSse(api, headers));
    streams.push(...open);
    expect(open.map((s) => s.status)).toEqual(Array.from({ length: MAX_STREAMS_PER_PRINCIPAL }, () => 200));
    const refused = await openSse(api, headers);
    expect(refused.status).toBe(429);
    expect(refused.text()).toContain(`At most ${MAX_STREAMS_PER_PRINCIPAL} event streams`);
    open[0]?.close();
    let again: SseStream | undefined;
    await until(
      async () => {
        again = await openSse(api, headers);
        if (again.status !== 200) return false;
        streams.push(again);
        return true;
      },
      5000,
      'a stream slot freed',
    );
    expect(again?.status).toBe(200);
  });

  it('re-checks sockets without extending the idle timeout; a request by the user does extend it', async () => {
    const session = await login(api, 'admin', PASSWORD);
    const socket = connect(api.url, { path: '/socket.io', transports: ['websocket'], extraHeaders: { Cookie: session.cookie } });
    sockets.push(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    const sessionId = session.cookie.split('=')[1] ?? '';
    const idHash = createHash('sha256').update(decodeURIComponent(sessionId)).digest('base64url');
    const lastSeen = async () =>
      (await queryRows(api.databaseUrl, 'SELECT last_seen_at FROM sessions WHERE id_hash = $1', [idHash])).at(0)?.[
        'last_seen_at'
      ] as Date | undefined;
    // Make the session look a minute idle, past the point where a touch would be written.
    await queryRows(api.databaseUrl, "UPDATE sessions SET last_seen_at = now() - interval '60 seconds' WHERE id_hash = $1", [
      idHash,
    ]);
    const before = await lastSeen();
    expect(before).toBeInstanceOf(Date);
    await api.app.get(EventHubService).recheck('everyone');
    expect(socket.connected).toBe(true);
    expect((await lastSeen())?.getTime()).toBe(before?.getTime());
    // Positive control: the same session used for a request is touched.
    await fetch(`${api.url}/api/auth/me`, { headers: { Cookie: session.cookie } });
    expect((await lastSeen())?.getTime()).toBeGreaterThan(before?.getTime() ?? Infinity);
  });

  it('answers a subscribe that fails on the server with an error, and limits subscriptions per socket', async () => {
    const session = await login(api, 'admin', PASSWORD);
    const socket = connect(api.url, { path: '/socket.io', transports: ['websocket'], extraHeaders: { Cookie: session.cookie } });
    sockets.push(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    const subscribe = (message: unknown) =>
      new Promise<{ error?: string; scopes?: string[] }>((resolve) => socket.emit('subscribe', message, resolve));
    // The inventory lookup behind a VM scope fails like a lost database connection would.
    jest.spyOn(api.app.get(AccessService), 'chainOf').mockRejectedValueOnce(new Error('connection terminated'));
    const failed = await subscribe({ scopes: ['/vms/00000000-0000-4000-8000-000000000001'] });
    expect(failed.error).toMatch(/could not be completed/);
    expect(socket.connected).toBe(true);
    // Positive control: a subscription that needs no lookup works on the same socket.
    expect((await subscribe({ scopes: ['/'] })).scopes).toEqual(['/']);
    // A burst past the allowance is refused with a reason, not queued without bound.
    const replies = await Promise.all(Array.from({ length: 40 }, () => subscribe({ scopes: ['/'] })));
    const refused = replies.filter((reply) => reply.error?.startsWith('Too many'));
    expect(refused.length).toBeGreaterThan(0);
    expect(replies.length - refused.length).toBeGreaterThan(0);
    // Replays cost more: a burst of replays is cut sooner.
    await until(async () => (await subscribe({ scopes: ['/'] })).error === undefined, 15_000, 'the allowance refilled');
  });

  it('re-checks only the sockets of the users an access change affects', async () => {
    const makeUser = async (username: string) => {
      const user = (await call('POST', '/api/users', { username, password: PASSWORD })).json as { id: string };
      const session = await login(api, username, PASSWORD);
      const socket = connect(api.url, {
        path: '/socket.io',
        transports: ['websocket'],
        extraHeaders: { Cookie: session.cookie },
      });
      sockets.push(socket);
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', reject);
      });
      return { id: user.id, cookie: session.cookie };
    };
    const [affected, bystander] = [await makeUser('recheck-a'), await makeUser('recheck-b')];
    const roles = ((await call('GET', '/api/roles')).json as { items: { id: string; name: string }[] }).items;
    const viewer = roles.find((role) => role.name === 'Viewer');
    const resolve = jest.spyOn(api.app.get(PrincipalService), 'resolve');
    const changes: unknown[] = [];
    const stop = api.app.get(EventHubService).onAccessChanged((users) => changes.push(users === 'everyone' ? users : [...users]));
    try {
      // Three changes for one user in a burst: rounds (debounced, usually one) for that user only.
      for (const scope of ['/hosts/00000000-0000-4000-8000-00000000000a', '/hosts/00000000-0000-4000-8000-00000000000b', '/']) {
        const bound = await call('POST', '/api/role-bindings', {
          subjectType: 'user',
          subjectId: affected.id,
          roleId: viewer?.id,
          scope,
        });
        expect(bound.status).toBe(201);
      }
      await until(() => changes.length > 0, 5000, 'the re-check round');
      await until(() => resolve.mock.calls.length > 0, 5000, 'the affected socket re-checked');
      expect(changes.length).toBeLessThanOrEqual(3);
      expect(changes.every((users) => JSON.stringify(users) === JSON.stringify([affected.id]))).toBe(true);
      const checked = resolve.mock.calls.map(([credentials]) => credentials.cookie);
      expect(checked).toContain(affected.cookie);
      expect(checked).not.toContain(bystander.cookie);
    } finally {
      stop();
      resolve.mockRestore();
    }
  });

  it('refuses unsafe text in a subscription, naming the field', async () => {
    const session = await login(api, 'admin', PASSWORD);
    const socket = connect(api.url, { path: '/socket.io', transports: ['websocket'], extraHeaders: { Cookie: session.cookie } });
    sockets.push(socket);
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const reply = await new Promise<{ error?: string }>((resolve) => socket.emit('subscribe', { scopes: ['/\u0000'] }, resolve));
    expect(reply.error).toMatch(/scopes\.0: must not contain a NUL/);
  });
});
