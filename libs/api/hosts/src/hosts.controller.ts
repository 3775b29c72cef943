import { Body, Controller, NotFoundException, Param, Query, Req } from '@nestjs/common';
import { Route, type RequestWithPrincipal } from '@cockpit/api-core';
import { MetricsStore } from '@cockpit/api-metrics';
import {
  collectorOwnership,
  enrollHost,
  getHost,
  hostMetrics,
  hostScopeChain,
  isAllowed,
  listHosts,
  removeHost,
  trustHost,
  updateHost,
  type MetricsQuery,
} from '@cockpit/contracts';
import { CollectorService } from './collector.service.js';
import { HostsService } from './hosts.service.js';

/** May the caller view this host? Hosts outside their scopes answer 404, as if absent. */
export function canViewHost(request: RequestWithPrincipal, hostId: string): boolean {
  return isAllowed(request.principal?.grants ?? [], 'host.view', hostScopeChain(hostId));
}

@Controller()
export class HostsController {
  constructor(
    private readonly hosts: HostsService,
    private readonly metrics: MetricsStore,
    private readonly collector: CollectorService,
  ) {}

  @Route(collectorOwnership)
  ownership() {
    return { instanceId: this.collector.instanceId, hosts: this.collector.ownedHosts() };
  }

  @Route(enrollHost)
  async enroll(@Body() body: { url: string; token: string; fingerprint?: string }) {
    return this.hosts.summary((await this.hosts.enroll(body.url, body.token, body.fingerprint)).id);
  }

  @Route(trustHost)
  async trust(@Param('hostId') hostId: string, @Body() body: { fingerprint: string }) {
    return this.hosts.summary((await this.hosts.trust(hostId, body.fingerprint)).id);
  }

  @Route(listHosts)
  async list(@Req() request: RequestWithPrincipal) {
    return (await this.hosts.summaries()).filter((host) => canViewHost(request, host.id));
  }

  @Route(getHost)
  async get(@Req() request: RequestWithPrincipal, @Param('hostId') hostId: string) {
    if (!canViewHost(request, hostId)) throw new NotFoundException(`No host ${hostId}`);
    return this.hosts.detail(hostId);
  }

  @Route(hostMetrics)
  async metricsOf(@Req() request: RequestWithPrincipal, @Param('hostId') hostId: string, @Query() query: MetricsQuery) {
    if (!canViewHost(request, hostId)) throw new NotFoundException(`No host ${hostId}`);
    await this.hosts.get(hostId);
    return this.metrics.series('host', hostId, query);
  }

  @Route(updateHost)
  async update(@Param('hostId') hostId: string, @Body() body: { enabled?: boolean; url?: string; token?: string }) {
    return this.hosts.summary((await this.hosts.update(hostId, body)).id);
  }

  @Route(removeHost)
  async remove(@Param('hostId') hostId: string) {
    await this.hosts.remove(hostId);
    return { removed: true as const };
  }
}
