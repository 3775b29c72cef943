import react from '@vitejs/plugin-react';
import type { ClientRequest, IncomingMessage } from 'node:http';
import { defineConfig, defaultClientConditions, type ProxyOptions } from 'vite';

// `npm run dev`: the console with hot reload on :5173, proxying API calls to an api started by
// `npm start` (or API_URL).
const api = process.env['API_URL'] ?? 'http://127.0.0.1:8080';
const apiOrigin = new URL(api).origin;

/**
 * The api accepts state changes and sockets only from its own origin (PUBLIC_URL): the dev server
 * stands in for it, so requests from this page's origin are forwarded as coming from the api's.
 * Requests from any other origin keep theirs, and are refused by the api as usual.
 */
const asApiOrigin: Pick<ProxyOptions, 'configure'> = {
  configure: (proxy) => {
    const rewrite = (request: ClientRequest, incoming: IncomingMessage) => {
      const origin = incoming.headers.origin;
      if (origin && /^http:\/\/(localhost|127\.0\.0\.1):5173$/.test(origin)) request.setHeader('origin', apiOrigin);
    };
    proxy.on('proxyReq', rewrite);
    proxy.on('proxyReqWs', (request, incoming) => rewrite(request, incoming));
  },
};

export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  resolve: {
    // Workspace libraries are consumed from their TypeScript sources.
    conditions: ['@cockpit/source', ...defaultClientConditions],
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 2048,
  },
  server: {
    port: 5173,
    strictPort: true,
    proxy: {
      '/api': { target: api, changeOrigin: false, ...asApiOrigin },
      '/metrics': { target: api },
      '/socket.io': { target: api, ws: true, ...asApiOrigin },
    },
  },
});
