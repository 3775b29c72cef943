import type { RouteObject } from 'react-router';
import { HostDetailPage } from './HostDetailPage.js';
import { HostsPage } from './HostsPage.js';
import { VmDetailPage } from './VmDetailPage.js';
import { VmsPage } from './VmsPage.js';

/** The hosts and VMs pages, relative to the console's signed-in layout. */
export const hostsRoutes: RouteObject[] = [
  { path: 'hosts', element: <HostsPage /> },
  { path: 'hosts/:hostId', element: <HostDetailPage /> },
  { path: 'vms', element: <VmsPage /> },
  { path: 'vms/:vmId', element: <VmDetailPage /> },
];
