import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { useState } from 'react';
import { createBrowserRouter, RouterProvider, type createMemoryRouter } from 'react-router';
import { connectToEventHub, LiveSocketContext, type ConnectLiveSocket } from '@cockpit/console-api';
import { consoleRoutes } from './routes.js';
import { useOsColorScheme } from './theme/use-os-color-scheme.js';

/** Every page, the sign-in page included, follows the OS light/dark preference. */
function FollowOsTheme() {
  useOsColorScheme();
  return null;
}

export function createQueryClient(): QueryClient {
  return new QueryClient({ defaultOptions: { queries: { retry: 1, refetchOnWindowFocus: true } } });
}

interface ConsoleAppProps {
  /** Tests pass a memory router; the browser build uses the history API. */
  router?: ReturnType<typeof createMemoryRouter>;
  queryClient?: QueryClient;
  /** Opens the live events socket; tests pass a fake. */
  connectLiveEvents?: ConnectLiveSocket;
}

export function ConsoleApp({ router, queryClient, connectLiveEvents = connectToEventHub }: ConsoleAppProps) {
  const [client] = useState(() => queryClient ?? createQueryClient());
  const [browserRouter] = useState(() => router ?? createBrowserRouter(consoleRoutes));
  return (
    <QueryClientProvider client={client}>
      <LiveSocketContext value={connectLiveEvents}>
        <FollowOsTheme />
        <RouterProvider router={browserRouter} />
      </LiveSocketContext>
    </QueryClientProvider>
  );
}
