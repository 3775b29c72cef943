import { applyDecorators, Delete, Get, Header, HttpCode, Patch, Post, Put, SetMetadata } from '@nestjs/common';
import { toExpressPath, type RouteDef } from '@cockpit/contracts';

export const ROUTE_DEF = Symbol('ROUTE_DEF');

const methodDecorators = { get: Get, post: Post, put: Put, patch: Patch, delete: Delete } as const;

/**
 * Binds a controller method to its contract: HTTP method, path, success status and media type come
 * from the definition, and the contract interceptor validates input and output against it.
 * Controllers carry no path of their own so the contract is the single source of the URL.
 */
export function Route(def: RouteDef): MethodDecorator {
  const decorators = [
    methodDecorators[def.method](toExpressPath(def.path)),
    HttpCode(def.status ?? 200),
    SetMetadata(ROUTE_DEF, def),
  ];
  if (def.produces) decorators.push(Header('Content-Type', def.produces));
  return applyDecorators(...decorators);
}
