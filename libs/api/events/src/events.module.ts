import { Module } from '@nestjs/common';
import { TransactionalRepositories } from '@cockpit/api-core';
import { AuditModule } from '@cockpit/api-audit';
import { AuthModule } from '@cockpit/api-auth';
import { EventEntity } from './entities/event.entity.js';
import { EventHubService } from './event-hub.service.js';
import { EventsController } from './events.controller.js';
import { EventStore } from './event-store.js';
import { EventStreamService } from './event-stream.service.js';

/** Live events for browsers (socket.io) and REST clients (SSE), across api instances. */
@Module({
  imports: [TransactionalRepositories.forFeature([EventEntity]), AuditModule, AuthModule],
  controllers: [EventsController],
  providers: [EventHubService, EventStreamService, EventStore],
  exports: [EventHubService],
})
export class EventsModule {}
