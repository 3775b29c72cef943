/** The console's sections, in navigation order. */
export const sections = [
  { path: '/', label: 'Dashboard' },
  { path: '/hosts', label: 'Hosts' },
  { path: '/vms', label: 'VMs' },
  { path: '/migrations', label: 'Migrations' },
  { path: '/clusters', label: 'Clusters' },
  { path: '/operations', label: 'Operations' },
  { path: '/audit', label: 'Audit' },
  { path: '/settings', label: 'Settings' },
] as const;
