import {
  Inject,
  Injectable,
  InternalServerErrorException,
  Logger,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { map, type Observable } from 'rxjs';
import type { AppConfig } from '@cockpit/api-config';
import type { RouteDef } from '@cockpit/contracts';
import { APP_CONFIG } from '../config/app-config.module.js';
import { ROUTE_DEF } from './route.decorator.js';
import { parseOrBadRequest } from './validation.js';

/**
 * Validates every request against its route contract before the handler runs (400 with details,
 * nothing executed), and replaces params/query/body with the parsed values so handlers get
 * coerced, defaulted data. Outside production it also checks each answer against the contract, so
 * a handler that drifts from its documented shape fails loudly in tests instead of in a client.
 */
@Injectable()
export class ContractInterceptor implements NestInterceptor {
  private readonly logger = new Logger(ContractInterceptor.name);

  constructor(
    private readonly reflector: Reflector,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const def = this.reflector.get<RouteDef | undefined>(ROUTE_DEF, context.getHandler());
    if (!def) return next.handle();
    const request = context.switchToHttp().getRequest<Request & { contract?: Record<string, unknown> }>();

    const params = def.params ? parseOrBadRequest(def.params, request.params, 'params') : undefined;
    const query = def.query ? parseOrBadRequest(def.query, request.query, 'query') : undefined;
    // Express 5 leaves req.body undefined when the request carried none.
    const body = def.body ? parseOrBadRequest(def.body, request.body, 'body') : undefined;
    // Express 5 makes req.query a getter; keep the parsed values where handlers read them.
    if (params !== undefined) request.params = params as Request['params'];
    if (query !== undefined) Object.defineProperty(request, 'query', { value: query, configurable: true, writable: true });
    if (body !== undefined) request.body = body;

    if (this.config.nodeEnv === 'production') return next.handle();
    return next.handle().pipe(
      map((value: unknown) => {
        const checked = def.response.safeParse(value);
        if (!checked.success) {
          this.logger.error({ route: def.id, issues: checked.error.issues }, 'Response does not match its contract');
          throw new InternalServerErrorException(`Response of ${def.id} does not match its contract`);
        }
        return value;
      }),
    );
  }
}
