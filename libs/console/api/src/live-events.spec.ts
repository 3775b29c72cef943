import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { LiveEvents, type LiveConnection } from './live-events.js';
import { fakeLiveConnections } from './testing.js';

const hostId = '10000000-0000-4000-8000-000000000001';
const vmId = '20000000-0000-4000-8000-000000000001';
const ts = '2026-11-22T12:00:00.000Z';
const vmStarted = (seq: number) => ({
  seq,
  ts,
  type: 'vm.state',
  data: { vmId, hostId, state: 'running', previous: 'shutoff', at: 1_795_000_000_000 },
});

function startLive() {
  const connections = fakeLiveConnections();
  const live = new LiveEvents(connections.connect);
  const received: number[] = [];
  const statuses: LiveConnection[] = [];
  live.onEvent((event) => received.push(event.seq));
  live.onConnectionChange(() => statuses.push(live.connection));
  live.start();
  return { live, connections, socket: connections.latest, received, statuses };
}

describe('LiveEvents', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('subscribes to everything on connect, without `since` the first time', () => {
    const { live, socket } = startLive();
    expect(live.connection).toEqual({ status: 'connecting' });
    expect(socket.subscriptions).toEqual([]);
    socket.serverAccepts();
    expect(socket.subscriptions).toEqual([{ scopes: ['/'] }]);
    expect(live.connection.status).toBe('connecting');
    socket.acknowledge({ scopes: ['/'], seq: 41, replayed: 0 });
    expect(live.connection).toEqual({ status: 'live' });
  });

  it('subscribes again after a reconnect, from the last sequence it received', () => {
    const { live, socket, received, statuses } = startLive();
    socket.goLive(41);
    socket.receive('event', vmStarted(42));
    socket.receive('event', vmStarted(45));
    socket.connectionLost();
    expect(live.connection).toEqual({ status: 'reconnecting', problem: 'transport close' });
    socket.serverAccepts();
    expect(socket.subscriptions.at(-1)).toEqual({ scopes: ['/'], since: 45 });
    socket.acknowledge({ scopes: ['/'], seq: 47, replayed: 2 });
    expect(live.connection.status).toBe('live');
    expect(received).toEqual([42, 45]);
    expect(statuses.map((s) => s.status)).toEqual(['live', 'reconnecting', 'live']);
  });

  it('resumes from the acknowledged sequence when no event came before the connection dropped', () => {
    const { socket } = startLive();
    socket.goLive(41);
    socket.connectionLost();
    socket.serverAccepts();
    expect(socket.subscriptions.at(-1)).toEqual({ scopes: ['/'], since: 41 });
  });

  it('drops events it has already seen, such as those a replay sends again, even out of order', () => {
    const { socket, received } = startLive();
    socket.goLive();
    for (const seq of [10, 12, 11, 12, 10, 13]) socket.receive('event', vmStarted(seq));
    expect(received).toEqual([10, 12, 11, 13]);
  });

  it('ignores events that do not match their contract', () => {
    const { socket, received } = startLive();
    socket.goLive();
    socket.receive('event', { ...vmStarted(1), type: 'vm.exploded' });
    socket.receive('event', { ...vmStarted(2), data: { vmId: 'not-a-uuid', hostId } });
    socket.receive('event', 'garbage');
    socket.receive('event', null);
    socket.receive('event', vmStarted(3));
    expect(received).toEqual([3]);
  });

  it('hands stats frames to the listeners of their host only', () => {
    const { live, socket } = startLive();
    const frames: number[] = [];
    const stop = live.onStats(hostId, (frame) => frames.push(frame.at));
    socket.goLive();
    const frame = (seq: number, host: string, at: number) => ({
      seq,
      ts,
      type: 'stats',
      data: { hostId: host, at, host: [1, 2, 3, 4, 5, 6], vms: [] },
    });
    socket.receive('event', frame(1, hostId, 1_000));
    socket.receive('event', frame(2, '10000000-0000-4000-8000-000000000002', 2_000));
    stop();
    socket.receive('event', frame(3, hostId, 3_000));
    expect(frames).toEqual([1_000]);
  });

  it('says offline after failing to reconnect a few times, and live again once back', () => {
    const { live, socket } = startLive();
    socket.goLive();
    socket.connectionLost();
    socket.attemptFails('websocket error');
    expect(live.connection.status).toBe('reconnecting');
    socket.attemptFails('websocket error');
    socket.attemptFails('websocket error');
    expect(live.connection).toEqual({ status: 'offline', problem: 'websocket error' });
    socket.serverAccepts();
    socket.acknowledge();
    expect(live.connection.status).toBe('live');
  });

  it('stays "connecting" through a first failed attempt, then says offline', () => {
    const { live, socket } = startLive();
    socket.attemptFails('websocket error');
    expect(live.connection.status).toBe('connecting');
    socket.attemptFails('websocket error');
    socket.attemptFails('websocket error');
    expect(live.connection.status).toBe('offline');
  });

  it('is offline when the server refuses the handshake, and tries again later itself', () => {
    jest.useFakeTimers();
    const { live, socket } = startLive();
    socket.attemptFails('Sign in first: send the session cookie or an API token', { refused: true });
    expect(live.connection).toEqual({
      status: 'offline',
      problem: 'Sign in first: send the session cookie or an API token',
    });
    expect(socket.active).toBe(false);
    jest.advanceTimersByTime(2_000);
    expect(socket.active).toBe(true);
  });

  it('is offline when the server ends the session, with its reason', () => {
    jest.useFakeTimers();
    const { live, socket } = startLive();
    socket.goLive();
    socket.receive('error', { message: 'Your session ended or your token was revoked' });
    socket.active = false;
    socket.connectionLost('io server disconnect');
    expect(live.connection).toEqual({ status: 'offline', problem: 'Your session ended or your token was revoked' });
  });

  it('reconnects itself when the server closes the connection without a reason (an api restarting)', () => {
    jest.useFakeTimers();
    const { live, socket } = startLive();
    socket.goLive();
    socket.active = false;
    socket.connectionLost('io server disconnect');
    expect(live.connection.status).toBe('reconnecting');
    jest.advanceTimersByTime(2_000);
    expect(socket.active).toBe(true);
  });

  it('is offline when the subscription is refused', () => {
    const { live, socket } = startLive();
    socket.serverAccepts();
    socket.acknowledge({ error: 'You may not view / (or it does not exist); nothing was subscribed' });
    expect(live.connection).toEqual({
      status: 'offline',
      problem: 'You may not view / (or it does not exist); nothing was subscribed',
    });
  });

  it('asks for a reload on `resync`, and after a first subscription that followed failures', () => {
    const { live, socket } = startLive();
    let resyncs = 0;
    live.onResync(() => (resyncs += 1));
    socket.attemptFails();
    socket.goLive(5);
    expect(resyncs).toBe(1);
    socket.receive('resync', { reason: 'Events since that sequence are no longer kept: reload over REST', seq: 900 });
    expect(resyncs).toBe(2);
  });

  it('closes the socket when stopped, and ignores what it still reports', () => {
    const { live, socket, received } = startLive();
    socket.goLive();
    live.stop();
    expect(socket.active).toBe(false);
    socket.receive('event', vmStarted(1));
    socket.connectionLost('io client disconnect');
    expect(received).toEqual([]);
    expect(live.connection.status).toBe('live');
  });
});
