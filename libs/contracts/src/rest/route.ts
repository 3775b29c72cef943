import type { z } from 'zod';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/**
 * The kinds of object a route can be about (clusters join later). Hosts and VMs are scopes a
 * permission is held on; a job sits in the scope of its targets.
 */
export type ScopeKind = 'host' | 'vm' | 'job' | 'migration';

/** The object a route is about: its kind, and the parameter that holds its id (a path parameter unless `in: 'body'`). */
export interface ObjectScope {
  kind: ScopeKind;
  param: string;
  in?: 'params' | 'body';
}

/**
 * Who may call a route. Every route states it; the api's global guard enforces it, and no handler
 * checks access by hand.
 * - `public`: answers without a session (health probes, sign-in, API docs).
 * - `authenticated`: any signed-in caller.
 * - `{ permission }`: the permission held on `/`.
 * - `{ permission, scope: { kind, param } }`: held on that object or above it (a VM's host, `/`);
 *   an object the caller may not view answers 404, as if absent.
 * - `{ permission, scope: 'visible' }`: a list or summary; held anywhere is enough to ask, and it
 *   shows only the objects on which it is held.
 */
export type RouteAccess = 'public' | 'authenticated' | { permission: string; scope?: ObjectScope | 'visible' };

/**
 * One REST endpoint, declared once and used three ways: the api binds its controller method to it
 * and validates input (and, outside production, output) against it; the OpenAPI document is
 * generated from the list of them; the console's fetch helpers take their types from it.
 */
export interface RouteDef<
  TParams extends z.ZodType = z.ZodType,
  TQuery extends z.ZodType = z.ZodType,
  TBody extends z.ZodType = z.ZodType,
  TResponse extends z.ZodType = z.ZodType,
> {
  /** OpenAPI operationId, unique. */
  id: string;
  method: HttpMethod;
  /** OpenAPI-style path: `/api/hosts/{hostId}`. */
  path: string;
  summary: string;
  description?: string;
  tag: string;
  access: RouteAccess;
  params?: TParams;
  query?: TQuery;
  body?: TBody;
  /** Success status; 200 unless said. */
  status?: number;
  response: TResponse;
  /** Media type of the success response; JSON unless said. */
  produces?: string;
  /** Error statuses this route documents besides the 400/401/403/500 every route may answer. */
  errors?: readonly number[];
}

export function defineRoute<
  TParams extends z.ZodType = z.ZodUndefined,
  TQuery extends z.ZodType = z.ZodUndefined,
  TBody extends z.ZodType = z.ZodUndefined,
  TResponse extends z.ZodType = z.ZodType,
>(def: RouteDef<TParams, TQuery, TBody, TResponse>): RouteDef<TParams, TQuery, TBody, TResponse> {
  return def;
}

export type RouteResponse<R> = R extends RouteDef<z.ZodType, z.ZodType, z.ZodType, infer T> ? z.infer<T> : never;
export type RouteBody<R> = R extends RouteDef<z.ZodType, z.ZodType, infer T, z.ZodType> ? z.infer<T> : never;
export type RouteQuery<R> = R extends RouteDef<z.ZodType, infer T, z.ZodType, z.ZodType> ? z.input<T> : never;

/** `/api/hosts/{hostId}` → `/api/hosts/:hostId` (Express/Nest syntax). */
export function toExpressPath(path: string): string {
  return path.replace(/\{([A-Za-z0-9_]+)\}/g, ':$1');
}

/** Fill an OpenAPI-style path with values, URL-encoding each. */
export function fillPath(path: string, params: Record<string, string | number>): string {
  return path.replace(/\{([A-Za-z0-9_]+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`Missing path parameter "${name}" for ${path}`);
    return encodeURIComponent(String(value));
  });
}
