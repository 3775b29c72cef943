import type { SubscribeMessage, Subscribed } from '@cockpit/contracts';
import type { ConnectLiveSocket, LiveSocket } from './live-events.js';

type Handler = (...args: unknown[]) => void;

/**
 * A stand-in for the socket.io client socket, for tests (`@cockpit/console-api/testing`): it records
 * what the console sends, and the test plays the server and the network with it. socket.io itself
 * is not what those tests are about.
 */
export class FakeLiveSocket implements LiveSocket {
  /** As socket.io's: whether it retries by itself (false once the server refused or closed it). */
  active = true;
  connected = false;
  readonly sent: { event: string; args: unknown[] }[] = [];
  private readonly handlers = new Map<string, Handler[]>();

  on(event: string, listener: (...args: never[]) => void): this {
    this.handlers.set(event, [...(this.handlers.get(event) ?? []), listener as Handler]);
    return this;
  }

  emit(event: string, ...args: unknown[]): this {
    this.sent.push({ event, args });
    return this;
  }

  connect(): this {
    this.active = true;
    return this;
  }

  disconnect(): this {
    this.active = false;
    this.connected = false;
    return this;
  }

  /** The server sends `event` (or socket.io reports it: connect, disconnect, connect_error). */
  receive(event: string, ...args: unknown[]): void {
    for (const handler of this.handlers.get(event) ?? []) handler(...args);
  }

  /** The connection (or a reconnection) succeeds. */
  serverAccepts(): void {
    this.connected = true;
    this.active = true;
    this.receive('connect');
  }

  /** The network drops the connection; socket.io will retry. */
  connectionLost(reason = 'transport close'): void {
    this.connected = false;
    this.receive('disconnect', reason);
  }

  /** An attempt to (re)connect fails; `refused` as when the server turns the handshake down (no retry). */
  attemptFails(message = 'websocket error', { refused = false } = {}): void {
    if (refused) this.active = false;
    this.receive('connect_error', new Error(message));
  }

  /** Every `subscribe` the console sent, oldest first. */
  get subscriptions(): SubscribeMessage[] {
    return this.sent.filter((message) => message.event === 'subscribe').map((message) => message.args[0] as SubscribeMessage);
  }

  /** Answers the latest `subscribe` as the hub does (its ack), by default with success at `seq` 0. */
  acknowledge(reply: Subscribed | { error: string } = { scopes: ['/'], seq: 0, replayed: 0 }): void {
    const latest = this.sent.filter((message) => message.event === 'subscribe').at(-1);
    const ack = latest?.args[1];
    if (typeof ack !== 'function') throw new Error('The console has not subscribed (with an acknowledgement callback)');
    (ack as (reply: unknown) => void)(reply);
  }

  /** Connects and subscribes successfully at once. */
  goLive(seq = 0): void {
    this.serverAccepts();
    this.acknowledge({ scopes: ['/'], seq, replayed: 0 });
  }
}

/** A connect function handing out fake sockets, keeping each for the test. */
export function fakeLiveConnections(): {
  connect: ConnectLiveSocket;
  sockets: FakeLiveSocket[];
  readonly latest: FakeLiveSocket;
} {
  const sockets: FakeLiveSocket[] = [];
  return {
    connect: () => {
      const socket = new FakeLiveSocket();
      sockets.push(socket);
      return socket;
    },
    sockets,
    get latest() {
      const socket = sockets.at(-1);
      if (!socket) throw new Error('No live connection was opened');
      return socket;
    },
  };
}

export * from './test-fixtures.js';
export * from './test-paging.js';
export * from './test-migrations.js';
