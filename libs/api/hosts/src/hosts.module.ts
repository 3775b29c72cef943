import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DemoFleetService } from './demo-fleet.service.js';
import { HostEntity } from './entities/host.entity.js';
import { HostsController } from './hosts.controller.js';
import { HostsService } from './hosts.service.js';

/** The host registry: enrollment with certificate pinning. The collector builds on it. */
@Module({
  imports: [TypeOrmModule.forFeature([HostEntity])],
  controllers: [HostsController],
  providers: [HostsService, DemoFleetService],
  exports: [HostsService],
})
export class HostsModule {}
