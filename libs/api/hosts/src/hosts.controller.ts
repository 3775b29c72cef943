import { Body, Controller, Param, Query, Req } from '@nestjs/common';
import { Route, type ParsedQuery, type RequestWithPrincipal } from '@cockpit/api-core';
import { MetricsStore } from '@cockpit/api-metrics';
import {
  collectorOwnership,
  enrollHost,
  getHost,
  hostMetrics,
  listHosts,
  removeHost,
  trustHost,
  updateHost,
  type MetricsQuery,
} from '@cockpit/contracts';
import { CollectorService } from './collector.service.js';
import { FleetLists } from './fleet-lists.js';
import { HostsService } from './hosts.service.js';

/** Access is the guard's (each route's contract says on what): handlers only do the work. */
@Controller()
export class HostsController {
  constructor(
    private readonly hosts: HostsService,
    private readonly metrics: MetricsStore,
    private readonly collector: CollectorService,
    private readonly lists: FleetLists,
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
  list(@Req() request: RequestWithPrincipal, @Query() query: ParsedQuery<typeof listHosts>) {
    return this.lists.hostsPage(request.principal?.grants ?? [], query);
  }

  @Route(getHost)
  get(@Param('hostId') hostId: string) {
    return this.hosts.detail(hostId);
  }

  @Route(hostMetrics)
  metricsOf(@Param('hostId') hostId: string, @Query() query: MetricsQuery) {
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
