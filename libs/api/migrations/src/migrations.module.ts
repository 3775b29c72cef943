import { Module } from '@nestjs/common';
import { AccessModule } from '@cockpit/api-access';
import { AuthModule } from '@cockpit/api-auth';
import { TransactionalRepositories } from '@cockpit/api-core';
import { EventsModule } from '@cockpit/api-events';
import { HostsModule } from '@cockpit/api-hosts';
import { JobsModule } from '@cockpit/api-jobs';
import { migrationEntities } from './entities/migration.entity.js';
import { MigrationDriver } from './migration-driver.js';
import { MigrationStore } from './migration-store.js';
import { MigrationsController } from './migrations.controller.js';
import { MigrationsService } from './migrations.service.js';
import { PlansService } from './plans.service.js';
import { StorageMoves } from './storage-moves.js';

/**
 * Moving VMs: pre-flight checks, live / shared-nothing / offline and storage migrations as
 * durable jobs within per-host and fleet limits, evacuation and rebalancing plans.
 */
@Module({
  imports: [
    TransactionalRepositories.forFeature(migrationEntities),
    HostsModule,
    JobsModule,
    EventsModule,
    AccessModule,
    AuthModule,
  ],
  controllers: [MigrationsController],
  providers: [MigrationStore, MigrationsService, MigrationDriver, PlansService, StorageMoves],
  exports: [MigrationsService],
})
export class MigrationsModule {}
