import { Module } from '@nestjs/common';
import { HostsModule } from '@cockpit/api-hosts';
import { JobsModule } from '@cockpit/api-jobs';
import { BulkVmActions } from './bulk-actions.js';
import { VmActionsController } from './vm-actions.controller.js';
import { VmsService } from './vms.service.js';

/** A VM's lifecycle across the fleet: create and place, edit, act, delete, snapshots, bulk actions as jobs. */
@Module({
  imports: [HostsModule, JobsModule],
  controllers: [VmActionsController],
  providers: [VmsService, BulkVmActions],
  exports: [VmsService],
})
export class VmsModule {}
