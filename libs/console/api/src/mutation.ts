import { useMutation, useQueryClient, type QueryKey, type UseMutationOptions } from '@tanstack/react-query';
import type { RouteDef, RouteResponse } from '@cockpit/contracts';
import { callApi, type CallArgs, type CallInput } from './api-fetch.js';

/** Request headers a mutation may add (`If-Match`: see ifMatch). */
type MutationHeaders = { headers?: Readonly<Record<string, string>> };

/**
 * What `mutate` takes: the route's params, query and body (and any headers); nothing at all when
 * the route needs none.
 */
export type MutationInput<R extends RouteDef> =
  Record<string, never> extends CallInput<R> ? (CallInput<R> & MutationHeaders) | void : CallInput<R> & MutationHeaders;

export interface ApiMutationOptions<R extends RouteDef> extends Omit<
  UseMutationOptions<RouteResponse<R>, Error, MutationInput<R>>,
  'mutationFn'
> {
  /**
   * The queries (key prefixes) a success makes out of date. They are refetched (those on screen)
   * before the mutation counts as settled, after `onSuccess` (which may, say, navigate away first).
   */
  invalidates?: readonly QueryKey[];
}

/**
 * A state-changing call by its contract: `mutate({ params, body })` typed by the route, its answer
 * typed and checked, the errors the api's (ApiError). Every feature's mutations go through this.
 */
export function useApiMutation<R extends RouteDef>(
  route: R,
  { invalidates = [], onSuccess, ...options }: ApiMutationOptions<R> = {},
) {
  const queryClient = useQueryClient();
  return useMutation<RouteResponse<R>, Error, MutationInput<R>>({
    ...options,
    mutationFn: (input) => callApi(route, ...((input ? [input] : []) as CallArgs<R>)),
    onSuccess: async (...args) => {
      await onSuccess?.(...args);
      await Promise.all(invalidates.map((queryKey) => queryClient.invalidateQueries({ queryKey })));
    },
  });
}
