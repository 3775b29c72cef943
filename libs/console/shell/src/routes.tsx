import type { RouteObject } from 'react-router';
import { AppLayout } from './layout/AppLayout.js';
import { DashboardPage } from './pages/DashboardPage.js';
import { LoginPage } from './pages/LoginPage.js';
import { SettingsPage } from './pages/SettingsPage.js';
import { AuditPage, ClustersPage, HostsPage, MigrationsPage, OperationsPage, VmsPage } from './pages/sections.js';
import { SectionPage } from './pages/SectionPage.js';

export const consoleRoutes: RouteObject[] = [
  { path: '/login', element: <LoginPage /> },
  {
    element: <AppLayout />,
    children: [
      { index: true, element: <DashboardPage /> },
      { path: 'hosts', element: <HostsPage /> },
      { path: 'vms', element: <VmsPage /> },
      { path: 'migrations', element: <MigrationsPage /> },
      { path: 'clusters', element: <ClustersPage /> },
      { path: 'operations', element: <OperationsPage /> },
      { path: 'audit', element: <AuditPage /> },
      { path: 'settings', element: <SettingsPage /> },
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
