import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR, DiscoveryModule } from '@nestjs/core';
import type { AppConfig } from '@cockpit/api-config';
import { AccessModule } from '@cockpit/api-access';
import { AuditInterceptor, AuditModule } from '@cockpit/api-audit';
import { AuthModule } from '@cockpit/api-auth';
import { AppConfigModule, ContractInterceptor, DatabaseModule, ErrorFilter, LoggingModule } from '@cockpit/api-core';
import { EventsModule } from '@cockpit/api-events';
import { HostsModule } from '@cockpit/api-hosts';
import { JobsModule } from '@cockpit/api-jobs';
import { VmsModule } from '@cockpit/api-vms';
import { MigrationsModule } from '@cockpit/api-migrations';
import { OpenApiModule } from '@cockpit/api-openapi';
import { SystemModule } from '@cockpit/api-system';
import { schema } from './schema.js';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(config),
        LoggingModule,
        DatabaseModule.forRoot(schema),
        DiscoveryModule,
        AccessModule,
        AuditModule,
        AuthModule,
        EventsModule,
        HostsModule,
        JobsModule,
        VmsModule,
        MigrationsModule,
        SystemModule,
        OpenApiModule,
      ],
      providers: [
        // Order matters: audit wraps contract validation, so a request refused as invalid is recorded too.
        { provide: APP_INTERCEPTOR, useExisting: AuditInterceptor },
        { provide: APP_INTERCEPTOR, useClass: ContractInterceptor },
        { provide: APP_FILTER, useClass: ErrorFilter },
      ],
    };
  }
}
