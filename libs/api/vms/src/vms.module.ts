import { Module } from '@nestjs/common';
import { AccessModule } from '@cockpit/api-access';
import { AuditModule } from '@cockpit/api-audit';
import { AuthModule } from '@cockpit/api-auth';
import { TransactionalRepositories } from '@cockpit/api-core';
import { HostsModule } from '@cockpit/api-hosts';
import { JobsModule } from '@cockpit/api-jobs';
import { BulkVmActions } from './bulk-actions.js';
import { ConsoleProxy } from './consoles/console-proxy.js';
import { ConsoleTicketEntity } from './consoles/console-ticket.entity.js';
import { ConsoleTickets } from './consoles/console-tickets.service.js';
import { ConsolesController } from './consoles/consoles.controller.js';
import { VmActionsController } from './vm-actions.controller.js';
import { VmsService } from './vms.service.js';

export const vmEntities = [ConsoleTicketEntity];

/**
 * A VM's lifecycle across the fleet: create and place, edit, act, delete, snapshots, bulk actions
 * as jobs, and its consoles in the browser (tickets and the WebSocket proxy to its host).
 */
@Module({
  imports: [TransactionalRepositories.forFeature(vmEntities), HostsModule, JobsModule, AccessModule, AuditModule, AuthModule],
  controllers: [VmActionsController, ConsolesController],
  providers: [VmsService, BulkVmActions, ConsoleTickets, ConsoleProxy],
  exports: [VmsService],
})
export class VmsModule {}
