import type { RouteObject } from 'react-router';
import { HostDetailPage } from './HostDetailPage.js';
import { HostsPage } from './HostsPage.js';

/** The hosts pages, relative to the console's signed-in layout. */
export const hostsRoutes: RouteObject[] = [
  { path: 'hosts', element: <HostsPage /> },
  { path: 'hosts/:hostId', element: <HostDetailPage /> },
];
