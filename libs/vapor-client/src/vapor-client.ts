import { request as httpsRequest } from 'node:https';
import WebSocket from 'ws';
import type { z } from 'zod';
import {
  ErrorResponse,
  fillPath,
  parseContract,
  vaporRoutes,
  VaporEvent,
  VaporStreamControl,
  type ExecResult,
  type HostInfo,
  type IncomingMigration,
  type Job,
  type VaporBody,
  type VaporBodyInput,
  type VaporSnapshot,
  type VaporSnapshotCreate,
  type VaporSnapshotCreated,
  type VaporParams,
  type VaporPing,
  type VaporResponse,
  type VaporRoute,
  type Vm,
  type ExecRequest,
  type IncomingMigrationRequest,
  type MigrationRequest,
  type StorageMigrationRequest,
  type VmAction,
  type VmCreate,
  type VmUpdate,
} from '@cockpit/contracts';
import { pinnedAgent } from './pinned-tls.js';

const r = vaporRoutes;

/** `If-Match: "<generation>"` when the caller knows the generation it changes. */
function ifMatch(generation: number | undefined): Record<string, string> {
  return generation === undefined ? {} : { 'If-Match': `"${generation}"` };
}

export interface VaporEndpoint {
  /** `https://host:9443` or, in a fleet, `https://host:9443/hosts/<uuid>`. */
  baseUrl: string;
  token: string;
  /** SHA-256 certificate fingerprint, `AA:BB:...`. */
  fingerprint: string;
}

/** The host answered with an error (its message is the agent's own explanation). */
/** A console WebSocket to a host; `drain` starts delivery (what arrived before it first). */
export interface ConsoleStream {
  socket: WebSocket;
  drain(listener: (data: WebSocket.RawData, isBinary: boolean) => void): void;
}

export class VaporRequestError extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorResponse | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'VaporRequestError';
  }
}

/** The host answered something that does not match the Vapor API contract. */
export class VaporProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VaporProtocolError';
  }
}

export interface VaporClientOptions {
  timeoutMs?: number;
  /**
   * The Cockpit instance following the event stream, sent as X-Cockpit-Instance: the agent records
   * who follows each host, and when two instances overlap (the double-owner oracle).
   */
  instance?: string;
}

/**
 * Talks to one Vapor host over pinned TLS with its bearer token, and checks every answer and every
 * event frame against the contract (parseContract: unsafe text such as NUL or a lone surrogate is
 * refused anywhere, keys included): a host that lies or sends garbage produces a
 * VaporProtocolError, never bad data.
 */
export class VaporClient {
  private readonly timeoutMs: number;
  private readonly instance?: string;

  constructor(
    readonly endpoint: VaporEndpoint,
    options: VaporClientOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.instance = options.instance;
  }

  async request<T extends z.ZodType>(
    method: string,
    path: string,
    schema: T,
    options: { body?: unknown; headers?: Record<string, string>; expect?: number[] } = {},
  ): Promise<{ data: z.output<T>; status: number; headers: Record<string, string | string[] | undefined> }> {
    const url = new URL(`${this.endpoint.baseUrl.replace(/\/$/, '')}${path}`);
    const agent = await pinnedAgent(url.toString(), this.endpoint.fingerprint);
    const payload = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body));
    const response = await new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }>(
      (resolve, reject) => {
        const req = httpsRequest(
          url,
          {
            method,
            agent,
            headers: {
              Authorization: `Bearer ${this.endpoint.token}`,
              Accept: 'application/json',
              ...(payload ? { 'Content-Type': 'application/json', 'Content-Length': String(payload.length) } : {}),
              ...options.headers,
            },
            timeout: this.timeoutMs,
          },
          (res) => {
            const chunks: Buffer[] = [];
            let size = 0;
            res.on('data', (chunk: Buffer) => {
              size += chunk.length;
              if (size > 64 * 1024 * 1024) req.destroy(new VaporProtocolError(`Answer from ${url.host} exceeds 64 MiB`));
              else chunks.push(chunk);
            });
            res.on('end', () =>
              resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }),
            );
            res.on('error', reject);
          },
        );
        req.on('timeout', () =>
          req.destroy(new Error(`${method} ${url.pathname} on ${url.host} did not answer within ${this.timeoutMs} ms`)),
        );
        req.on('error', reject);
        req.end(payload);
      },
    );
    let json: unknown;
    if (response.text) {
      try {
        json = JSON.parse(response.text);
      } catch {
        throw new VaporProtocolError(
          `${method} ${url.pathname} on ${url.host} answered ${response.status} with a body that is not JSON`,
        );
      }
    }
    if (response.status >= 400) {
      // Its explanation is passed on only when it is clean text (it ends up in logs and the database).
      const error = parseContract(ErrorResponse, json);
      throw new VaporRequestError(
        response.status,
        error.success ? error.data : undefined,
        error.success ? error.data.message : `${method} ${url.pathname} on ${url.host} answered ${response.status}`,
      );
    }
    const parsed = parseContract(schema, json);
    if (!parsed.success) {
      const issue = parsed.issues[0];
      throw new VaporProtocolError(
        `${method} ${url.pathname} on ${url.host} answered a body that breaks the Vapor API contract (${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'})`,
      );
    }
    return { data: parsed.data, status: response.status, headers: response.headers };
  }

  /**
   * Calls one declared route of the Vapor API (libs/contracts/src/vapor/routes.ts): its method and
   * path from the declaration, its answer checked against the declared response.
   */
  async call<R extends VaporRoute>(
    route: R,
    input: {
      params?: VaporParams<R>;
      query?: Record<string, string | number | boolean | undefined>;
      /** What the route's body schema accepts (defaults may be left out: the agent fills them). */
      body?: VaporBodyInput<R> | VaporBody<R>;
      headers?: Record<string, string>;
    } = {},
  ): Promise<VaporResponse<R>> {
    const path = fillPath(route.path, (input.params ?? {}) as Record<string, string>);
    const query = new URLSearchParams(
      Object.entries(input.query ?? {}).flatMap(([key, value]): [string, string][] =>
        value === undefined ? [] : [[key, String(value)]],
      ),
    );
    const url = query.size ? `${path}?${query.toString()}` : path;
    const answer = await this.request(route.method.toUpperCase(), url, route.response, {
      body: input.body,
      headers: input.headers,
    });
    return answer.data as VaporResponse<R>;
  }

  /** The cheapest liveness check: answers without touching the hypervisor. */
  async ping(): Promise<VaporPing> {
    return this.call(r.ping);
  }

  host(): Promise<HostInfo> {
    return this.call(r.host);
  }

  listVms(): Promise<Vm[]> {
    return this.call(r.listVms);
  }

  getVm(vmId: string): Promise<Vm> {
    return this.call(r.getVm, { params: { vmId } });
  }

  createVm(spec: VmCreate): Promise<Vm> {
    return this.call(r.createVm, { body: spec as VaporBody<typeof r.createVm> });
  }

  updateVm(vmId: string, update: VmUpdate, generation?: number): Promise<Vm> {
    return this.call(r.updateVm, {
      params: { vmId },
      body: update as VaporBody<typeof r.updateVm>,
      headers: ifMatch(generation),
    });
  }

  async deleteVm(vmId: string, options: { keepDisks?: boolean; generation?: number } = {}): Promise<void> {
    await this.call(r.deleteVm, {
      params: { vmId },
      query: { keepDisks: options.keepDisks ? 'true' : 'false' },
      headers: ifMatch(options.generation),
    });
  }

  act(vmId: string, action: VmAction, generation?: number): Promise<Vm> {
    return this.call(r.actOnVm, { params: { vmId }, body: { action }, headers: ifMatch(generation) });
  }

  listSnapshots(vmId: string): Promise<VaporSnapshot[]> {
    return this.call(r.listSnapshots, { params: { vmId } });
  }

  createSnapshot(vmId: string, spec: VaporSnapshotCreate, generation?: number): Promise<VaporSnapshotCreated> {
    return this.call(r.createSnapshot, { params: { vmId }, body: spec, headers: ifMatch(generation) });
  }

  revertSnapshot(vmId: string, snapshotId: string, generation?: number): Promise<Vm> {
    return this.call(r.revertSnapshot, { params: { vmId, snapshotId }, headers: ifMatch(generation) });
  }

  deleteSnapshot(vmId: string, snapshotId: string, generation?: number): Promise<Vm> {
    return this.call(r.deleteSnapshot, { params: { vmId, snapshotId }, headers: ifMatch(generation) });
  }

  listJobs(): Promise<Job[]> {
    return this.call(r.listJobs);
  }

  getJob(jobId: string): Promise<Job> {
    return this.call(r.getJob, { params: { jobId } });
  }

  migrate(request: MigrationRequest): Promise<Job> {
    return this.call(r.migrate, { body: request as VaporBody<typeof r.migrate> });
  }

  migrateStorage(request: StorageMigrationRequest): Promise<Job> {
    return this.call(r.migrateStorage, { body: request as VaporBody<typeof r.migrateStorage> });
  }

  cancelJob(jobId: string): Promise<Job> {
    return this.call(r.cancelJob, { params: { jobId } });
  }

  /** A running migration's or storage migration's new limit in MB/s (null: unlimited), from its next step on. */
  setJobBandwidth(jobId: string, maxBandwidthMBps: number | null): Promise<Job> {
    return this.call(r.setJobBandwidth, { params: { jobId }, body: { maxBandwidthMBps } });
  }

  // Peer calls: a source agent driving this (destination) agent through a live migration.
  prepareIncoming(request: IncomingMigrationRequest): Promise<IncomingMigration> {
    return this.call(r.prepareIncoming, { body: request });
  }

  keepIncoming(incomingId: string): Promise<IncomingMigration> {
    return this.call(r.keepIncoming, { params: { incomingId } });
  }

  completeIncoming(incomingId: string, vm: Vm): Promise<Vm> {
    return this.call(r.completeIncoming, { params: { incomingId }, body: { vm } });
  }

  async abortIncoming(incomingId: string): Promise<void> {
    await this.call(r.abortIncoming, { params: { incomingId } });
  }

  exec(request: ExecRequest): Promise<ExecResult> {
    const timeout = (request.timeoutMs ?? 10_000) + 5_000;
    const client = timeout > this.timeoutMs ? new VaporClient(this.endpoint, { timeoutMs: timeout }) : this;
    return client.call(r.exec, { body: request as VaporBody<typeof r.exec> });
  }

  /**
   * A WebSocket to one VM's console on the host (binary RFB for `vnc`, text for `serial`), over
   * the pinned connection; resolves once it is open. The host may speak first (RFB does): what it
   * says before the caller listens is kept and handed to `drain`'s listener first.
   */
  async console(vmId: string, kind: 'vnc' | 'serial'): Promise<ConsoleStream> {
    const url = new URL(
      `${this.endpoint.baseUrl.replace(/\/$/, '')}${fillPath('/v1/vms/{vmId}/console/{kind}', { vmId, kind })}`,
    );
    url.protocol = 'wss:';
    const agent = await pinnedAgent(this.endpoint.baseUrl, this.endpoint.fingerprint);
    const socket = new WebSocket(url, {
      agent,
      headers: { Authorization: `Bearer ${this.endpoint.token}` },
      handshakeTimeout: this.timeoutMs,
      maxPayload: 16 * 1024 * 1024,
      perMessageDeflate: false,
      skipUTF8Validation: true,
    });
    const early: { data: WebSocket.RawData; isBinary: boolean }[] = [];
    const keep = (data: WebSocket.RawData, isBinary: boolean) => early.push({ data, isBinary });
    socket.on('message', keep);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('unexpected-response', (_request, response) => {
        socket.terminate();
        reject(
          new VaporRequestError(
            response.statusCode ?? 502,
            undefined,
            `The host refused the ${kind} console (HTTP ${response.statusCode})`,
          ),
        );
      });
      socket.once('error', reject);
    });
    return {
      socket,
      drain: (listener) => {
        socket.off('message', keep);
        for (const message of early.splice(0)) listener(message.data, message.isBinary);
        socket.on('message', listener);
      },
    };
  }

  /**
   * Follows the host's event stream. Frames are validated: a control frame first (`resumed` or
   * `gap`), then events. A malformed frame closes the stream with an error.
   */
  async events(
    options: { since?: number; stream?: string },
    handlers: {
      onControl(control: VaporStreamControl): void;
      onEvent(event: VaporEvent): void;
      onClose(error?: Error): void;
    },
  ): Promise<{ close(): void; terminate(): void }> {
    const url = new URL(`${this.endpoint.baseUrl.replace(/\/$/, '')}/v1/events`);
    url.protocol = 'wss:';
    if (options.since !== undefined) url.searchParams.set('since', String(options.since));
    if (options.stream) url.searchParams.set('stream', options.stream);
    const agent = await pinnedAgent(this.endpoint.baseUrl, this.endpoint.fingerprint);
    const socket = new WebSocket(url, {
      agent,
      headers: {
        Authorization: `Bearer ${this.endpoint.token}`,
        ...(this.instance ? { 'X-Cockpit-Instance': this.instance } : {}),
      },
      handshakeTimeout: this.timeoutMs,
      maxPayload: 16 * 1024 * 1024,
    });
    let failure: Error | undefined;
    let sawControl = false;
    socket.on('message', (raw: Buffer) => {
      let frame: unknown;
      try {
        frame = JSON.parse(raw.toString('utf8'));
      } catch {
        failure = new VaporProtocolError(`Event stream from ${url.host} sent a frame that is not JSON`);
        socket.terminate();
        return;
      }
      if (!sawControl) {
        const control = parseContract(VaporStreamControl, frame);
        if (!control.success) {
          failure = new VaporProtocolError(`Event stream from ${url.host} did not start with a resumed/gap frame`);
          socket.terminate();
          return;
        }
        sawControl = true;
        handlers.onControl(control.data);
        return;
      }
      const event = parseContract(VaporEvent, frame);
      if (!event.success) {
        const issue = event.issues[0];
        failure = new VaporProtocolError(
          `Event stream from ${url.host} sent an event that breaks the contract (${issue?.path.join('.') || 'event'}: ${issue?.message ?? 'invalid'})`,
        );
        socket.terminate();
        return;
      }
      handlers.onEvent(event.data);
    });
    socket.on('unexpected-response', (_req, res) => {
      failure = new VaporRequestError(
        res.statusCode ?? 0,
        undefined,
        `Event stream refused by ${url.host}: HTTP ${res.statusCode ?? 0}`,
      );
      socket.terminate();
    });
    socket.on('error', (error) => (failure ??= error));
    socket.on('close', () => handlers.onClose(failure));
    // terminate(): for a peer that stopped answering, whose close handshake would never come.
    return { close: () => socket.close(), terminate: () => socket.terminate() };
  }
}
