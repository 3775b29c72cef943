import type { RouteObject } from 'react-router';
import { MigrationPage } from './MigrationPage.js';
import { MigrationsPage } from './MigrationsPage.js';

/** The migrations pages, relative to the console's signed-in layout. */
export const migrationsRoutes: RouteObject[] = [
  { path: 'migrations', element: <MigrationsPage /> },
  { path: 'migrations/:migrationId', element: <MigrationPage /> },
];
