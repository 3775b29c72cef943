import websocket from '@fastify/websocket';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { AddressInfo } from 'node:net';
import { COCKPIT_VERSION, vaporRoutes, type VaporPing, type Vm } from '@cockpit/contracts';
import { DriverError, type HypervisorDriver } from '@cockpit/vapor-driver';
import { notFound, requireToken } from './agent-auth.js';
import { errorHandler, ifMatch, statusText } from './agent-http.js';
import { serve } from './agent-routes.js';
import { registerStreamRoutes } from './agent-streams.js';
import { EventHub } from './event-hub.js';
import { NO_FAULTS, type FaultControl, type HostFaults } from './faults.js';
import type { WebSocket } from 'ws';
import { StreamFollowers } from './stream-followers.js';
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
  /** Which Cockpit instances follow each host's event stream, and every overlap (see the fault admin). */
  followers: StreamFollowers;
  fingerprint: string;
  close(): Promise<void>;
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
  const followers = new StreamFollowers();
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
    ignoreAcpi: (uuid, vmId, ignore) => {
      const driver = options.hosts.find((h) => h.uuid === uuid)?.driver;
      if (!driver?.simulation?.ignoreAcpi) throw new DriverError(422, `Host ${uuid} does not simulate its guests`);
      driver.simulation.ignoreAcpi(vmId, ignore);
    },
    stallMigrations: (uuid, stall) => {
      const driver = options.hosts.find((h) => h.uuid === uuid)?.driver;
      if (!driver?.simulation?.stallMigrations) throw new DriverError(422, `Host ${uuid} does not simulate its migrations`);
      driver.simulation.stallMigrations(stall);
    },
    clear: (uuid) => {
      faultsByHost.delete(uuid);
      faults.corruptStats(uuid, []);
      const driver = options.hosts.find((h) => h.uuid === uuid)?.driver;
      for (const vm of driver?.simulation?.ignoreAcpi ? driver.listVms() : []) driver?.simulation?.ignoreAcpi?.(vm.id, false);
      driver?.simulation?.stallMigrations?.(false);
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

    const r = vaporRoutes;
    const driver = (request: FastifyRequest) => driverOf(request).driver;
    /** The VM with its generation as ETag, for If-Match on the next change. */
    const withEtag = (reply: FastifyReply, vm: Vm) => (reply.header('ETag', `"${vm.generation}"`), vm);

    serve(scope, r.ping, (_input, request) => {
      const ping: VaporPing = { agent: 'vapor', version: COCKPIT_VERSION, apiVersion: 'v1' };
      return { ...ping, hostUuid: driver(request).hostInfo().uuid };
    });

    // Everything else needs the bearer token (event and console WebSockets included).
    scope.addHook('onRequest', requireToken(token));
    // Fault injection aimed at the next requests (counted once the token is checked; never ping).
    scope.addHook('preHandler', async (request, reply) => {
      const uuid = hostIdOf(request);
      const rule = faultsByHost.get(uuid)?.nextRequests;
      const { routeId, public: isPublic } = request.routeOptions.config;
      if (!rule || isPublic || (rule.routeId !== null && rule.routeId !== routeId)) return;
      faults.set(uuid, { nextRequests: rule.remaining > 1 ? { ...rule, remaining: rule.remaining - 1 } : null });
      if (rule.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, rule.delayMs));
      if (rule.refuse) {
        const { status, message } = rule.refuse;
        await reply.code(status).send({ statusCode: status, error: statusText(status), message });
      }
    });

    serve(scope, r.host, (_input, request) => driver(request).hostInfo());
    serve(scope, r.listVms, (_input, request) => driver(request).listVms());
    serve(scope, r.createVm, async ({ body }, request, reply) => withEtag(reply, await driver(request).createVm(body)));
    serve(scope, r.getVm, ({ params }, request, reply) => withEtag(reply, driver(request).getVm(params.vmId)));
    serve(scope, r.updateVm, async ({ params, body }, request, reply) =>
      withEtag(reply, await driver(request).updateVm(params.vmId, body, ifMatch(request))),
    );
    serve(scope, r.deleteVm, async ({ params, query }, request) => {
      await driver(request).deleteVm(params.vmId, { keepDisks: query.keepDisks }, ifMatch(request));
    });
    serve(scope, r.actOnVm, async ({ params, body }, request, reply) =>
      withEtag(reply, await driver(request).act(params.vmId, body.action, ifMatch(request))),
    );
    serve(scope, r.listSnapshots, ({ params }, request) => driver(request).listSnapshots(params.vmId));
    serve(scope, r.createSnapshot, async ({ params, body }, request, reply) => {
      const created = await driver(request).createSnapshot(params.vmId, body, ifMatch(request));
      withEtag(reply, created.vm);
      return created;
    });
    serve(scope, r.revertSnapshot, async ({ params }, request, reply) =>
      withEtag(reply, await driver(request).revertSnapshot(params.vmId, params.snapshotId, ifMatch(request))),
    );
    serve(scope, r.deleteSnapshot, async ({ params }, request, reply) =>
      withEtag(reply, await driver(request).deleteSnapshot(params.vmId, params.snapshotId, ifMatch(request))),
    );

    serve(scope, r.listJobs, (_input, request) => driver(request).listJobs());
    serve(scope, r.getJob, ({ params }, request) => driver(request).getJob(params.jobId));
    serve(scope, r.migrate, ({ body }, request) => driver(request).migrate(body.vmId, body.destination, body.options));
    serve(scope, r.migrateStorage, ({ body }, request) =>
      driver(request).migrateStorage(body.vmId, body.diskId, body.targetPoolId, {
        maxBandwidthMBps: body.maxBandwidthMBps,
        deleteSource: body.deleteSource,
      }),
    );
    serve(scope, r.cancelJob, ({ params }, request) => driver(request).cancelJob(params.jobId));
    serve(scope, r.setJobBandwidth, ({ params, body }, request) =>
      driver(request).setJobBandwidth(params.jobId, body.maxBandwidthMBps),
    );

    serve(scope, r.prepareIncoming, ({ body }, request) => driver(request).prepareIncoming(body));
    serve(scope, r.keepIncoming, ({ params }, request) => driver(request).keepIncoming(params.incomingId));
    serve(scope, r.completeIncoming, ({ params, body }, request) => driver(request).completeIncoming(params.incomingId, body.vm));
    serve(scope, r.abortIncoming, async ({ params }, request) => {
      await driver(request).abortIncoming(params.incomingId);
    });

    serve(scope, r.exec, ({ body }, request) => driver(request).exec(body.argv, body.timeoutMs));

    registerStreamRoutes(scope, { driverOf, hostIdOf, streams, maxBuffered, followers });
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
    followers,
    baseUrls: new Map(options.hosts.map(({ uuid }) => [uuid, options.fleet ? `${origin}/hosts/${uuid}` : origin])),
    close: async () => {
      for (const hub of hubs.values()) hub.close();
      await app.close();
    },
  };
}
