import {
  Catch,
  HttpException,
  HttpStatus,
  Inject,
  Logger,
  Optional,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { STATUS_CODES } from 'node:http';
import { allRoutes, type ErrorResponse, type RouteDef } from '@cockpit/contracts';
import { DomainError } from './domain-errors.js';
import { FAILED_REQUEST_RECORDER, type FailedRequestRecorder } from './failed-request.js';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Turns anything thrown while handling an HTTP request into the one error shape,
 * `{ statusCode, error, message, details? }`. Unexpected errors answer a bare 500 and are logged
 * with the request id; their text never reaches the client.
 */
@Catch()
export class ErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  constructor(@Optional() @Inject(FAILED_REQUEST_RECORDER) private readonly recorder?: FailedRequestRecorder) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const request = host.switchToHttp().getRequest<Request>();
    const response = host.switchToHttp().getResponse<Response>();
    const body = toErrorResponse(exception);
    if (body.statusCode >= 500) {
      this.logger.error({ err: exception }, body.message);
    }
    const send = () => {
      if (!response.headersSent) response.status(body.statusCode).type('application/json').json(body);
    };
    // Every refused or failed state change is audited here, once, whatever refused it (body
    // parser, guard, validation, handler), after its transaction rolled back. The recorder never
    // throws; the answer goes out either way.
    if (this.recorder && !SAFE.has(request.method)) {
      this.recorder.record(request, routeOf(request), body.statusCode).then(send, send);
      return;
    }
    send();
  }
}

const ROUTE_PATTERNS = allRoutes.map((def) => ({
  def,
  pattern: new RegExp(`^${def.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[A-Za-z0-9_]+\\?\}/g, '[^/]+')}/?$`),
}));

/**
 * The route contract a request was for, also when it failed before reaching its handler (the body
 * parser, a guard): matched on method and path, the way the router would.
 */
export function routeOf(request: Pick<Request, 'method' | 'path'>): RouteDef | undefined {
  const method = request.method.toLowerCase();
  return ROUTE_PATTERNS.find(({ def, pattern }) => def.method === method && pattern.test(request.path))?.def;
}

export function toErrorResponse(exception: unknown): ErrorResponse {
  if (exception instanceof DomainError) {
    return withDetails(
      { statusCode: exception.status, error: STATUS_CODES[exception.status] ?? 'Error', message: exception.message },
      exception.details,
    );
  }
  if (exception instanceof HttpException) {
    const statusCode = exception.getStatus();
    const raw = exception.getResponse();
    let message = exception.message;
    let details: ErrorResponse['details'];
    if (typeof raw === 'string') message = raw;
    else if (raw && typeof raw === 'object') {
      const candidate = (raw as { message?: unknown }).message;
      if (typeof candidate === 'string') message = candidate;
      else if (Array.isArray(candidate)) message = candidate.map(String).join('; ');
      const rawDetails = (raw as { details?: unknown }).details;
      if (Array.isArray(rawDetails)) details = rawDetails as ErrorResponse['details'];
    }
    // Express's body parser speaks in lower-case library terms; say it plainly.
    if (statusCode === 413) message = 'Request body is too large';
    return withDetails({ statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message }, details);
  }
  // Errors raised by Express's body parser carry a status (400 bad JSON, 413 too large, 415 ...).
  const status = (exception as { status?: unknown; type?: unknown } | undefined)?.status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const type = (exception as { type?: unknown }).type;
    const message =
      type === 'entity.parse.failed'
        ? 'Request body is not valid JSON'
        : type === 'entity.too.large'
          ? 'Request body is too large'
          : (STATUS_CODES[status] ?? 'Bad request');
    return { statusCode: status, error: STATUS_CODES[status] ?? 'Error', message };
  }
  return {
    statusCode: HttpStatus.INTERNAL_SERVER_ERROR,
    error: STATUS_CODES[500] ?? 'Internal Server Error',
    message: 'Internal server error; the api log has the details under this request id',
  };
}

function withDetails(base: ErrorResponse, details: ErrorResponse['details']): ErrorResponse {
  return details?.length ? { ...base, details } : base;
}
