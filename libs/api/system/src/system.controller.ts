import { Controller, Inject, Res, ServiceUnavailableException } from '@nestjs/common';
import { HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import type { Response } from 'express';
import type { AppConfig } from '@cockpit/api-config';
import { APP_CONFIG, Route } from '@cockpit/api-core';
import {
  healthLive,
  healthReady,
  prometheusMetrics,
  systemInfo,
  type HealthResponse,
  type SystemInfo,
  COCKPIT_VERSION,
} from '@cockpit/contracts';
import { MetricsService } from './metrics.service.js';
import { STARTED_AT } from './version.js';

@Controller()
export class SystemController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Route(healthLive)
  live(): HealthResponse {
    return { status: 'ok', info: {}, error: {}, details: {} };
  }

  /** 503 naming the failing check when the database does not answer within 3 s. */
  @Route(healthReady)
  async ready(): Promise<HealthResponse> {
    try {
      return (await this.health.check([() => this.db.pingCheck('database', { timeout: 3000 })])) as HealthResponse;
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      const failed = (error.getResponse() as Partial<HealthResponse>).error ?? {};
      const details = Object.entries(failed).map(([check, state]) => ({
        path: check,
        message: typeof state['message'] === 'string' ? state['message'] : state.status,
      }));
      throw new ServiceUnavailableException({
        message: `Not ready: ${details.map((d) => `${d.path} ${d.message}`).join('; ') || 'a check failed'}`,
        details,
      });
    }
  }

  @Route(systemInfo)
  info(): SystemInfo {
    return { product: 'Cockpit', version: COCKPIT_VERSION, instanceId: this.config.instanceId, startedAt: STARTED_AT };
  }

  @Route(prometheusMetrics)
  async prometheus(@Res({ passthrough: true }) response: Response): Promise<string> {
    response.type(this.metrics.registry.contentType);
    return this.metrics.registry.metrics();
  }
}
