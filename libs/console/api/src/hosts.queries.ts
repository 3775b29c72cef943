import { queryOptions } from '@tanstack/react-query';
import { fleetSummary, getHost, listHosts } from '@cockpit/contracts';
import { callApi } from './api-fetch.js';

/** Every host the user may view, with its latest stats. */
export const hostsQuery = () =>
  queryOptions({
    queryKey: ['hosts'],
    queryFn: ({ signal }) => callApi(listHosts, { signal }),
  });

/** One host with its hardware, pools and bridges (under ['hosts'], so host changes refresh it too). */
export const hostQuery = (hostId: string) =>
  queryOptions({
    queryKey: ['hosts', hostId],
    queryFn: ({ signal }) => callApi(getHost, { signal, params: { hostId } }),
  });

/** Counts by state, capacity, top consumers and hosts needing attention, for the dashboard. */
export const fleetSummaryQuery = () =>
  queryOptions({
    queryKey: ['fleet', 'summary'],
    queryFn: ({ signal }) => callApi(fleetSummary, { signal }),
  });
