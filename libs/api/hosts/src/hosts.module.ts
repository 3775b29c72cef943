import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CollectorService } from './collector.service.js';
import { DemoFleetService } from './demo-fleet.service.js';
import { ApiInstanceEntity } from './entities/api-instance.entity.js';
import { HostEntity } from './entities/host.entity.js';
import { HostsController } from './hosts.controller.js';
import { HostsService } from './hosts.service.js';

/** The host registry: enrollment with certificate pinning. The collector builds on it. */
@Module({
  imports: [TypeOrmModule.forFeature([HostEntity, ApiInstanceEntity])],
  controllers: [HostsController],
  providers: [HostsService, DemoFleetService, CollectorService],
  exports: [HostsService, CollectorService],
})
export class HostsModule {}
