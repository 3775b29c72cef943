import type { RouteObject } from 'react-router';
import { AppLayout } from './layout/AppLayout.js';
import { DashboardPage } from './pages/DashboardPage.js';
import { AccessAdminPage, AccountPage, AuditLogPage, LoginPage, RequireSignIn } from '@cockpit/console-access';
import { hostsRoutes } from '@cockpit/console-hosts';
import { jobsRoutes } from '@cockpit/console-jobs';
import { migrationsRoutes } from '@cockpit/console-migrations';
import { vmsRoutes } from '@cockpit/console-vms';
import { ClustersPage, OperationsPage } from './pages/sections.js';
import { SectionPage } from './pages/SectionPage.js';

export const consoleRoutes: RouteObject[] = [
  { path: '/login', element: <LoginPage /> },
  {
    element: (
      <RequireSignIn>
        <AppLayout />
      </RequireSignIn>
    ),
    children: [
      { index: true, element: <DashboardPage /> },
      ...hostsRoutes,
      ...vmsRoutes,
      ...jobsRoutes,
      ...migrationsRoutes,
      { path: 'clusters', element: <ClustersPage /> },
      { path: 'operations', element: <OperationsPage /> },
      { path: 'audit', element: <AuditLogPage /> },
      { path: 'settings', element: <AccessAdminPage /> },
      { path: 'account', element: <AccountPage /> },
      {
        path: '*',
        element: (
          <SectionPage
            title="Page not found"
            description=""
            emptyTitle="Nothing here"
            emptyBody="This address is not a page of the console."
          />
        ),
      },
    ],
  },
];
