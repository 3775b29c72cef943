import { queryOptions } from '@tanstack/react-query';
import { getVm, listVms, listVmSnapshots, type RouteQuery } from '@cockpit/contracts';
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

/** A VM's detail; its snapshots and metrics live under this key too (invalidate it exactly for the VM alone). */
export const vmKey = (vmId: string) => ['vms', 'detail', vmId] as const;

export const vmQuery = (vmId: string) =>
  queryOptions({
    queryKey: vmKey(vmId),
    queryFn: ({ signal }) => callApi(getVm, { signal, params: { vmId } }),
  });

/** A VM's snapshots, as its host reports them now (one page: a VM has few). */
export const vmSnapshotsQuery = (vmId: string) =>
  queryOptions({
    queryKey: [...vmKey(vmId), 'snapshots'] as const,
    queryFn: ({ signal }) => callApi(listVmSnapshots, { signal, params: { vmId } }),
  });
