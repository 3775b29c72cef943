import { Module } from '@nestjs/common';
import { TransactionalRepositories } from '@cockpit/api-core';
import { EventsModule } from '@cockpit/api-events';
import { MetricsHistoryModule } from '@cockpit/api-metrics';
import { SystemModule } from '@cockpit/api-system';
import { CollectorService } from './collector.service.js';
import { DemoFleetService } from './demo-fleet.service.js';
import { ApiInstanceEntity } from './entities/api-instance.entity.js';
import { HostEntity } from './entities/host.entity.js';
import { inventoryEntities } from './entities/inventory.entities.js';
import { VmCounts } from './vm-counts.js';
import { HostsController } from './hosts.controller.js';
import { EnrollProbe } from './enroll-probe.js';
import { FleetLists } from './fleet-lists.js';
import { FleetSummaryService } from './fleet-summary.js';
import { HostConnections } from './host-connections.js';
import { HostsService } from './hosts.service.js';
import { InventoryService } from './inventory.service.js';
import { VmsController } from './vms.controller.js';

/**
 * Hosts and what runs on them: enrollment with certificate pinning, the collector (one owning api
 * instance per host, live inventory and stats), the inventory read API and metrics history.
 */
@Module({
  imports: [
    TransactionalRepositories.forFeature([HostEntity, ApiInstanceEntity, ...inventoryEntities]),
    MetricsHistoryModule,
    SystemModule,
    EventsModule,
  ],
  controllers: [HostsController, VmsController],
  providers: [
    HostsService,
    InventoryService,
    DemoFleetService,
    CollectorService,
    EnrollProbe,
    HostConnections,
    FleetLists,
    FleetSummaryService,
    VmCounts,
  ],
  exports: [HostsService, InventoryService, CollectorService, HostConnections, FleetLists, VmCounts],
})
export class HostsModule {}
