import { Controller, Param, Query, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Route, type ParsedQuery, type RequestWithPrincipal } from '@cockpit/api-core';
import { MetricsStore } from '@cockpit/api-metrics';
import { fleetSummary, getVm, listVms, vmMetrics, type FleetSummary, type MetricsQuery } from '@cockpit/contracts';
import { FleetLists } from './fleet-lists.js';
import { FleetSummaryService } from './fleet-summary.js';
import { InventoryService } from './inventory.service.js';

/** Access is the guard's (each route's contract says on what): handlers only do the work. */
@Controller()
export class VmsController {
  constructor(
    private readonly inventory: InventoryService,
    private readonly metrics: MetricsStore,
    private readonly lists: FleetLists,
    private readonly summaries: FleetSummaryService,
  ) {}

  @Route(listVms)
  list(@Req() request: RequestWithPrincipal, @Query() query: ParsedQuery<typeof listVms>) {
    return this.lists.vmsPage(request.principal?.grants ?? [], query);
  }

  /** The generation is the VM's entity tag: send it back in If-Match on a change. */
  @Route(getVm)
  async get(@Param('vmId') vmId: string, @Res({ passthrough: true }) response: Response) {
    const vm = await this.inventory.getVm(vmId);
    response.setHeader('ETag', `"${vm.generation}"`);
    return vm;
  }

  @Route(vmMetrics)
  metricsOf(@Param('vmId') vmId: string, @Query() query: MetricsQuery) {
    return this.metrics.series('vm', vmId, query);
  }

  @Route(fleetSummary)
  summary(@Req() request: RequestWithPrincipal): Promise<FleetSummary> {
    return this.summaries.summary(request.principal?.grants ?? []);
  }
}
