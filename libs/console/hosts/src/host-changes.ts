import type { QueryKey } from '@tanstack/react-query';

/** After a host changes: every hosts list page, the host itself (all under ['hosts']) and the dashboard's counts. */
export const HOSTS_CHANGED: readonly QueryKey[] = [['hosts'], ['fleet']];

/** After a host is removed: its VMs went with its inventory, too. */
export const HOST_REMOVED: readonly QueryKey[] = [...HOSTS_CHANGED, ['vms']];
