import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { toFastifyPath, type VaporBody, type VaporParams, type VaporQuery, type VaporRoute } from '@cockpit/contracts';
import { parse } from './agent-http.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The id of the declared Vapor route (vaporRoutes), for fault injection aimed at one route. */
    routeId?: string;
  }
}

export interface RouteInput<R> {
  params: VaporParams<R>;
  query: VaporQuery<R>;
  body: VaporBody<R>;
}

/**
 * Registers the handler of one declared Vapor route: method, path, whether it is public and its
 * success status come from the declaration (libs/contracts/src/vapor/routes.ts), and params, query
 * and body are validated against it (400 naming each field) before the handler runs.
 */
export function serve<R extends VaporRoute>(
  scope: FastifyInstance,
  route: R,
  handler: (input: RouteInput<R>, request: FastifyRequest, reply: FastifyReply) => unknown,
): void {
  scope.route({
    method: route.method.toUpperCase() as 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: toFastifyPath(route.path),
    config: { public: route.public === true, routeId: route.id },
    handler: async (request, reply) => {
      const input = {
        params: route.params ? parse(route.params, request.params, 'params') : undefined,
        query: route.query ? parse(route.query, request.query, 'query') : undefined,
        body: route.body ? parse(route.body, request.body, 'body') : undefined,
      } as RouteInput<R>;
      const result = await handler(input, request, reply);
      if (reply.sent) return reply;
      reply.code(route.status ?? 200);
      return route.status === 204 ? reply.send() : reply.send(result);
    },
  });
}
