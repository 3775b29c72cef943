import { queryOptions } from '@tanstack/react-query';
import { systemInfo } from '@cockpit/contracts';
import { callApi } from './api-fetch.js';

export const systemInfoQuery = () =>
  queryOptions({
    queryKey: ['system', 'info'],
    queryFn: ({ signal }) => callApi(systemInfo, { signal }),
    staleTime: 60_000,
  });
