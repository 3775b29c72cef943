import type { FastifyReply, FastifyRequest } from 'fastify';
import { timingSafeEqual } from 'node:crypto';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route answers without the bearer token (ping only). */
    public?: boolean;
  }
}

const UNAUTHORIZED = { statusCode: 401, error: 'Unauthorized', message: 'Missing or wrong bearer token' } as const;

export function tokenMatches(header: string | undefined, token: Buffer): boolean {
  const given = Buffer.from(/^Bearer (.+)$/.exec(header ?? '')?.[1] ?? '');
  return given.length === token.length && timingSafeEqual(given, token);
}

/**
 * The bearer-token check of every route (event and console WebSockets included). A route is
 * exempt only when its own declaration says `config: { public: true }`: what the URL looks like
 * (`?/v1/ping`, `#`, encodings) never matters, since Fastify has already picked the route.
 */
export function requireToken(token: Buffer) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (request.routeOptions.config.public === true) return;
    if (!tokenMatches(request.headers.authorization, token)) await reply.code(401).send(UNAUTHORIZED);
  };
}

/**
 * No route: to a caller without the token, the same 401 as any route (whether a path exists is
 * nobody else's business, and the path is not echoed); with it, a 404 naming what was asked.
 */
export function notFound(token: Buffer) {
  return (request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    if (!tokenMatches(request.headers.authorization, token)) return reply.code(401).send(UNAUTHORIZED);
    return reply.code(404).send({
      statusCode: 404,
      error: 'Not Found',
      message: `No route ${request.method} ${request.url.split('?')[0] ?? ''}`.slice(0, 300),
    });
  };
}
