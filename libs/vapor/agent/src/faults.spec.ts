import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { VaporEvent, VaporStreamControl } from '@cockpit/contracts';
import { VaporClient, VaporProtocolError } from '@cockpit/vapor-client';
import { SimWorld, type SimHost } from '@cockpit/vapor-sim';
import { startAgentServer, type RunningAgent } from './agent-server.js';
import { loadOrCreateTlsIdentity } from './tls-identity.js';

const TOKEN = 'faults-token-0123456789';
let dir: string;
let world: SimWorld;
let agent: RunningAgent;
let host: SimHost;
let other: SimHost;
let client: (target?: SimHost, timeoutMs?: number) => VaporClient;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'vapor-faults-'));
  const tls = await loadOrCreateTlsIdentity(dir);
  world = new SimWorld({ seed: 11, hosts: 2, vmsPerHost: 3, timeScale: 100, statsIntervalMs: 60_000 });
  [host, other] = world.hosts as [SimHost, SimHost];
  agent = await startAgentServer(
    { hosts: world.hosts.map((h) => ({ uuid: h.uuid, driver: h })), token: TOKEN, tls, fleet: true },
    { port: 0, host: '127.0.0.1' },
  );
  client = (target = host, timeoutMs = 2000) =>
    new VaporClient(
      { baseUrl: agent.baseUrls.get(target.uuid) ?? '', token: TOKEN, fingerprint: tls.fingerprint },
      { timeoutMs },
    );
});
afterAll(async () => {
  await agent.close();
  await world.close();
  await rm(dir, { recursive: true, force: true });
});

interface Follow {
  controls: VaporStreamControl[];
  events: VaporEvent[];
  closed: Promise<Error | undefined>;
  close(): void;
}
async function follow(options: { since?: number; stream?: string } = {}): Promise<Follow> {
  const controls: VaporStreamControl[] = [];
  const events: VaporEvent[] = [];
  let onClose: (error?: Error) => void = () => undefined;
  const closed = new Promise<Error | undefined>((resolve) => (onClose = resolve));
  const stream = await client().events(options, { onControl: (c) => controls.push(c), onEvent: (e) => events.push(e), onClose });
  return { controls, events, closed, close: stream.close };
}
const until = async (condition: () => boolean) => {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

describe('fault injection', () => {
  it('hang: requests are accepted and never answered; the client gives up; other hosts are unaffected', async () => {
    agent.faults.set(host.uuid, { hang: true });
    await expect(client(host, 300).host()).rejects.toThrow(/did not answer within 300 ms/);
    expect((await client(other).host()).uuid).toBe(other.uuid);
    agent.faults.clear(host.uuid);
    expect((await client().host()).uuid).toBe(host.uuid);
  });

  it('slow: answers arrive late but intact', async () => {
    agent.faults.set(host.uuid, { slowMs: 250 });
    const started = Date.now();
    expect((await client().listVms()).length).toBe(3);
    expect(Date.now() - started).toBeGreaterThanOrEqual(240);
    agent.faults.clear(host.uuid);
  });

  it('malformed: JSON answers are garbage, and the client says so instead of using them', async () => {
    agent.faults.set(host.uuid, { malformed: true });
    await expect(client().listVms()).rejects.toBeInstanceOf(VaporProtocolError);
    agent.faults.clear(host.uuid);
    expect((await client().listVms()).length).toBe(3);
  });

  it('drop the event stream: the client sees it close and resumes by seq without losing events', async () => {
    const first = await follow();
    await until(() => first.controls.length === 1);
    const vm = host.listVms()[0];
    if (!vm) throw new Error('no vm');
    await client().act(vm.id, vm.state === 'running' ? 'pause' : 'start');
    await until(() => first.events.length === 1);
    expect(agent.faults.dropEvents(host.uuid)).toBe(1);
    await first.closed;
    const missed = await client().act(vm.id, vm.state === 'running' ? 'resume' : 'poweroff');
    const lastSeen = first.events[0]?.seq ?? 0;
    const second = await follow({ since: lastSeen, stream: first.controls[0]?.streamId });
    await until(() => second.events.length === 1);
    expect(second.controls[0]?.type).toBe('resumed');
    expect(second.events[0]).toMatchObject({ seq: lastSeen + 1, type: 'vm.state', data: { state: missed.state } });
    second.close();
  });

  it('next requests: the next N calls of one route wait, then run or answer the given refusal; other routes are untouched', async () => {
    const vm = host.listVms().find((candidate) => candidate.state === 'running');
    if (!vm) throw new Error('no running vm');
    agent.faults.set(host.uuid, {
      nextRequests: { routeId: 'actOnVm', remaining: 2, delayMs: 200, refuse: { status: 503, message: 'hypervisor busy' } },
    });
    expect((await client().listVms()).length).toBe(3); // another route: not counted
    expect(agent.faults.get(host.uuid).nextRequests?.remaining).toBe(2);
    const started = Date.now();
    await expect(client().act(vm.id, 'pause')).rejects.toMatchObject({ status: 503, message: 'hypervisor busy' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    await expect(client().act(vm.id, 'pause')).rejects.toMatchObject({ status: 503 });
    expect(agent.faults.get(host.uuid).nextRequests).toBeNull();
    expect(host.getVm(vm.id).state).toBe('running'); // refused before the driver saw it
    // Only slowed: the action runs, late.
    agent.faults.set(host.uuid, { nextRequests: { routeId: null, remaining: 1, delayMs: 200, refuse: null } });
    const slow = Date.now();
    expect((await client().act(vm.id, 'pause')).state).toBe('paused');
    expect(Date.now() - slow).toBeGreaterThanOrEqual(190);
    expect((await client().act(vm.id, 'resume')).state).toBe('running');
    agent.faults.clear(host.uuid);
  });

  it('ignore ACPI: shutdown is answered and the guest keeps running until the fault is cleared', async () => {
    const vm = host.listVms().find((candidate) => candidate.state === 'running');
    if (!vm) throw new Error('no running vm');
    agent.faults.ignoreAcpi(host.uuid, vm.id, true);
    expect((await client().act(vm.id, 'shutdown')).state).toBe('running');
    await new Promise((resolve) => setTimeout(resolve, 100)); // 10 s of guest time at this scale
    expect((await client().getVm(vm.id)).state).toBe('running');
    expect(() => agent.faults.ignoreAcpi(host.uuid, '00000000-0000-4000-8000-000000000000', true)).toThrow(/No VM/);
    agent.faults.clear(host.uuid); // obeys again
    await client().act(vm.id, 'shutdown');
    await until(() => host.getVm(vm.id).state === 'shutoff');
    await client().act(vm.id, 'start');
  });

  it('power loss: the host drops every connection; after power returns its VMs are off and old streams get a gap', async () => {
    const stream = await follow();
    await until(() => stream.controls.length === 1);
    const before = stream.controls[0];
    expect(host.listVms().some((vm) => vm.state === 'running')).toBe(true);
    agent.faults.powerLoss(host.uuid);
    await stream.closed; // the stream ends with the host
    await expect(client().host()).rejects.toThrow();
    agent.faults.powerRestore(host.uuid);
    expect((await client().listVms()).every((vm) => vm.state === 'shutoff')).toBe(true);
    const after = await follow({ since: before?.currentSeq ?? 0, stream: before?.streamId });
    await until(() => after.controls.length === 1);
    expect(after.controls[0]).toMatchObject({ type: 'gap' });
    expect(after.controls[0]?.streamId).not.toBe(before?.streamId);
    after.close();
  });
});
