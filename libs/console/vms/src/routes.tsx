import type { RouteObject } from 'react-router';
import { VmDetailPage } from './VmDetailPage.js';
import { VmsPage } from './VmsPage.js';

/** The VM pages, relative to the console's signed-in layout. */
export const vmsRoutes: RouteObject[] = [
  { path: 'vms', element: <VmsPage /> },
  { path: 'vms/:vmId', element: <VmDetailPage /> },
];
