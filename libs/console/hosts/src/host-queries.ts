import { useQueryClient } from '@tanstack/react-query';

/** After a host changes, the list, the dashboard's counts and the host itself (under ['hosts']) are stale. */
export function useRefreshHosts() {
  const queryClient = useQueryClient();
  return () =>
    Promise.all([queryClient.invalidateQueries({ queryKey: ['hosts'] }), queryClient.invalidateQueries({ queryKey: ['fleet'] })]);
}
