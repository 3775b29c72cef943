import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import WebSocket from 'ws';
import { ConsoleTicket, Host } from '@cockpit/contracts';
import { queryRows, startVaporFleet, type RunningFleet } from '@cockpit/dev-testing';
import { Client } from '../test/auth-client.js';
import { until } from '../test/sign-in.js';
import { startTestApi, type TestApi } from '../test/test-app.js';

const PASSWORD = 'consoles-admin-password';

/** Reads a WebSocket's binary frames as one byte stream, `take(n)` at a time. */
class ByteReader {
  private buffer = Buffer.alloc(0);
  private waiting?: { n: number; resolve: (bytes: Buffer) => void };

  constructor(socket: WebSocket) {
    socket.on('message', (data: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, data]);
      this.wake();
    });
  }

  take(n: number, timeoutMs = 5000): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`wanted ${n} bytes, have ${this.buffer.length}`)), timeoutMs);
      this.waiting = {
        n,
        resolve: (bytes) => {
          clearTimeout(timer);
          resolve(bytes);
        },
      };
      this.wake();
    });
  }

  private wake(): void {
    if (!this.waiting || this.buffer.length < this.waiting.n) return;
    const { n, resolve } = this.waiting;
    this.waiting = undefined;
    const bytes = this.buffer.subarray(0, n);
    this.buffer = this.buffer.subarray(n);
    resolve(bytes);
  }
}

describe('consoles in the browser: tickets and the WebSocket proxy to the VM’s host', () => {
  let api: TestApi;
  let fleet: RunningFleet;
  let admin: Client;
  let origin: string;
  let vmId: string;
  let otherVmId: string;
  let vmName: string;

  const ticket = async (client: Client, id: string, kind: 'vnc' | 'serial') => {
    const answer = await client.call('POST', `/api/vms/${id}/console-tickets`, { body: { kind } });
    expect(answer.status).toBe(201);
    return ConsoleTicket.parse(answer.json);
  };
  const sockets: WebSocket[] = [];
  /** Opens the console WebSocket as a browser would: same origin, the session cookie along; reading from the first byte. */
  const open = (path: string, cookie: string, headers: Record<string, string> = {}) =>
    new Promise<{ socket?: WebSocket; reader?: ByteReader; text?: () => string; status?: number; body?: string }>(
      (resolve, reject) => {
        const socket = new WebSocket(`${api.url.replace(/^http/, 'ws')}${path}`, {
          headers: { Cookie: cookie, Origin: origin, ...headers },
        });
        sockets.push(socket);
        // The host speaks first (RFB): listen before the socket is open, as a browser page does.
        const reader = new ByteReader(socket);
        let text = '';
        socket.on('message', (data: Buffer, isBinary: boolean) => {
          if (!isBinary) text += data.toString('utf8');
        });
        socket.once('open', () => resolve({ socket, reader, text: () => text }));
        socket.once('unexpected-response', (_request, response) => {
          let body = '';
          response.on('data', (chunk: Buffer) => (body += chunk.toString()));
          response.on('end', () => resolve({ status: response.statusCode, body }));
        });
        socket.once('error', reject);
      },
    );
  const audits = async (action: string, result: string) =>
    queryRows(api.databaseUrl, 'SELECT target, params FROM audit_log WHERE action = $1 AND result = $2 ORDER BY at', [
      action,
      result,
    ]);

  beforeAll(async () => {
    [api, fleet] = await Promise.all([
      startTestApi({ COCKPIT_ADMIN_PASSWORD: PASSWORD }),
      startVaporFleet({ hosts: 1, vmsPerHost: 3 }),
    ]);
    origin = api.url;
    admin = new Client(api.url);
    expect((await admin.login('admin', PASSWORD)).status).toBe(200);
    const [host] = fleet.hosts;
    if (!host) throw new Error('no host');
    Host.parse(
      (await admin.call('POST', '/api/hosts', { body: { url: host.url, token: host.token, fingerprint: host.fingerprint } }))
        .json,
    );
    await until(
      async () => (await queryRows(api.databaseUrl, `SELECT 1 FROM vms WHERE state = 'running'`)).length >= 1,
      15_000,
      'a running VM synced',
    );
    const vms = await queryRows(api.databaseUrl, `SELECT id, name, state FROM vms ORDER BY state = 'running' DESC, name`);
    vmId = String(vms[0]?.['id']);
    vmName = String(vms[0]?.['name']);
    otherVmId = String(vms[1]?.['id']);
  }, 60_000);
  afterAll(async () => {
    for (const socket of sockets) socket.terminate();
    await api?.close();
    await fleet?.stop();
  });

  it('completes an RFB handshake through the proxy and receives a framebuffer update with pixels', async () => {
    const issued = await ticket(admin, vmId, 'vnc');
    expect(issued).toMatchObject({ kind: 'vnc', vmId, vmName, user: 'admin' });
    expect(issued.path).toBe(`/api/consoles/${vmId}/${issued.ticket}`);
    const { socket, reader: rfb } = await open(issued.path, admin.cookie);
    if (!socket || !rfb) throw new Error('console refused');
    expect((await rfb.take(12)).toString('latin1')).toBe('RFB 003.008\n');
    socket.send(Buffer.from('RFB 003.008\n', 'latin1'));
    const [count, type] = await rfb.take(2);
    expect({ count, type }).toEqual({ count: 1, type: 1 }); // one security type: None
    socket.send(Buffer.from([1]));
    expect((await rfb.take(4)).readUInt32BE(0)).toBe(0); // SecurityResult OK
    socket.send(Buffer.from([1])); // ClientInit, shared
    const init = await rfb.take(24);
    const width = init.readUInt16BE(0);
    const height = init.readUInt16BE(2);
    const bitsPerPixel = init.readUInt8(4);
    const name = (await rfb.take(init.readUInt32BE(20))).toString('utf8');
    expect(width).toBeGreaterThan(0);
    expect(height).toBeGreaterThan(0);
    expect(name).toContain(vmName);
    const request = Buffer.alloc(10);
    request.writeUInt8(3, 0); // FramebufferUpdateRequest, not incremental
    request.writeUInt16BE(width, 6);
    request.writeUInt16BE(height, 8);
    socket.send(request);
    const header = await rfb.take(4);
    expect(header.readUInt8(0)).toBe(0); // FramebufferUpdate
    const rectangles = header.readUInt16BE(2);
    expect(rectangles).toBeGreaterThan(0);
    const rect = await rfb.take(12);
    const [w, h, encoding] = [rect.readUInt16BE(4), rect.readUInt16BE(6), rect.readInt32BE(8)];
    expect(encoding).toBe(0); // raw
    const pixels = await rfb.take(w * h * (bitsPerPixel / 8));
    expect(pixels.some((byte) => byte !== 0)).toBe(true);
    socket.close();
    await until(async () => (await audits('console.close', 'success')).length >= 1, 5000, 'console.close audited');
    const [opened] = await audits('console.open', 'success');
    expect(opened).toMatchObject({ target: vmId, params: { kind: 'vnc' } });
    const [closed] = await audits('console.close', 'success');
    expect(Number((closed?.['params'] as { durationMs: number }).durationMs)).toBeGreaterThanOrEqual(0);
  });

  it('types into the serial console and reads the answer', async () => {
    const issued = await ticket(admin, vmId, 'serial');
    const { socket, text } = await open(issued.path, admin.cookie);
    if (!socket || !text) throw new Error('console refused');
    socket.send('hostname\r');
    await until(() => text().includes(`${vmName}\r\n`), 5000, 'the guest answered hostname');
    socket.close();
  });

  it('refuses a ticket used twice, expired, for another VM, for another user, a foreign origin, no session — and audits each', async () => {
    const before = (await audits('console.open', 'denied')).length;
    const once = await ticket(admin, vmId, 'serial');
    const first = await open(once.path, admin.cookie);
    expect(first.socket).toBeDefined();
    first.socket?.close();
    const twice = await open(once.path, admin.cookie);
    expect(twice).toMatchObject({ status: 403, body: expect.stringMatching(/already used/) });

    const stale = await ticket(admin, vmId, 'serial');
    await queryRows(api.databaseUrl, `UPDATE console_tickets SET expires_at = now() - interval '1 second' WHERE used_at IS NULL`);
    expect(await open(stale.path, admin.cookie)).toMatchObject({ status: 403, body: expect.stringMatching(/expired/) });

    const forA = await ticket(admin, vmId, 'serial');
    expect(await open(`/api/consoles/${otherVmId}/${forA.ticket}`, admin.cookie)).toMatchObject({
      status: 403,
      body: expect.stringMatching(/another VM/),
    });

    // Another user with vm.console asks for a ticket; the admin's session cannot use it.
    expect((await admin.call('POST', '/api/users', { body: { username: 'operator', password: PASSWORD } })).status).toBe(201);
    const users = (await admin.call('GET', '/api/users?name=operator')).json as { items: { id: string }[] };
    const roles = (await admin.call('GET', '/api/roles')).json as { items: { id: string; name: string }[] };
    const operatorRole = roles.items.find((role) => role.name === 'Operator');
    expect(
      (
        await admin.call('POST', '/api/role-bindings', {
          body: { subjectType: 'user', subjectId: users.items[0]?.id, roleId: operatorRole?.id, scope: '/' },
        })
      ).status,
    ).toBe(201);
    const operator = new Client(api.url);
    expect((await operator.login('operator', PASSWORD)).status).toBe(200);
    const theirs = await ticket(operator, vmId, 'serial');
    expect(await open(theirs.path, admin.cookie)).toMatchObject({ status: 403, body: expect.stringMatching(/another user/) });

    const fresh = await ticket(admin, vmId, 'serial');
    expect(await open(fresh.path, admin.cookie, { Origin: 'https://evil.example' })).toMatchObject({ status: 403 });
    expect(await open(fresh.path, '')).toMatchObject({ status: 401 });
    expect(await open(`/api/consoles/${vmId}/not-a-ticket`, admin.cookie)).toMatchObject({ status: 404 });
    expect((await audits('console.open', 'denied')).length - before).toBeGreaterThanOrEqual(7);
    // Positive control: a fresh ticket still opens after all that.
    const good = await open((await ticket(admin, vmId, 'serial')).path, admin.cookie);
    expect(good.socket).toBeDefined();
    good.socket?.close();
  });

  it('needs vm.console for a ticket, and ends an open console when its session ends', async () => {
    expect((await admin.call('POST', '/api/users', { body: { username: 'looker', password: PASSWORD } })).status).toBe(201);
    const users = (await admin.call('GET', '/api/users?name=looker')).json as { items: { id: string }[] };
    const roles = (await admin.call('GET', '/api/roles')).json as { items: { id: string; name: string }[] };
    const viewerRole = roles.items.find((role) => role.name === 'Viewer');
    await admin.call('POST', '/api/role-bindings', {
      body: { subjectType: 'user', subjectId: users.items[0]?.id, roleId: viewerRole?.id, scope: '/' },
    });
    const looker = new Client(api.url);
    expect((await looker.login('looker', PASSWORD)).status).toBe(200);
    expect((await looker.call('POST', `/api/vms/${vmId}/console-tickets`, { body: { kind: 'vnc' } })).status).toBe(403);

    const session = new Client(api.url);
    expect((await session.login('admin', PASSWORD)).status).toBe(200);
    const { socket } = await open((await ticket(session, vmId, 'serial')).path, session.cookie);
    if (!socket) throw new Error('console refused');
    const closed = new Promise<{ code: number; reason: string }>((resolve) =>
      socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    const started = Date.now();
    expect((await session.call('POST', '/api/auth/logout')).status).toBeLessThan(300);
    const { code, reason } = await closed;
    expect(code).toBe(4001);
    expect(reason).toMatch(/session ended/);
    expect(Date.now() - started).toBeLessThan(7000);
  });
});
