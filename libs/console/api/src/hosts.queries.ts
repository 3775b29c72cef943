import { queryOptions } from '@tanstack/react-query';
import { fleetSummary, getHost, listHosts, type RouteQuery } from '@cockpit/contracts';
import { callApi } from './api-fetch.js';

/** Filters, sort, page size and cursor of a hosts list page, as GET /api/hosts takes them. */
export type HostListQuery = RouteQuery<typeof listHosts>;

/** Every hosts list page, whatever its filters (a prefix of each page's key). */
export const HOST_LISTS_KEY = ['hosts', 'list'] as const;

/** One page of the hosts the user may view, with their latest stats. */
export const hostsPageQuery = (query: HostListQuery = {}) =>
  queryOptions({
    queryKey: [...HOST_LISTS_KEY, query] as const,
    queryFn: ({ signal }) => callApi(listHosts, { signal, query }),
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
