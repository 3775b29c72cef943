import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { finalize, type Observable } from 'rxjs';
import type { RouteDef } from '@cockpit/contracts';
import { ROUTE_DEF } from '@cockpit/api-core';
import { MetricsService } from './metrics.service.js';

/** Times each request under its contract's path template (bounded label values, never raw URLs). */
@Injectable()
export class HttpMetricsInterceptor implements NestInterceptor {
  constructor(
    private readonly metrics: MetricsService,
    private readonly reflector: Reflector,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const def = this.reflector.get<RouteDef | undefined>(ROUTE_DEF, context.getHandler());
    const request = context.switchToHttp().getRequest<Request>();
    const response = context.switchToHttp().getResponse<Response>();
    const stop = this.metrics.httpDuration.startTimer({ method: request.method, route: def?.path ?? 'unknown' });
    return next.handle().pipe(finalize(() => response.once('finish', () => stop({ status: String(response.statusCode) }))));
  }
}
