import { ErrorResponse, fillPath, type RouteDef, type RouteQuery, type RouteResponse } from '@cockpit/contracts';
import type { z } from 'zod';

/** An error answer from the api, in its one error shape. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorResponse,
  ) {
    super(body.message);
    this.name = 'ApiError';
  }
}

let csrfToken: string | undefined;

/** Remember the CSRF token from GET /api/auth/me or sign-in; every state-changing call sends it. */
export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

/** The path parameters a route declares, as the caller gives them. */
export type RouteParams<R> = R extends RouteDef<infer P, z.ZodType, z.ZodType, z.ZodType> ? z.input<P> : never;
/**
 * The body a route takes, as the caller gives it: its input type, so fields with a default
 * (`scope` of a new token, say) may be left out. (`RouteBody` is the parsed, server-side type.)
 */
export type RouteBodyInput<R> = R extends RouteDef<z.ZodType, z.ZodType, infer B, z.ZodType> ? z.input<B> : never;

/** A part of a call: absent when the route declares none, optional when all its fields are, required otherwise. */
type CallPart<K extends string, T> = [T] extends [undefined]
  ? { [P in K]?: never }
  : Record<string, never> extends T
    ? { [P in K]?: T }
    : { [P in K]: T };

/** What a call to the route sends: its path parameters, query and body, each typed by the route. */
export type CallInput<R extends RouteDef> = CallPart<'params', RouteParams<R>> &
  CallPart<'query', RouteQuery<R>> &
  CallPart<'body', RouteBodyInput<R>>;

/**
 * What else a call may carry: a signal to abort it, and request headers (`If-Match` with a VM's
 * generation, say: see ifMatch). Accept, Content-Type and X-CSRF-Token are callApi's own.
 */
export interface CallExtras {
  signal?: AbortSignal;
  headers?: Readonly<Record<string, string>>;
}

export type CallOptions<R extends RouteDef> = CallInput<R> & CallExtras;

/** The `If-Match` header for an object's generation (a VM's): a change made since is refused with 412. */
export function ifMatch(generation: number): Record<string, string> {
  return { 'If-Match': `"${generation}"` };
}

/** The options argument: optional when the route needs nothing, required otherwise. */
export type CallArgs<R extends RouteDef> =
  Record<string, never> extends CallInput<R> ? [options?: CallOptions<R>] : [options: CallOptions<R>];

function urlOf(route: RouteDef, params: unknown, query: unknown): string {
  let url = fillPath(route.path, (params ?? {}) as Record<string, string | number>);
  const entries = Object.entries((query ?? {}) as Record<string, unknown>).filter(
    ([, value]) => value !== undefined && value !== null && value !== '',
  );
  if (entries.length) url += `?${new URLSearchParams(entries.map(([key, value]) => [key, String(value)])).toString()}`;
  return url;
}

/**
 * Calls one api route by its contract and checks the answer against it, so a console built against
 * another api version fails with a clear message instead of rendering garbage. Path parameters,
 * query and body are typed by the route, and so is the answer.
 */
export async function callApi<R extends RouteDef>(route: R, ...[options]: CallArgs<R>): Promise<RouteResponse<R>> {
  const { params, query, body, signal, headers } = (options ?? {}) as CallExtras & {
    params?: unknown;
    query?: unknown;
    body?: unknown;
  };
  const response = await fetch(urlOf(route, params, query), {
    method: route.method.toUpperCase(),
    credentials: 'same-origin',
    headers: {
      ...headers,
      Accept: 'application/json',
      ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      ...(route.method !== 'get' && csrfToken ? { 'X-CSRF-Token': csrfToken } : {}),
    },
    body: body !== undefined ? JSON.stringify(body) : undefined,
    signal,
  });
  const payload: unknown = await response.json().catch(() => undefined);
  if (!response.ok) {
    const parsed = ErrorResponse.safeParse(payload);
    throw new ApiError(
      response.status,
      parsed.success
        ? parsed.data
        : {
            statusCode: response.status,
            error: response.statusText || 'Error',
            message: `The api answered ${response.status} ${response.statusText}`.trim(),
          },
    );
  }
  const checked = route.response.safeParse(payload);
  if (!checked.success) {
    throw new ApiError(502, {
      statusCode: 502,
      error: 'Bad Gateway',
      message: `Unexpected answer from ${route.method.toUpperCase()} ${route.path}`,
    });
  }
  return checked.data as RouteResponse<R>;
}
