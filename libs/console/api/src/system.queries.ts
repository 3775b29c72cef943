import { queryOptions } from '@tanstack/react-query';
import { healthReady, systemInfo } from '@cockpit/contracts';
import { callApi } from './api-fetch.js';

export const systemInfoQuery = () =>
  queryOptions({
    queryKey: ['system', 'info'],
    queryFn: ({ signal }) => callApi(systemInfo, { signal }),
    staleTime: 60_000,
  });

export const readinessQuery = () =>
  queryOptions({
    queryKey: ['system', 'ready'],
    queryFn: ({ signal }) => callApi(healthReady, { signal }),
    // Until the live event stream lands, readiness is the one thing worth re-checking.
    refetchInterval: 30_000,
  });
