import { queryOptions } from '@tanstack/react-query';
import { getVm, listVms, type RouteQuery } from '@cockpit/contracts';
import { callApi } from './api-fetch.js';

export type VmFilter = RouteQuery<typeof listVms>;

/** VMs across the fleet, optionally only one host's or in one state. */
export const vmsQuery = (filter: VmFilter = {}) =>
  queryOptions({
    queryKey: ['vms', 'list', filter],
    queryFn: ({ signal }) => callApi(listVms, { signal, query: { ...filter } }),
  });

export const vmQuery = (vmId: string) =>
  queryOptions({
    queryKey: ['vms', 'detail', vmId],
    queryFn: ({ signal }) => callApi(getVm, { signal, params: { vmId } }),
  });
