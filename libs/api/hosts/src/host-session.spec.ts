import { describe, expect, it, jest } from '@jest/globals';
import { SecretBox } from '@cockpit/api-core';
import type { VaporClient, VaporClientOptions } from '@cockpit/vapor-client';
import { HostConnections } from './host-connections.js';
import { backoffDelay, HostSession, type SessionHost, type SessionSink } from './host-session.js';

describe('reconnect backoff', () => {
  it('doubles from 1 s up to a 30 s ceiling, with half of each delay random', () => {
    expect([0, 1, 2, 3, 4, 5, 10].map((attempt) => backoffDelay(attempt, () => 1))).toEqual([
      1000, 2000, 4000, 8000, 16000, 30000, 30000,
    ]);
    expect([0, 1, 5].map((attempt) => backoffDelay(attempt, () => 0))).toEqual([500, 1000, 15000]);
  });

  it('spreads hosts that failed together', () => {
    const delays = new Set(Array.from({ length: 50 }, () => backoffDelay(4)));
    expect(delays.size).toBeGreaterThan(10);
    for (const delay of delays) expect(delay).toBeGreaterThanOrEqual(8000);
  });
});

describe('a host session reaches its host through HostConnections', () => {
  const box = new SecretBox(Buffer.alloc(32, 7));
  const host: SessionHost = {
    id: '00000000-0000-4000-8000-000000000001',
    url: 'https://h1.invalid:9443',
    token: box.seal('the-agent-token-in-clear'),
    fingerprint: 'AA:BB',
  };
  const sinkWith = (connections: SessionSink['connections']) =>
    ({ instanceId: 'api-1', connections, fenced: () => false }) as unknown as SessionSink;

  it('takes its clients (the live one and the slower one for full syncs) from clientForHost, the token sealed as stored', () => {
    jest.useFakeTimers();
    try {
      const asked: [SessionHost, VaporClientOptions][] = [];
      // A client whose event stream never opens: the session waits, nothing reaches the network.
      const client = { events: () => new Promise(() => undefined), endpoint: {} } as unknown as VaporClient;
      const session = new HostSession(
        host,
        sinkWith({
          clientForHost: (h, options = {}) => {
            asked.push([h as SessionHost, options]);
            return client;
          },
        }),
      );
      session.stop();
      expect(asked).toEqual([
        [host, { timeoutMs: 3_000, instance: 'api-1' }],
        [host, { timeoutMs: 15_000, instance: 'api-1' }],
      ]);
    } finally {
      jest.useRealTimers();
    }
  });

  it('opens the stored token there, and starts nothing when it cannot be opened', () => {
    const connections = new HostConnections({} as never, box);
    expect(connections.clientForHost(host, { timeoutMs: 3_000 }).endpoint).toEqual({
      baseUrl: host.url,
      token: 'the-agent-token-in-clear',
      fingerprint: host.fingerprint,
    });
    jest.useFakeTimers();
    try {
      const otherKey = new HostConnections({} as never, new SecretBox(Buffer.alloc(32, 8)));
      expect(() => new HostSession(host, sinkWith(otherKey))).toThrow(/another key/);
      expect(jest.getTimerCount()).toBe(0);
    } finally {
      jest.useRealTimers();
    }
  });
});
