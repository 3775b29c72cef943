import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { AppConfig } from '@cockpit/api-config';
import { APP_CONFIG } from '@cockpit/api-core';
import { GrantsService } from './grants.service.js';
import { UsersService } from './users.service.js';

/** Set when this start created the first admin with a generated password (printed once). */
export interface CreatedAdmin {
  username: string;
  password: string;
}

/**
 * On the very first start (no users at all) creates `admin` with the Administrator role on `/`,
 * its password from COCKPIT_ADMIN_PASSWORD or generated. Instances starting together create it once.
 */
@Injectable()
export class AdminBootstrapService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Auth');
  created?: CreatedAdmin;

  constructor(
    private readonly dataSource: DataSource,
    private readonly users: UsersService,
    private readonly grants: GrantsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      // Serialises concurrent first starts; released at commit.
      await manager.query('SELECT pg_advisory_xact_lock(7140241002)');
      const [{ count }] = (await manager.query('SELECT count(*)::int AS count FROM users')) as [{ count: number }];
      if (count > 0) return;
      const password = this.config.adminPassword ?? randomBytes(18).toString('base64url');
      const admin = await this.users.create('admin', password, 'Administrator');
      await this.grants.bind(admin.id, 'Administrator', '/');
      if (!this.config.adminPassword) this.created = { username: 'admin', password };
      this.logger.warn(
        `Created the first administrator "admin"${this.config.adminPassword ? ' with COCKPIT_ADMIN_PASSWORD' : ''}`,
      );
    });
  }
}
