import { render } from '@testing-library/react';
import { QueryClient } from '@tanstack/react-query';
import { createMemoryRouter } from 'react-router';
import { fakeLiveConnections } from '@cockpit/console-api/testing';
import { ConsoleApp } from '../ConsoleApp.js';
import { consoleRoutes } from '../routes.js';

/**
 * Renders the whole console at `path` with a fresh cache and no retries, as a browser would. The
 * live events socket is a fake the test drives (`live.latest`, once the signed-in shell opened it).
 */
export function renderConsole(path = '/') {
  const router = createMemoryRouter(consoleRoutes, { initialEntries: [path] });
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const live = fakeLiveConnections();
  return {
    router,
    live,
    ...render(<ConsoleApp router={router} queryClient={queryClient} connectLiveEvents={live.connect} />),
  };
}
