import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { defer, from, lastValueFrom, type Observable } from 'rxjs';
import type { RouteDef } from '@cockpit/contracts';
import { ROUTE_DEF, UnitOfWork, type FailedRequestRecorder, type RequestWithPrincipal } from '@cockpit/api-core';
import { AuditService, type AuditEntry } from './audit.service.js';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);
/**
 * Routes that write their own, richer records and keep what they write on failure (sign-in knows
 * who tried before anyone is signed in, and its throttle must count refused attempts).
 */
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

/** What a request was about, for its audit record (params and body as received; the service makes them safe). */
export function auditEntryOf(
  request: RequestWithPrincipal,
  action: string,
  result: AuditEntry['result'],
  status: number,
): AuditEntry {
  return {
    actor: auditActor(request),
    sourceIp: request.ip ?? '',
    action,
    target: Object.values(request.params ?? {}).join('/') || null,
    params: { params: request.params, body: request.body as unknown },
    result,
    status,
    requestId: requestIdOf(request),
  };
}

/**
 * The unit of work of every state-changing request: the handler runs in one transaction and its
 * audit record is written in that same transaction, so the change and its record commit together
 * or not at all. When the handler (or its validation) fails, the transaction rolls back and the
 * error filter records the failure on its own (FailedRequestAudit).
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  constructor(
    private readonly audit: AuditService,
    private readonly unitOfWork: UnitOfWork,
    private readonly reflector: Reflector,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<RequestWithPrincipal>();
    const def = this.reflector.get<RouteDef | undefined>(ROUTE_DEF, context.getHandler());
    if (SAFE.has(request.method) || !def || SELF_AUDITED.has(def.id)) return next.handle();
    return defer(() =>
      from(
        this.unitOfWork.run(async () => {
          // next.handle() is called here so the handler runs inside this transaction's context.
          const value = await lastValueFrom(next.handle(), { defaultValue: undefined });
          await this.audit.record(auditEntryOf(request, def.id, 'success', def.status ?? 200));
          return value;
        }),
      ),
    );
  }
}

/**
 * The audit record of a state-changing request that was refused or failed, wherever that happened
 * (body parser, guard, validation, handler); called by the error filter once the transaction has
 * rolled back. A record that cannot be written is logged and never replaces the answer.
 */
@Injectable()
export class FailedRequestAudit implements FailedRequestRecorder {
  constructor(private readonly audit: AuditService) {}

  async record(request: Request, def: RouteDef | undefined, status: number): Promise<void> {
    // Sign-in records the refusals it decides itself (401, 429: it knows who tried); the others
    // (invalid body, cross-origin) never reached it.
    if (def?.id === 'login' && (status === 401 || status === 429)) return;
    const action = def?.id ?? `${request.method} ${request.path}`;
    const result = status === 401 || status === 403 ? 'denied' : 'failure';
    await this.audit.recordSafely(auditEntryOf(request as RequestWithPrincipal, action, result, status));
  }
}
