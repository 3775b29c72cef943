import websocket from '@fastify/websocket';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { z } from 'zod';
import {
  ExecRequest,
  IncomingMigrationComplete,
  IncomingMigrationRequest,
  MigrationRequest,
  StorageMigrationRequest,
  VmAction,
  VmCreate,
  VmDeleteQuery,
  VmUpdate,
  COCKPIT_VERSION,
  type ErrorResponse,
  type VaporPing,
  type VaporStreamControl,
} from '@cockpit/contracts';
import { DriverError, type HypervisorDriver } from '@cockpit/vapor-driver';
import { EventHub } from './event-hub.js';
import { NO_FAULTS, type FaultControl, type HostFaults } from './faults.js';
import type { WebSocket } from 'ws';
import type { TlsIdentity } from './tls-identity.js';

export interface AgentServerOptions {
  /** The hosts this process serves. One: routes at `/v1`. Several (fleet): at `/hosts/<uuid>/v1`. */
  hosts: readonly { uuid: string; driver: HypervisorDriver }[];
  token: string;
  tls: TlsIdentity;
  fleet?: boolean;
  eventBufferSize?: number;
  /** Close an event stream whose client reads slower than this many buffered bytes. */
  maxBufferedBytes?: number;
}

export interface RunningAgent {
  port: number;
  faults: FaultControl;
  /** Base URL per host uuid: `https://127.0.0.1:9443` or `https://127.0.0.1:9443/hosts/<uuid>`. */
  baseUrls: Map<string, string>;
  fingerprint: string;
  close(): Promise<void>;
}

class BadRequest extends Error {
  constructor(readonly details: { path: string; message: string }[]) {
    super(`Invalid request: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`);
  }
}

function parse<T extends z.ZodType>(schema: T, value: unknown, where: string): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new BadRequest(
    result.error.issues.map((issue) => ({ path: [where, ...issue.path.map(String)].join('.'), message: issue.message })),
  );
}

const VmParams = z.object({ vmId: z.uuid() });
const JobParams = z.object({ jobId: z.uuid() });
const IncomingParams = z.object({ incomingId: z.uuid() });
const EventsQuery = z.object({ since: z.coerce.number().int().nonnegative().optional(), stream: z.string().max(64).optional() });

/** `If-Match: "7"` → 7; absent → undefined; anything else is a 400. */
function ifMatch(request: FastifyRequest): number | undefined {
  const header = request.headers['if-match'];
  if (header === undefined) return undefined;
  const match = /^"?(\d+)"?$/.exec(String(header).trim());
  if (!match) throw new BadRequest([{ path: 'headers.if-match', message: 'expected the VM generation, e.g. "7"' }]);
  return Number(match[1]);
}

function tokenMatches(header: string | undefined, token: Buffer): boolean {
  const given = Buffer.from(/^Bearer (.+)$/.exec(header ?? '')?.[1] ?? '');
  return given.length === token.length && timingSafeEqual(given, token);
}

/**
 * The Vapor agent's HTTPS API over one or many hypervisor drivers. Every request is validated;
 * refusals answer the api's error shape `{ statusCode, error, message, details? }`.
 */
export async function startAgentServer(
  options: AgentServerOptions,
  listen: { port: number; host: string },
): Promise<RunningAgent> {
  const app: FastifyInstance = Fastify({
    https: { key: options.tls.key, cert: options.tls.cert },
    logger: false,
    bodyLimit: 1024 * 1024,
    return503OnClosing: true,
    // Hung requests (fault injection) must not keep close() waiting.
    forceCloseConnections: true,
  });
  const token = Buffer.from(options.token);
  const hubs = new Map(options.hosts.map(({ uuid, driver }) => [uuid, new EventHub(driver, options.eventBufferSize)]));
  const faultsByHost = new Map<string, HostFaults>();
  const streams = new Map<string, Set<WebSocket>>(options.hosts.map(({ uuid }) => [uuid, new Set()]));
  const hostIdOf = (request: FastifyRequest) =>
    (options.fleet ? (request.params as { hostId?: string }).hostId : options.hosts[0]?.uuid) ?? '';
  const dropStreams = (uuid: string, code: number, reason: string) => {
    const open = streams.get(uuid) ?? new Set();
    for (const socket of open) socket.close(code, reason);
    return open.size;
  };
  const faults: FaultControl = {
    get: (uuid) => faultsByHost.get(uuid) ?? NO_FAULTS,
    set: (uuid, patch) => {
      const next = { ...(faultsByHost.get(uuid) ?? NO_FAULTS), ...patch };
      faultsByHost.set(uuid, next);
      return next;
    },
    dropEvents: (uuid) => dropStreams(uuid, 1012, 'Event stream dropped (fault injection)'),
    powerLoss: (uuid) => {
      faults.set(uuid, { powerLoss: true });
      for (const socket of streams.get(uuid) ?? []) socket.terminate();
    },
    powerRestore: (uuid) => {
      const host = options.hosts.find((candidate) => candidate.uuid === uuid);
      if (!host) return;
      host.driver.simulation?.powerCycle();
      hubs.get(uuid)?.close();
      hubs.set(uuid, new EventHub(host.driver, options.eventBufferSize));
      faults.set(uuid, { powerLoss: false });
    },
    failNextMigration: (uuid, atFraction) =>
      options.hosts.find((h) => h.uuid === uuid)?.driver.simulation?.failNextMigration(atFraction),
    clear: (uuid) => {
      faultsByHost.delete(uuid);
    },
  };
  const maxBuffered = options.maxBufferedBytes ?? 8 * 1024 * 1024;

  await app.register(websocket, { options: { maxPayload: 64 * 1024 } });

  app.setErrorHandler((error: Error & { statusCode?: number; validation?: unknown }, _request, reply) => {
    const send = (statusCode: number, message: string, details?: ErrorResponse['details']) =>
      reply
        .code(statusCode)
        .send({ statusCode, error: reasons[statusCode] ?? 'Error', message, ...(details ? { details } : {}) });
    if (error instanceof BadRequest) return send(400, error.message, error.details);
    if (error instanceof DriverError) return send(error.status, error.message);
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      return send(
        error.statusCode,
        error.statusCode === 400 && /JSON/i.test(error.message) ? 'Request body is not valid JSON' : error.message,
      );
    }
    process.stderr.write(`vapor: unexpected error: ${error.stack ?? error.message}\n`);
    return send(500, 'Internal error in the agent');
  });
  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .send({ statusCode: 404, error: 'Not Found', message: `No route ${request.method} ${request.url.split('?')[0] ?? ''}` }),
  );

  const routes = async (scope: FastifyInstance) => {
    const driverOf = (request: FastifyRequest): { driver: HypervisorDriver; hub: EventHub } => {
      const hostId = options.fleet ? (request.params as { hostId?: string }).hostId : options.hosts[0]?.uuid;
      const host = options.hosts.find((candidate) => candidate.uuid === hostId);
      const hub = hostId ? hubs.get(hostId) : undefined;
      if (!host || !hub) throw new DriverError(404, `No host ${hostId ?? ''} in this agent`);
      return { driver: host.driver, hub };
    };

    scope.addHook('onRequest', async (request, reply) => {
      const fault = faultsByHost.get(hostIdOf(request));
      if (!fault) return;
      if (fault.powerLoss) {
        reply.hijack();
        request.raw.socket.destroy();
        return;
      }
      if (fault.hang) {
        reply.hijack(); // accepted, never answered
        return;
      }
      if (fault.slowMs > 0) await new Promise((resolve) => setTimeout(resolve, fault.slowMs));
    });
    scope.addHook('onSend', async (request, reply, payload) => {
      if (!faultsByHost.get(hostIdOf(request))?.malformed) return payload;
      if (!String(reply.getHeader('content-type') ?? '').includes('json')) return payload;
      return '{"garbage": [1, 2,';
    });

    scope.get('/v1/ping', async (request) => {
      const { driver } = driverOf(request);
      const ping: VaporPing = { agent: 'vapor', version: COCKPIT_VERSION, apiVersion: 'v1' };
      return { ...ping, hostUuid: driver.hostInfo().uuid };
    });

    // Everything else needs the bearer token (event and console WebSockets included).
    scope.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
      if (request.url.endsWith('/v1/ping')) return;
      if (!tokenMatches(request.headers.authorization, token)) {
        await reply.code(401).send({ statusCode: 401, error: 'Unauthorized', message: 'Missing or wrong bearer token' });
      }
    });

    scope.get('/v1/host', async (request) => driverOf(request).driver.hostInfo());
    scope.get('/v1/vms', async (request) => driverOf(request).driver.listVms());
    scope.post('/v1/vms', async (request, reply) => {
      const vm = await driverOf(request).driver.createVm(parse(VmCreate, request.body, 'body'));
      return reply.code(201).header('ETag', `"${vm.generation}"`).send(vm);
    });
    scope.get('/v1/vms/:vmId', async (request, reply) => {
      const vm = driverOf(request).driver.getVm(parse(VmParams, request.params, 'params').vmId);
      return reply.header('ETag', `"${vm.generation}"`).send(vm);
    });
    scope.patch('/v1/vms/:vmId', async (request, reply) => {
      const { vmId } = parse(VmParams, request.params, 'params');
      const vm = await driverOf(request).driver.updateVm(vmId, parse(VmUpdate, request.body, 'body'), ifMatch(request));
      return reply.header('ETag', `"${vm.generation}"`).send(vm);
    });
    scope.delete('/v1/vms/:vmId', async (request, reply) => {
      const { vmId } = parse(VmParams, request.params, 'params');
      const { keepDisks } = parse(VmDeleteQuery, request.query, 'query');
      await driverOf(request).driver.deleteVm(vmId, { keepDisks }, ifMatch(request));
      return reply.code(204).send();
    });
    scope.post('/v1/vms/:vmId/actions', async (request) => {
      const { vmId } = parse(VmParams, request.params, 'params');
      const { action } = parse(z.object({ action: VmAction }), request.body, 'body');
      return driverOf(request).driver.act(vmId, action);
    });

    scope.get('/v1/jobs', async (request) => driverOf(request).driver.listJobs());
    scope.get('/v1/jobs/:jobId', async (request) =>
      driverOf(request).driver.getJob(parse(JobParams, request.params, 'params').jobId),
    );
    scope.post('/v1/jobs/migrations', async (request, reply) => {
      const body = parse(MigrationRequest, request.body, 'body');
      return reply.code(202).send(await driverOf(request).driver.migrate(body.vmId, body.destination, body.options));
    });
    scope.post('/v1/jobs/storage-migrations', async (request, reply) => {
      const body = parse(StorageMigrationRequest, request.body, 'body');
      const job = await driverOf(request).driver.migrateStorage(body.vmId, body.diskId, body.targetPoolId, {
        maxBandwidthMBps: body.maxBandwidthMBps,
        deleteSource: body.deleteSource,
      });
      return reply.code(202).send(job);
    });
    scope.post('/v1/jobs/:jobId/cancel', async (request) =>
      driverOf(request).driver.cancelJob(parse(JobParams, request.params, 'params').jobId),
    );

    scope.post('/v1/peer/incoming-migrations', async (request, reply) => {
      const body = parse(IncomingMigrationRequest, request.body, 'body');
      return reply.code(201).send(await driverOf(request).driver.prepareIncoming(body));
    });
    scope.post('/v1/peer/incoming-migrations/:incomingId/keepalive', async (request) =>
      driverOf(request).driver.keepIncoming(parse(IncomingParams, request.params, 'params').incomingId),
    );
    scope.post('/v1/peer/incoming-migrations/:incomingId/complete', async (request) => {
      const { incomingId } = parse(IncomingParams, request.params, 'params');
      return driverOf(request).driver.completeIncoming(incomingId, parse(IncomingMigrationComplete, request.body, 'body').vm);
    });
    scope.delete('/v1/peer/incoming-migrations/:incomingId', async (request, reply) => {
      await driverOf(request).driver.abortIncoming(parse(IncomingParams, request.params, 'params').incomingId);
      return reply.code(204).send();
    });

    scope.post('/v1/exec', async (request) => {
      const { argv, timeoutMs } = parse(ExecRequest, request.body, 'body');
      return driverOf(request).driver.exec(argv, timeoutMs);
    });

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
      let query: z.output<typeof EventsQuery>;
      try {
        hub = driverOf(request).hub;
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
      socket.on('close', () => {
        unsubscribe();
        open?.delete(socket);
      });
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
    });
  };

  if (options.fleet) await app.register(routes, { prefix: '/hosts/:hostId' });
  else await app.register(routes);

  await app.listen({ port: listen.port, host: listen.host });
  const port = (app.server.address() as AddressInfo).port;
  const origin = `https://${listen.host === '0.0.0.0' ? '127.0.0.1' : listen.host}:${port}`;
  return {
    port,
    fingerprint: options.tls.fingerprint,
    faults,
    baseUrls: new Map(options.hosts.map(({ uuid }) => [uuid, options.fleet ? `${origin}/hosts/${uuid}` : origin])),
    close: async () => {
      for (const hub of hubs.values()) hub.close();
      await app.close();
    },
  };
}

const reasons: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  507: 'Insufficient Storage',
};
