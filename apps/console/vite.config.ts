import react from '@vitejs/plugin-react';
import { defineConfig, defaultClientConditions } from 'vite';

// `npm run dev`: the console with hot reload on :5173, proxying API calls to an api started by
// `npm start` (or API_URL).
const api = process.env['API_URL'] ?? 'http://127.0.0.1:8080';

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
      '/api': { target: api, changeOrigin: false },
      '/metrics': { target: api },
      '/socket.io': { target: api, ws: true },
    },
  },
});
