import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { parseContract, type ErrorResponse } from '@cockpit/contracts';
import { DriverError } from '@cockpit/vapor-driver';

export class BadRequest extends Error {
  constructor(readonly details: { path: string; message: string }[]) {
    super(`Invalid request: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`);
  }
}

/**
 * Parses a request part (`where`: body, params, query) with parseContract: besides the schema,
 * NUL and lone surrogates are refused anywhere in it, keys included. A 400 names every field.
 */
export function parse<T extends z.ZodType>(schema: T, value: unknown, where: string): z.output<T> {
  const result = parseContract(schema, value);
  if (result.success) return result.data;
  throw new BadRequest(
    result.issues.map((issue) => ({ path: [where, ...issue.path.map(String)].join('.'), message: issue.message })),
  );
}

/** `If-Match: "7"` → 7; absent → undefined; anything else is a 400. */
export function ifMatch(request: FastifyRequest): number | undefined {
  const header = request.headers['if-match'];
  if (header === undefined) return undefined;
  const match = /^"?(\d+)"?$/.exec(String(header).trim());
  if (!match) throw new BadRequest([{ path: 'headers.if-match', message: 'expected the VM generation, e.g. "7"' }]);
  return Number(match[1]);
}

const reasons: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  507: 'Insufficient Storage',
};

export function statusText(status: number): string {
  return reasons[status] ?? 'Error';
}

/** Every refusal in the api's error shape `{ statusCode, error, message, details? }`. */
export function errorHandler(
  error: Error & { statusCode?: number; validation?: unknown },
  _request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  const send = (statusCode: number, message: string, details?: ErrorResponse['details']) =>
    reply.code(statusCode).send({ statusCode, error: statusText(statusCode), message, ...(details ? { details } : {}) });
  if (error instanceof BadRequest) return send(400, error.message, error.details);
  if (error instanceof DriverError) return send(error.status, error.message);
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
    return send(
      error.statusCode,
      error.statusCode === 400 && /JSON/i.test(error.message) ? 'Request body is not valid JSON' : error.message,
    );
  }
  process.stderr.write(`vapor: unexpected error: ${error.stack ?? error.message}\n`);
  return send(500, 'Internal error in the agent');
}
