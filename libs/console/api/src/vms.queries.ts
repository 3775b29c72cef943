import { queryOptions } from '@tanstack/react-query';
import { getVm, listVms, type RouteQuery } from '@cockpit/contracts';
import { callApi } from './api-fetch.js';

/** Filters (host, state, name), sort, page size and cursor of a VM list page, as GET /api/vms takes them. */
export type VmListQuery = RouteQuery<typeof listVms>;

/** Every VM list page, whatever its filters (a prefix of each page's key). */
export const VM_LISTS_KEY = ['vms', 'list'] as const;

/** One page of the VMs across the fleet (or one host's, or in one state). */
export const vmsPageQuery = (query: VmListQuery = {}) =>
  queryOptions({
    queryKey: [...VM_LISTS_KEY, query] as const,
    queryFn: ({ signal }) => callApi(listVms, { signal, query }),
  });

export const vmQuery = (vmId: string) =>
  queryOptions({
    queryKey: ['vms', 'detail', vmId],
    queryFn: ({ signal }) => callApi(getVm, { signal, params: { vmId } }),
  });
