import { Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { HttpMetricsInterceptor } from './http-metrics.interceptor.js';
import { MetricsService } from './metrics.service.js';
import { SystemController } from './system.controller.js';

/** Liveness/readiness probes, /api/info and Prometheus metrics. */
@Module({
  imports: [TerminusModule.forRoot({ errorLogStyle: 'json', gracefulShutdownTimeoutMs: 0 })],
  controllers: [SystemController],
  providers: [MetricsService, { provide: APP_INTERCEPTOR, useClass: HttpMetricsInterceptor }],
  exports: [MetricsService],
})
export class SystemModule {}
