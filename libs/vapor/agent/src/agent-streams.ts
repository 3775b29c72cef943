import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import { z } from 'zod';
import type { VaporStreamControl } from '@cockpit/contracts';
import { DriverError, type HypervisorDriver } from '@cockpit/vapor-driver';
import { parse } from './agent-http.js';
import type { EventHub } from './event-hub.js';
import { INSTANCE_HEADER, type StreamFollowers } from './stream-followers.js';

const VmParams = z.object({ vmId: z.uuid() });
const EventsQuery = z.object({ since: z.coerce.number().int().nonnegative().optional(), stream: z.string().max(64).optional() });

export interface StreamContext {
  driverOf(request: FastifyRequest): { driver: HypervisorDriver; hub: EventHub };
  hostIdOf(request: FastifyRequest): string;
  /** Open event streams per host (fault injection drops them). */
  streams: Map<string, Set<WebSocket>>;
  /** Close an event stream whose client reads slower than this many buffered bytes. */
  maxBuffered: number;
  /** Who follows each host's stream (the double-owner oracle). */
  followers: StreamFollowers;
}

/**
 * The agent pings every event stream this often and ends one whose client has not answered the
 * last two: a frozen or vanished Cockpit instance stops counting as a follower within about 5 s
 * (its takeover waits longer), and a half-open connection does not linger.
 */
const STREAM_PING_MS = 2_000;
const STREAM_DEAD_MS = 4_500;

/** The WebSocket routes: serial and VNC consoles, and the event stream. */
export function registerStreamRoutes(scope: FastifyInstance, context: StreamContext): void {
  const { driverOf, hostIdOf, streams, maxBuffered, followers } = context;

  /** Bridges a console byte stream from the driver to a WebSocket (binary for VNC, text for serial). */
  const consoleRoute = (kind: 'serial' | 'vnc') => (socket: WebSocket, request: FastifyRequest) => {
    let stream: Duplex;
    try {
      const { vmId } = parse(VmParams, request.params, 'params');
      const { driver } = driverOf(request);
      stream = kind === 'vnc' ? driver.openVncConsole(vmId) : driver.openSerialConsole(vmId);
    } catch (error) {
      socket.close(error instanceof DriverError && error.status === 404 ? 4404 : 4409, (error as Error).message.slice(0, 120));
      return;
    }
    stream.on('data', (chunk: Buffer | string) => {
      if (socket.readyState === socket.OPEN) socket.send(kind === 'vnc' ? chunk : chunk.toString(), { binary: kind === 'vnc' });
    });
    stream.on('end', () => socket.close(1000, 'console closed'));
    stream.on('error', (error) => socket.close(1002, error.message.slice(0, 120)));
    socket.on('message', (data: Buffer) => stream.write(data));
    socket.on('close', () => stream.destroy());
  };
  scope.get('/v1/vms/:vmId/console/serial', { websocket: true }, consoleRoute('serial'));
  scope.get('/v1/vms/:vmId/console/vnc', { websocket: true }, consoleRoute('vnc'));

  scope.get('/v1/events', { websocket: true }, (socket, request) => {
    let hub: EventHub;
    let driver: HypervisorDriver;
    let query: z.output<typeof EventsQuery>;
    try {
      ({ hub, driver } = driverOf(request));
      query = parse(EventsQuery, request.query, 'query');
    } catch (error) {
      socket.close(1008, (error as Error).message.slice(0, 120));
      return;
    }
    const send = (frame: unknown) => {
      if (socket.bufferedAmount > maxBuffered) {
        // A client this far behind resumes by seq after reconnecting rather than stall the agent.
        socket.close(1013, 'Client too slow; reconnect with ?since=<last seq>');
        return;
      }
      socket.send(JSON.stringify(frame));
    };
    // Subscribe first, then replay, skipping live events the replay already covered.
    const queued: unknown[] = [];
    let replayed = false;
    let lastSent = 0;
    const unsubscribe = hub.subscribe((event) => {
      if (!replayed) queued.push(event);
      else if (event.seq > lastSent) {
        lastSent = event.seq;
        send(event);
      }
    });
    const open = streams.get(hostIdOf(request));
    open?.add(socket);
    const instance = request.headers[INSTANCE_HEADER];
    const left = followers.open(hostIdOf(request), Array.isArray(instance) ? instance[0] : instance);
    let answeredAt = Date.now();
    socket.on('pong', () => (answeredAt = Date.now()));
    const liveness = setInterval(() => {
      if (Date.now() - answeredAt > STREAM_DEAD_MS) socket.terminate();
      else if (socket.readyState === socket.OPEN) socket.ping();
    }, STREAM_PING_MS);
    socket.on('close', () => {
      clearInterval(liveness);
      left();
      unsubscribe();
      open?.delete(socket);
    });
    let resumed = false;
    if (query.since === undefined) {
      lastSent = hub.currentSeq;
      send({
        type: 'resumed',
        streamId: hub.streamId,
        fromSeq: hub.currentSeq,
        currentSeq: hub.currentSeq,
      } satisfies VaporStreamControl);
    } else {
      const replay = hub.replay(query.since, query.stream);
      if (replay.kind === 'gap') {
        lastSent = replay.currentSeq;
        send({
          type: 'gap',
          streamId: hub.streamId,
          oldestSeq: replay.oldestSeq,
          currentSeq: replay.currentSeq,
        } satisfies VaporStreamControl);
      } else {
        resumed = true;
        send({
          type: 'resumed',
          streamId: hub.streamId,
          fromSeq: query.since,
          currentSeq: replay.currentSeq,
        } satisfies VaporStreamControl);
        for (const event of replay.events) send(event);
        lastSent = replay.currentSeq;
      }
    }
    replayed = true;
    for (const event of queued as { seq: number }[]) {
      if (event.seq > lastSent) {
        lastSent = event.seq;
        send(event);
      }
    }
    // A Cockpit instance that starts afresh (it names itself; new, or after a gap: a takeover, a
    // restart) gets figures now instead of at the next interval: collecting again at once.
    if (!resumed && instance !== undefined) driver.sampleStats?.();
  });
}
