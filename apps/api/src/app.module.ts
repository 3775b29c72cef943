import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR, DiscoveryModule } from '@nestjs/core';
import type { AppConfig } from '@cockpit/api-config';
import { AuditModule } from '@cockpit/api-audit';
import { AuthModule } from '@cockpit/api-auth';
import { AppConfigModule, ContractInterceptor, DatabaseModule, ErrorFilter, LoggingModule } from '@cockpit/api-core';
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
        // Audit first: its interceptor wraps the others, so refused and failed requests are recorded too.
        AuditModule,
        AuthModule,
        SystemModule,
        OpenApiModule,
      ],
      providers: [
        { provide: APP_INTERCEPTOR, useClass: ContractInterceptor },
        { provide: APP_FILTER, useClass: ErrorFilter },
      ],
    };
  }
}
