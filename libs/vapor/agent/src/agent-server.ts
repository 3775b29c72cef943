import websocket from '@fastify/websocket';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { AddressInfo } from 'node:net';
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
  type VaporPing,
} from '@cockpit/contracts';
import { DriverError, type HypervisorDriver } from '@cockpit/vapor-driver';
import { notFound, requireToken } from './agent-auth.js';
import { errorHandler, ifMatch, parse } from './agent-http.js';
import { registerStreamRoutes } from './agent-streams.js';
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

/** One route as Fastify registered it (tests walk them all: auth, fuzzing). */
export interface AgentRoute {
  method: string;
  /** The pattern, e.g. `/hosts/:hostId/v1/vms/:vmId`. */
  url: string;
  websocket: boolean;
  /** Answers without the bearer token. */
  public: boolean;
}

export interface RunningAgent {
  port: number;
  routes: readonly AgentRoute[];
  faults: FaultControl;
  /** Base URL per host uuid: `https://127.0.0.1:9443` or `https://127.0.0.1:9443/hosts/<uuid>`. */
  baseUrls: Map<string, string>;
  fingerprint: string;
  close(): Promise<void>;
}

const VmParams = z.object({ vmId: z.uuid() });
const JobParams = z.object({ jobId: z.uuid() });
const IncomingParams = z.object({ incomingId: z.uuid() });

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
    // A URL that does not even decode: a plain 400, without echoing it.
    frameworkErrors: (error, _request, reply) => {
      void (reply as FastifyReply)
        .code(400)
        .send({ statusCode: 400, error: 'Bad Request', message: `Malformed request (${error.code})` });
    },
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
    corruptStats: (uuid, rules) => options.hosts.find((h) => h.uuid === uuid)?.driver.simulation?.corruptStats?.(rules),
    clear: (uuid) => {
      faultsByHost.delete(uuid);
      faults.corruptStats(uuid, []);
    },
  };
  const maxBuffered = options.maxBufferedBytes ?? 8 * 1024 * 1024;

  const routeList: AgentRoute[] = [];
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat())
      routeList.push({
        method,
        url: route.url,
        websocket: route.websocket === true,
        public: route.config?.public === true,
      });
  });
  await app.register(websocket, { options: { maxPayload: 64 * 1024 } });

  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler(notFound(token));

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

    scope.get('/v1/ping', { config: { public: true } }, async (request) => {
      const { driver } = driverOf(request);
      const ping: VaporPing = { agent: 'vapor', version: COCKPIT_VERSION, apiVersion: 'v1' };
      return { ...ping, hostUuid: driver.hostInfo().uuid };
    });

    // Everything else needs the bearer token (event and console WebSockets included).
    scope.addHook('onRequest', requireToken(token));

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

    registerStreamRoutes(scope, { driverOf, hostIdOf, streams, maxBuffered });
  };

  if (options.fleet) await app.register(routes, { prefix: '/hosts/:hostId' });
  else await app.register(routes);

  await app.listen({ port: listen.port, host: listen.host });
  const port = (app.server.address() as AddressInfo).port;
  const origin = `https://${listen.host === '0.0.0.0' ? '127.0.0.1' : listen.host}:${port}`;
  return {
    port,
    routes: routeList,
    fingerprint: options.tls.fingerprint,
    faults,
    baseUrls: new Map(options.hosts.map(({ uuid }) => [uuid, options.fleet ? `${origin}/hosts/${uuid}` : origin])),
    close: async () => {
      for (const hub of hubs.values()) hub.close();
      await app.close();
    },
  };
}
