import { Module } from '@nestjs/common';
import { TransactionalRepositories } from '@cockpit/api-core';
import { EventsModule } from '@cockpit/api-events';
import { jobEntities } from './entities/index.js';
import { JobEngine } from './job-engine.js';
import { JobsController } from './jobs.controller.js';
import { JobsService } from './jobs.service.js';

/**
 * Durable jobs on pg-boss: the one engine bulk actions, migrations, commands on hosts and
 * deployments run on. Domains register a JobHandler for their kind and submit jobs.
 */
@Module({
  imports: [TransactionalRepositories.forFeature(jobEntities), EventsModule],
  controllers: [JobsController],
  providers: [JobEngine, JobsService],
  exports: [JobEngine, JobsService],
})
export class JobsModule {}
