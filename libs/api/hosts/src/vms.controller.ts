import { Body, Controller, ForbiddenException, NotFoundException, Param, Query, Req } from '@nestjs/common';
import { Route, type RequestWithPrincipal } from '@cockpit/api-core';
import { MetricsStore } from '@cockpit/api-metrics';
import {
  actOnVm,
  fleetSummary,
  getVm,
  isAllowed,
  listVms,
  vmMetrics,
  vmScopeChain,
  type FleetSummary,
  type FleetVm,
  type MetricsQuery,
  type VmAction,
  type VmState,
} from '@cockpit/contracts';
import { canViewHost } from './hosts.controller.js';
import { HostsService } from './hosts.service.js';
import { InventoryService } from './inventory.service.js';

function canViewVm(request: RequestWithPrincipal, vm: Pick<FleetVm, 'id' | 'hostId'>): boolean {
  return isAllowed(request.principal?.grants ?? [], 'vm.view', vmScopeChain(vm.id, vm.hostId));
}

const ATTENTION = new Set(['unreachable', 'untrusted', 'error', 'pending-trust']);

@Controller()
export class VmsController {
  constructor(
    private readonly inventory: InventoryService,
    private readonly hosts: HostsService,
    private readonly metrics: MetricsStore,
  ) {}

  @Route(listVms)
  async list(@Req() request: RequestWithPrincipal, @Query() query: { hostId?: string; state?: VmState }) {
    return (await this.inventory.listVms(query)).filter((vm) => canViewVm(request, vm));
  }

  @Route(getVm)
  async get(@Req() request: RequestWithPrincipal, @Param('vmId') vmId: string) {
    const vm = await this.inventory.getVm(vmId);
    if (!canViewVm(request, vm)) throw new NotFoundException(`No VM ${vmId}`);
    return vm;
  }

  @Route(actOnVm)
  async act(@Req() request: RequestWithPrincipal, @Param('vmId') vmId: string, @Body() body: { action: VmAction }) {
    const vm = await this.inventory.getVm(vmId);
    if (!canViewVm(request, vm)) throw new NotFoundException(`No VM ${vmId}`);
    if (!isAllowed(request.principal?.grants ?? [], 'vm.power', vmScopeChain(vm.id, vm.hostId)))
      throw new ForbiddenException(`You need the vm.power permission on ${vm.name}`);
    const answer = await this.hosts.actOnVm(vm.hostId, vmId, body.action);
    return { vmId, state: answer.state };
  }

  @Route(vmMetrics)
  async metricsOf(@Req() request: RequestWithPrincipal, @Param('vmId') vmId: string, @Query() query: MetricsQuery) {
    const vm = await this.inventory.getVm(vmId);
    if (!canViewVm(request, vm)) throw new NotFoundException(`No VM ${vmId}`);
    return this.metrics.series('vm', vmId, query);
  }

  @Route(fleetSummary)
  async summary(@Req() request: RequestWithPrincipal): Promise<FleetSummary> {
    const hosts = (await this.hosts.summaries()).filter((host) => canViewHost(request, host.id));
    const vms = (await this.inventory.listVms()).filter((vm) => canViewVm(request, vm));
    const count = <T extends string>(values: T[]) => {
      const counts: Partial<Record<T, number>> = {};
      for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
      return counts;
    };
    return {
      hosts: { total: hosts.length, byState: count(hosts.map((h) => h.state)) },
      vms: { total: vms.length, byState: count(vms.map((v) => v.state)) },
      capacity: {
        cpuThreads: hosts.reduce((sum, h) => sum + (h.cpuThreads ?? 0), 0),
        vcpusAllocated: vms.filter((v) => v.state !== 'shutoff').reduce((sum, v) => sum + v.vcpus, 0),
        memoryTotalMiB: hosts.reduce((sum, h) => sum + (h.memoryTotalMiB ?? 0), 0),
        memoryUsedMiB: Math.round(hosts.reduce((sum, h) => sum + (h.stats?.memoryUsedMiB ?? 0), 0)),
      },
      topHosts: hosts
        .filter((h) => h.stats && h.state === 'connected')
        .sort((a, b) => (b.stats?.cpuPercent ?? 0) - (a.stats?.cpuPercent ?? 0))
        .slice(0, 5)
        .map((h) => ({
          id: h.id,
          name: h.name,
          cpuPercent: h.stats?.cpuPercent ?? 0,
          memoryUsedMiB: h.stats?.memoryUsedMiB ?? 0,
        })),
      topVms: vms
        .filter((v) => v.stats && v.state === 'running')
        .sort((a, b) => (b.stats?.cpuPercent ?? 0) - (a.stats?.cpuPercent ?? 0))
        .slice(0, 5)
        .map((v) => ({ id: v.id, name: v.name, hostId: v.hostId, hostName: v.hostName, cpuPercent: v.stats?.cpuPercent ?? 0 })),
      attention: hosts
        .filter((h) => ATTENTION.has(h.state))
        .map((h) => ({ id: h.id, name: h.name, state: h.state, stateReason: h.stateReason })),
    };
  }
}
