import { z } from 'zod';
import { VaporPing } from './agent.js';
import { ExecRequest, ExecResult } from './exec.js';
import { HostInfo } from './host.js';
import {
  IncomingMigration,
  IncomingMigrationComplete,
  IncomingMigrationRequest,
  Job,
  JobBandwidthUpdate,
  MigrationRequest,
  StorageMigrationRequest,
} from './jobs.js';
import {
  VaporSnapshot,
  VaporSnapshotCreate,
  VaporSnapshotCreated,
  Vm,
  VmAction,
  VmCreate,
  VmDeleteQuery,
  VmUpdate,
} from './vm.js';

/**
 * One HTTP route of the Vapor agent's API, declared once: the agent registers its handler from it
 * (and validates params, query and body against it), and VaporClient calls it (and validates the
 * answer against it). Paths are relative to a host's base URL (`/hosts/<uuid>` in a fleet).
 */
export interface VaporRoute<
  TParams extends z.ZodType = z.ZodType,
  TQuery extends z.ZodType = z.ZodType,
  TBody extends z.ZodType = z.ZodType,
  TResponse extends z.ZodType = z.ZodType,
> {
  id: string;
  method: 'get' | 'post' | 'patch' | 'delete';
  /** `/v1/vms/{vmId}` */
  path: string;
  /** Answers without the bearer token (only ping). */
  public?: boolean;
  params?: TParams;
  query?: TQuery;
  body?: TBody;
  response: TResponse;
  /** Success status; 200 unless said. */
  status?: number;
}

export function defineVaporRoute<
  TParams extends z.ZodType = z.ZodUndefined,
  TQuery extends z.ZodType = z.ZodUndefined,
  TBody extends z.ZodType = z.ZodUndefined,
  TResponse extends z.ZodType = z.ZodType,
>(route: VaporRoute<TParams, TQuery, TBody, TResponse>): VaporRoute<TParams, TQuery, TBody, TResponse> {
  return route;
}

export const VmParams = z.object({ vmId: z.uuid() });
export const SnapshotParams = z.object({ vmId: z.uuid(), snapshotId: z.uuid() });
export const JobParams = z.object({ jobId: z.uuid() });
export const IncomingParams = z.object({ incomingId: z.uuid() });
const NoContent = z.undefined();

export const vaporRoutes = {
  ping: defineVaporRoute({
    id: 'ping',
    method: 'get',
    path: '/v1/ping',
    public: true,
    response: VaporPing.extend({ hostUuid: z.uuid() }),
  }),
  host: defineVaporRoute({ id: 'host', method: 'get', path: '/v1/host', response: HostInfo }),
  listVms: defineVaporRoute({ id: 'listVms', method: 'get', path: '/v1/vms', response: z.array(Vm).max(100_000) }),
  createVm: defineVaporRoute({ id: 'createVm', method: 'post', path: '/v1/vms', body: VmCreate, response: Vm, status: 201 }),
  getVm: defineVaporRoute({ id: 'getVm', method: 'get', path: '/v1/vms/{vmId}', params: VmParams, response: Vm }),
  updateVm: defineVaporRoute({
    id: 'updateVm',
    method: 'patch',
    path: '/v1/vms/{vmId}',
    params: VmParams,
    body: VmUpdate,
    response: Vm,
  }),
  deleteVm: defineVaporRoute({
    id: 'deleteVm',
    method: 'delete',
    path: '/v1/vms/{vmId}',
    params: VmParams,
    query: VmDeleteQuery,
    response: NoContent,
    status: 204,
  }),
  /** If-Match (the VM's generation) is honoured: 412 when the VM changed meanwhile. */
  actOnVm: defineVaporRoute({
    id: 'actOnVm',
    method: 'post',
    path: '/v1/vms/{vmId}/actions',
    params: VmParams,
    body: z.object({ action: VmAction }),
    response: Vm,
  }),
  listSnapshots: defineVaporRoute({
    id: 'listSnapshots',
    method: 'get',
    path: '/v1/vms/{vmId}/snapshots',
    params: VmParams,
    response: z.array(VaporSnapshot).max(10_000),
  }),
  /** Takes a snapshot; the VM's generation changes (If-Match honoured) and a vm.updated event follows. */
  createSnapshot: defineVaporRoute({
    id: 'createSnapshot',
    method: 'post',
    path: '/v1/vms/{vmId}/snapshots',
    params: VmParams,
    body: VaporSnapshotCreate,
    response: VaporSnapshotCreated,
    status: 201,
  }),
  /** Restores the snapshot's definition and disks; a memory snapshot also its running/paused state. Answers the VM. */
  revertSnapshot: defineVaporRoute({
    id: 'revertSnapshot',
    method: 'post',
    path: '/v1/vms/{vmId}/snapshots/{snapshotId}/revert',
    params: SnapshotParams,
    response: Vm,
  }),
  /** Deletes one snapshot (its children move up to its parent). Answers the VM (new generation). */
  deleteSnapshot: defineVaporRoute({
    id: 'deleteSnapshot',
    method: 'delete',
    path: '/v1/vms/{vmId}/snapshots/{snapshotId}',
    params: SnapshotParams,
    response: Vm,
  }),
  listJobs: defineVaporRoute({ id: 'listJobs', method: 'get', path: '/v1/jobs', response: z.array(Job).max(100_000) }),
  getJob: defineVaporRoute({ id: 'getJob', method: 'get', path: '/v1/jobs/{jobId}', params: JobParams, response: Job }),
  /**
   * A running migration or storage migration copies at the new limit from its next step on; 409
   * once it has finished (or, a migration, once it is switching over), 404 for an unknown job.
   */
  setJobBandwidth: defineVaporRoute({
    id: 'setJobBandwidth',
    method: 'patch',
    path: '/v1/jobs/{jobId}',
    params: JobParams,
    body: JobBandwidthUpdate,
    response: Job,
  }),
  migrate: defineVaporRoute({
    id: 'migrate',
    method: 'post',
    path: '/v1/jobs/migrations',
    body: MigrationRequest,
    response: Job,
    status: 202,
  }),
  migrateStorage: defineVaporRoute({
    id: 'migrateStorage',
    method: 'post',
    path: '/v1/jobs/storage-migrations',
    body: StorageMigrationRequest,
    response: Job,
    status: 202,
  }),
  cancelJob: defineVaporRoute({
    id: 'cancelJob',
    method: 'post',
    path: '/v1/jobs/{jobId}/cancel',
    params: JobParams,
    response: Job,
  }),
  prepareIncoming: defineVaporRoute({
    id: 'prepareIncoming',
    method: 'post',
    path: '/v1/peer/incoming-migrations',
    body: IncomingMigrationRequest,
    response: IncomingMigration,
    status: 201,
  }),
  keepIncoming: defineVaporRoute({
    id: 'keepIncoming',
    method: 'post',
    path: '/v1/peer/incoming-migrations/{incomingId}/keepalive',
    params: IncomingParams,
    response: IncomingMigration,
  }),
  completeIncoming: defineVaporRoute({
    id: 'completeIncoming',
    method: 'post',
    path: '/v1/peer/incoming-migrations/{incomingId}/complete',
    params: IncomingParams,
    body: IncomingMigrationComplete,
    response: Vm,
  }),
  abortIncoming: defineVaporRoute({
    id: 'abortIncoming',
    method: 'delete',
    path: '/v1/peer/incoming-migrations/{incomingId}',
    params: IncomingParams,
    response: NoContent,
    status: 204,
  }),
  exec: defineVaporRoute({ id: 'exec', method: 'post', path: '/v1/exec', body: ExecRequest, response: ExecResult }),
} as const;

/** `/v1/vms/{vmId}` → `/v1/vms/:vmId` (Fastify's syntax). */
export function toFastifyPath(path: string): string {
  return path.replace(/\{([A-Za-z0-9_]+)\}/g, ':$1');
}

export type VaporParams<R> = R extends VaporRoute<infer P, z.ZodType, z.ZodType, z.ZodType> ? z.output<P> : never;
export type VaporQuery<R> = R extends VaporRoute<z.ZodType, infer Q, z.ZodType, z.ZodType> ? z.output<Q> : never;
export type VaporBody<R> = R extends VaporRoute<z.ZodType, z.ZodType, infer B, z.ZodType> ? z.output<B> : never;
/** What a caller may send: the body before the agent fills its defaults. */
export type VaporBodyInput<R> = R extends VaporRoute<z.ZodType, z.ZodType, infer B, z.ZodType> ? z.input<B> : never;
export type VaporResponse<R> = R extends VaporRoute<z.ZodType, z.ZodType, z.ZodType, infer T> ? z.output<T> : never;
