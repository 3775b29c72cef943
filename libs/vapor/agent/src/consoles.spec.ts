import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { pinnedAgent } from '@cockpit/vapor-client';
import { SimWorld, type SimHost } from '@cockpit/vapor-sim';
import { startAgentServer, type RunningAgent } from './agent-server.js';
import { loadOrCreateTlsIdentity, type TlsIdentity } from './tls-identity.js';

const TOKEN = 'console-token-0123456789';
let dir: string;
let tls: TlsIdentity;
let world: SimWorld;
let agent: RunningAgent;
let host: SimHost;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'vapor-console-'));
  tls = await loadOrCreateTlsIdentity(dir);
  world = new SimWorld({ seed: 2, hosts: 1, vmsPerHost: 0, statsIntervalMs: 60_000 });
  host = world.hosts[0] as SimHost;
  agent = await startAgentServer(
    { hosts: [{ uuid: host.uuid, driver: host }], token: TOKEN, tls },
    { port: 0, host: '127.0.0.1' },
  );
});
afterAll(async () => {
  await agent.close();
  await world.close();
  await rm(dir, { recursive: true, force: true });
});

/** A WebSocket to a console with a byte reader that waits for exactly n bytes. */
async function openConsole(vmId: string, kind: 'serial' | 'vnc') {
  const base = agent.baseUrls.get(host.uuid) ?? '';
  const socket = new WebSocket(`${base.replace('https:', 'wss:')}/v1/vms/${vmId}/console/${kind}`, {
    agent: await pinnedAgent(base, tls.fingerprint),
    headers: { Authorization: `Bearer ${TOKEN}` },
  });
  let buffer = Buffer.alloc(0);
  let wake: () => void = () => undefined;
  socket.on('message', (data: Buffer) => {
    buffer = Buffer.concat([buffer, data]);
    wake();
  });
  const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
  const read = async (n: number, timeoutMs = 3000): Promise<Buffer> => {
    const deadline = Date.now() + timeoutMs;
    while (buffer.length < n) {
      if (Date.now() > deadline) throw new Error(`wanted ${n} bytes, have ${buffer.length}`);
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, 50);
      });
    }
    const out = buffer.subarray(0, n);
    buffer = buffer.subarray(n);
    return out;
  };
  const readUntil = async (text: string): Promise<string> => {
    const deadline = Date.now() + 3000;
    while (!buffer.toString('utf8').includes(text)) {
      if (Date.now() > deadline) throw new Error(`never saw ${JSON.stringify(text)} in ${JSON.stringify(buffer.toString())}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const all = buffer.toString('utf8');
    buffer = Buffer.alloc(0);
    return all;
  };
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
    socket.once('close', () => resolve());
  });
  return { socket, read, readUntil, closed };
}

const runningVm = async (name: string) => {
  const vm = await host.createVm({
    name,
    vcpus: 1,
    memoryMiB: 256,
    cpu: { model: 'host-model', features: [] },
    disks: [],
    nics: [],
    start: true,
  });
  return vm;
};

describe('VM consoles over authenticated WebSockets', () => {
  it('speaks RFB 3.8: handshake, server init, and raw framebuffer updates in the client’s pixel format', async () => {
    const vm = await runningVm('vnc-demo');
    const vnc = await openConsole(vm.id, 'vnc');
    expect((await vnc.read(12)).toString('latin1')).toBe('RFB 003.008\n');
    vnc.socket.send(Buffer.from('RFB 003.008\n', 'latin1'));
    expect([...(await vnc.read(2))]).toEqual([1, 1]); // one security type: None
    vnc.socket.send(Buffer.from([1]));
    expect((await vnc.read(4)).readUInt32BE(0)).toBe(0);
    vnc.socket.send(Buffer.from([1])); // ClientInit, shared
    const init = await vnc.read(24);
    expect([init.readUInt16BE(0), init.readUInt16BE(2), init.readUInt8(4)]).toEqual([640, 400, 32]);
    expect((await vnc.read(init.readUInt32BE(20))).toString()).toBe('vnc-demo (simulated)');

    // noVNC's format: 32 bpp little-endian, red in the low byte.
    const setFormat = Buffer.alloc(20);
    setFormat.writeUInt8(0, 0);
    Buffer.from([32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 0, 8, 16, 0, 0, 0]).copy(setFormat, 4);
    vnc.socket.send(setFormat);
    const request = (incremental: number) => Buffer.from([3, incremental, 0, 0, 0, 0, 640 >> 8, 640 & 255, 400 >> 8, 400 & 255]);
    vnc.socket.send(request(0));
    const header = await vnc.read(16);
    expect([
      header.readUInt8(0),
      header.readUInt16BE(2),
      header.readUInt16BE(8),
      header.readUInt16BE(10),
      header.readInt32BE(12),
    ]).toEqual([0, 1, 640, 400, 0]);
    const pixels = await vnc.read(640 * 400 * 4);
    const at = (x: number, y: number) => [...pixels.subarray((y * 640 + x) * 4, (y * 640 + x) * 4 + 3)];
    expect(at(0, 0)).toEqual([0x10, 0x18, 0x28]); // background, red first in this format
    const colours = new Set<string>();
    for (let i = 0; i < pixels.length; i += 4) colours.add(`${pixels[i]},${pixels[i + 1]},${pixels[i + 2]}`);
    expect(colours.size).toBeGreaterThanOrEqual(3); // background, text, state accent

    // An incremental request is answered when the screen changes (the clock, every second).
    vnc.socket.send(request(1));
    const next = await vnc.read(16, 2500);
    expect(next.readUInt8(0)).toBe(0);
    await vnc.read(640 * 400 * 4);
    vnc.socket.close();
  });

  it('offers a serial console with a small shell', async () => {
    const vm = await runningVm('serial-demo');
    const serial = await openConsole(vm.id, 'serial');
    expect(await serial.readUntil('root@serial-demo:~# ')).toContain('Debian GNU/Linux 12 serial-demo ttyS0');
    serial.socket.send('hostname\r');
    expect(await serial.readUntil('# ')).toContain('serial-demo');
    serial.socket.send('rm -rf /\r');
    expect(await serial.readUntil('# ')).toContain('-sh: rm: not found');
    serial.socket.send('exit\r');
    expect(await serial.closed).toBe(1000);
  });

  it('refuses the console of a VM that is off, or unknown', async () => {
    const vm = await host.createVm({
      name: 'off',
      vcpus: 1,
      memoryMiB: 256,
      cpu: { model: 'host-model', features: [] },
      disks: [],
      nics: [],
      start: false,
    });
    expect(await (await openConsole(vm.id, 'vnc')).closed).toBe(4409);
    expect(await (await openConsole('00000000-0000-4000-8000-000000000000', 'serial')).closed).toBe(4404);
  });
});
