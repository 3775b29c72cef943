import { z } from 'zod';
import { CpuInfo, NumaNode, Network, StoragePool } from '../vapor/host.js';
import { PeerRef } from '../vapor/jobs.js';
import { NameContains, pageOf, pageQuery } from './paging.js';
import { defineRoute } from './route.js';

export const HostState = z.enum(['pending-trust', 'connected', 'unreachable', 'untrusted', 'error', 'disabled']);
export type HostState = z.infer<typeof HostState>;

/** The latest sample of a host or VM, as the Hosts and VMs lists show it. */
export const LiveStats = z.object({
  cpuPercent: z.number(),
  memoryUsedMiB: z.number(),
  at: z.iso.datetime(),
});
export type LiveStats = z.infer<typeof LiveStats>;

export const Host = z
  .object({
    id: z.uuid(),
    url: z.string(),
    name: z.string(),
    state: HostState,
    stateReason: z.string().nullable(),
    fingerprint: z.string().meta({ description: 'SHA-256 of the pinned certificate (or, pending trust, of the presented one)' }),
    enabled: z.boolean(),
    hostUuid: z.uuid().nullable(),
    agentVersion: z.string().nullable(),
    cpuModel: z.string().nullable(),
    cpuThreads: z.number().int().nullable(),
    memoryTotalMiB: z.number().int().nullable(),
    stats: LiveStats.nullable().meta({ description: 'The latest stats sample (null until the first one)' }),
    vmCount: z.number().int().nonnegative(),
    vmsRunning: z.number().int().nonnegative(),
    ownerInstance: z.string().nullable().meta({ description: 'The api instance collecting from this host' }),
    lastSeenAt: z.iso.datetime().nullable(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'Host' });
export type Host = z.infer<typeof Host>;

export const HostHardware = z.object({
  cpu: CpuInfo,
  memory: z.object({ totalMiB: z.number().int(), freeMiB: z.number().int() }),
  numa: z.array(NumaNode),
  hypervisor: z.object({ name: z.string(), version: z.string(), driver: z.string() }),
  bootedAt: z.iso.datetime(),
});
export type HostHardware = z.infer<typeof HostHardware>;

export const HostDetail = Host.extend({
  hardware: HostHardware.nullable(),
  pools: z.array(StoragePool),
  networks: z.array(Network),
}).meta({ id: 'HostDetail' });
export type HostDetail = z.infer<typeof HostDetail>;

const HostParams = z.object({ hostId: z.uuid() });

export const enrollHost = defineRoute({
  id: 'enrollHost',
  method: 'post',
  path: '/api/hosts',
  summary: 'Enroll a Vapor host by URL and token',
  description:
    'Without `fingerprint`, Cockpit reads the certificate the host presents and answers the host in state `pending-trust` with that fingerprint: confirm it with POST /api/hosts/{hostId}/trust. With a `fingerprint` that matches, the host is pinned and connected at once; one that does not match is refused. There is no way to accept any certificate.',
  tag: 'Hosts',
  access: { permission: 'host.manage' },
  body: z.object({
    url: PeerRef.shape.url,
    token: z.string().min(16).max(512),
    fingerprint: PeerRef.shape.fingerprint.optional(),
  }),
  status: 201,
  response: Host,
  errors: [409, 422],
});

export const trustHost = defineRoute({
  id: 'trustHost',
  method: 'post',
  path: '/api/hosts/{hostId}/trust',
  summary: 'Pin the certificate fingerprint shown at enrollment (or after a change) and connect',
  tag: 'Hosts',
  access: { permission: 'host.manage', scope: { kind: 'host', param: 'hostId' } },
  params: HostParams,
  body: z.object({ fingerprint: PeerRef.shape.fingerprint }),
  response: Host,
  errors: [404, 409, 422],
});

export const listHosts = defineRoute({
  id: 'listHosts',
  method: 'get',
  path: '/api/hosts',
  summary: 'Enrolled hosts (those you may view), a page at a time',
  tag: 'Hosts',
  access: { permission: 'host.view', scope: 'visible' },
  query: pageQuery(['name', 'state', 'createdAt'], 'name').extend({
    name: NameContains.optional(),
    state: HostState.optional(),
  }),
  response: pageOf(Host),
});

export const getHost = defineRoute({
  id: 'getHost',
  method: 'get',
  path: '/api/hosts/{hostId}',
  summary: 'One host with its hardware, pools and bridges',
  tag: 'Hosts',
  access: { permission: 'host.view', scope: { kind: 'host', param: 'hostId' } },
  params: HostParams,
  response: HostDetail,
  errors: [404],
});

export const updateHost = defineRoute({
  id: 'updateHost',
  method: 'patch',
  path: '/api/hosts/{hostId}',
  summary: 'Edit a host: enable or disable collecting (history is kept), or give it a new URL or agent token',
  description:
    'A new URL must present the pinned certificate (otherwise 409: enroll it as a new host); a new URL or token must work (422 with the reason otherwise). Nothing changes unless everything asked for works.',
  tag: 'Hosts',
  access: { permission: 'host.manage', scope: { kind: 'host', param: 'hostId' } },
  params: HostParams,
  body: z
    .object({
      enabled: z.boolean().optional(),
      url: PeerRef.shape.url.optional(),
      token: z.string().min(16).max(512).optional(),
    })
    .refine((body) => Object.values(body).some((value) => value !== undefined), 'give at least one of enabled, url, token'),
  response: Host,
  errors: [404, 409, 422],
});

export const removeHost = defineRoute({
  id: 'removeHost',
  method: 'delete',
  path: '/api/hosts/{hostId}',
  summary: 'Remove a host from Cockpit',
  tag: 'Hosts',
  access: { permission: 'host.manage', scope: { kind: 'host', param: 'hostId' } },
  params: HostParams,
  response: z.object({ removed: z.literal(true) }),
  errors: [404],
});

export const collectorOwnership = defineRoute({
  id: 'collectorOwnership',
  method: 'get',
  path: '/api/collector/ownership',
  summary: 'The hosts the answering api instance collects from, as it sees them itself',
  description:
    'Each api instance answers for itself (ask each instance directly to compare): its id and the ids of the hosts whose ownership lock it holds.',
  tag: 'Hosts',
  access: { permission: 'host.manage' },
  response: z.object({
    instanceId: z.string(),
    hosts: z.array(z.uuid()),
  }),
});

export const hostRoutes = [enrollHost, trustHost, listHosts, getHost, updateHost, removeHost, collectorOwnership] as const;
