import type { RouteObject } from 'react-router';
import { JobPage } from './JobPage.js';
import { JobsPage } from './JobsPage.js';

/** The jobs pages, relative to the console's signed-in layout. */
export const jobsRoutes: RouteObject[] = [
  { path: 'jobs', element: <JobsPage /> },
  { path: 'jobs/:jobId', element: <JobPage /> },
];
