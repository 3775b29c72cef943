import { ErrorResponse, fillPath, type RouteDef } from '@cockpit/contracts';
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

export interface CallOptions {
  params?: Record<string, string | number>;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  signal?: AbortSignal;
}

/**
 * Calls one api route by its contract and checks the answer against it, so a console built against
 * another api version fails with a clear message instead of rendering garbage.
 */
export async function callApi<R extends RouteDef>(route: R, options: CallOptions = {}): Promise<z.output<R['response']>> {
  let url = fillPath(route.path, options.params ?? {});
  const query = Object.entries(options.query ?? {}).filter(([, value]) => value !== undefined);
  if (query.length) url += `?${new URLSearchParams(query.map(([key, value]) => [key, String(value)])).toString()}`;
  const response = await fetch(url, {
    method: route.method.toUpperCase(),
    credentials: 'same-origin',
    headers: {
      Accept: 'application/json',
      ...(options.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      ...(route.method !== 'get' && csrfToken ? { 'X-CSRF-Token': csrfToken } : {}),
    },
    body: options.body !== undefined ? JSON.stringify(options.body) : undefined,
    signal: options.signal,
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
  return checked.data as z.output<R['response']>;
}
