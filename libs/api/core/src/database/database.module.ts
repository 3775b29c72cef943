import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { DataSourceOptions } from 'typeorm';
import type { AppConfig } from '@cockpit/api-config';
import { APP_CONFIG } from '../config/app-config.module.js';
import { UnitOfWorkModule } from './unit-of-work.js';

export type SchemaDefinition = Pick<DataSourceOptions, 'entities' | 'migrations'>;

/** TypeORM options shared by the api, the migration generator and the schema drift check. */
export function dataSourceOptions(url: string, schema: SchemaDefinition, applicationName = 'cockpit-api'): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    applicationName,
    entities: schema.entities ?? [],
    migrations: schema.migrations ?? [],
    migrationsTableName: 'typeorm_migrations',
    // gen_random_uuid() is built into PostgreSQL 13+; no extension to install.
    uuidExtension: 'pgcrypto',
    installExtensions: false,
    // Never: the schema changes only through reviewed migrations.
    synchronize: false,
    migrationsRun: false,
    extra: { max: 20, connectionTimeoutMillis: 5000, keepAlive: true },
  };
}

@Module({})
export class DatabaseModule {
  static forRoot(schema: SchemaDefinition): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          inject: [APP_CONFIG],
          useFactory: (config: AppConfig) => {
            if (!config.databaseUrl) throw new Error('DATABASE_URL is not set');
            // Reachability was checked before boot; a short retry covers a database that blips.
            return {
              ...dataSourceOptions(config.databaseUrl, schema, `cockpit-api ${config.instanceId}`),
              retryAttempts: 2,
              retryDelay: 1000,
            };
          },
        }),
        UnitOfWorkModule,
      ],
    };
  }
}
