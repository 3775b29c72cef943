import { HttpException, Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Response } from 'express';
import { catchError, from, mergeMap, type Observable, throwError } from 'rxjs';
import type { RouteDef } from '@cockpit/contracts';
import { ROUTE_DEF, type RequestWithPrincipal } from '@cockpit/api-core';
import { AuditService } from './audit.service.js';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Routes that write their own, richer records (sign-in knows who tried before anyone is signed in). */
const SELF_AUDITED = new Set(['login', 'logout']);

export function auditActor(request: RequestWithPrincipal): {
  type: 'user' | 'token' | 'anonymous';
  id: string | null;
  name: string;
} {
  const principal = request.principal;
  if (!principal) return { type: 'anonymous', id: null, name: 'anonymous' };
  return {
    type: principal.type,
    id: principal.type === 'token' ? (principal.tokenId ?? null) : principal.userId,
    name: principal.name,
  };
}

export function requestIdOf(request: RequestWithPrincipal): string {
  return String((request as { id?: unknown }).id ?? request.headers['x-request-id'] ?? '');
}

/** One audit record per state-changing request, written before the answer leaves, success or not. */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  constructor(
    private readonly audit: AuditService,
    private readonly reflector: Reflector,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<RequestWithPrincipal>();
    const def = this.reflector.get<RouteDef | undefined>(ROUTE_DEF, context.getHandler());
    if (SAFE.has(request.method) || !def || SELF_AUDITED.has(def.id)) return next.handle();
    const write = (result: 'success' | 'failure', status: number) =>
      this.audit.record({
        actor: auditActor(request),
        sourceIp: request.ip ?? '',
        action: def.id,
        target: Object.values(request.params ?? {}).join('/') || null,
        params: { params: request.params, body: request.body as unknown },
        result,
        status,
        requestId: requestIdOf(request),
      });
    return next.handle().pipe(
      mergeMap((value) =>
        from(write('success', context.switchToHttp().getResponse<Response>().statusCode)).pipe(mergeMap(() => [value])),
      ),
      catchError((error: unknown) =>
        from(write('failure', error instanceof HttpException ? error.getStatus() : 500)).pipe(
          mergeMap(() => throwError(() => error)),
        ),
      ),
    );
  }
}
