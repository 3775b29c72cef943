import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { RouteDef } from '@cockpit/contracts';
import { callApi, type CallOptions } from '@cockpit/console-api';
import type { z } from 'zod';

/** A state-changing call by its contract; refreshes the named queries when it succeeds. */
export function useApiMutation<R extends RouteDef>(route: R, invalidate: readonly string[][]) {
  const queryClient = useQueryClient();
  return useMutation<z.output<R['response']>, Error, CallOptions>({
    mutationFn: (options) => callApi(route, options),
    onSuccess: async () => {
      await Promise.all(invalidate.map((queryKey) => queryClient.invalidateQueries({ queryKey })));
    },
  });
}
