import { z } from 'zod';
import { BootOrder, VmCpu, VmDisk, VmNic, VmPendingChanges, VmState } from '../vapor/vm.js';
import { HostState, LiveStats } from './hosts.js';
import { NameContains, pageOf, pageQuery } from './paging.js';
import { defineRoute } from './route.js';

/** A VM as Cockpit knows it (`FleetVm`; the agent's own view is `Vm`): what its host last said, plus where it runs and its latest stats. */
export const FleetVm = z
  .object({
    id: z.uuid(),
    hostId: z.uuid(),
    hostName: z.string(),
    name: z.string(),
    state: VmState,
    vcpus: z.number().int(),
    memoryMiB: z.number().int(),
    cpu: VmCpu,
    disks: z.array(VmDisk),
    nics: z.array(VmNic),
    autostart: z.boolean(),
    bootOrder: BootOrder,
    pendingChanges: VmPendingChanges,
    snapshotCount: z.number().int().nonnegative(),
    generation: z.number().int().meta({ description: 'Changes on every change; send it back in If-Match' }),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    stats: LiveStats.nullable(),
  })
  .meta({ id: 'Vm' });
export type FleetVm = z.infer<typeof FleetVm>;

export const listVms = defineRoute({
  id: 'listVms',
  method: 'get',
  path: '/api/vms',
  summary: 'VMs across the fleet (those you may view), a page at a time',
  tag: 'VMs',
  access: { permission: 'vm.view', scope: 'visible' },
  query: pageQuery(['name', 'state', 'hostName', 'createdAt'], 'name').extend({
    hostId: z.uuid().optional().meta({ description: 'Only the VMs on this host' }),
    state: VmState.optional(),
    name: NameContains.optional(),
  }),
  response: pageOf(FleetVm),
});

export const getVm = defineRoute({
  id: 'getVm',
  method: 'get',
  path: '/api/vms/{vmId}',
  summary: 'One VM',
  tag: 'VMs',
  access: { permission: 'vm.view', scope: { kind: 'vm', param: 'vmId' } },
  params: z.object({ vmId: z.uuid() }),
  response: FleetVm,
  errors: [404],
});

const count = z.number().int().nonnegative();

export const FleetSummary = z.object({
  hosts: z.object({ total: count, byState: z.partialRecord(HostState, count) }),
  vms: z.object({ total: count, byState: z.partialRecord(VmState, count) }),
  capacity: z.object({
    cpuThreads: count,
    vcpusAllocated: count,
    memoryTotalMiB: count,
    memoryUsedMiB: z.number().nonnegative(),
  }),
  topHosts: z
    .array(z.object({ id: z.uuid(), name: z.string(), cpuPercent: z.number(), memoryUsedMiB: z.number() }))
    .meta({ description: 'Busiest hosts by CPU (at most 5)' }),
  topVms: z
    .array(z.object({ id: z.uuid(), name: z.string(), hostId: z.uuid(), hostName: z.string(), cpuPercent: z.number() }))
    .meta({ description: 'Busiest VMs by CPU (at most 5)' }),
  attention: z
    .array(z.object({ id: z.uuid(), name: z.string(), state: HostState, stateReason: z.string().nullable() }))
    .meta({ description: 'Hosts that are unreachable, untrusted, in error or waiting for trust' }),
});
export type FleetSummary = z.infer<typeof FleetSummary>;

export const fleetSummary = defineRoute({
  id: 'fleetSummary',
  method: 'get',
  path: '/api/fleet/summary',
  summary: 'Counts by state, capacity, top consumers and hosts needing attention (what you may view)',
  tag: 'Hosts',
  access: { permission: 'host.view', scope: 'visible' },
  response: FleetSummary,
});

export const vmRoutes = [listVms, getVm, fleetSummary] as const;
