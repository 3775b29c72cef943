import { render } from '@testing-library/react';
import { QueryClient } from '@tanstack/react-query';
import { createMemoryRouter } from 'react-router';
import { ConsoleApp } from '../ConsoleApp.js';
import { consoleRoutes } from '../routes.js';

/** Renders the whole console at `path` with a fresh cache and no retries, as a browser would. */
export function renderConsole(path = '/') {
  const router = createMemoryRouter(consoleRoutes, { initialEntries: [path] });
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return { router, ...render(<ConsoleApp router={router} queryClient={queryClient} />) };
}
