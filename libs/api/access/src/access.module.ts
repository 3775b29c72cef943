import { Global, Module } from '@nestjs/common';
import { AccessChanges } from './access-changes.js';
import { AccessService } from './access.service.js';

/** Access in one place; global so the guard, the event hub and every domain share one registry. */
@Global()
@Module({ providers: [AccessService, AccessChanges], exports: [AccessService, AccessChanges] })
export class AccessModule {}
