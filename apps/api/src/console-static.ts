import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { type Express } from 'express';

/** Paths the api itself answers; never the console's index.html. */
const API_PATHS = /^\/(api|metrics|socket\.io)(\/|$)/;

/**
 * Serves the built console from the api's own origin: hashed assets with long caching, and
 * index.html for every other GET so client-side routes (/hosts/42) survive a reload.
 */
export function serveConsole(app: Express, consoleDir: string): void {
  const index = path.join(consoleDir, 'index.html');
  if (!existsSync(index)) {
    throw new Error(
      `CONSOLE_DIR ${consoleDir} has no index.html. Build the console (npx nx build console) or unset CONSOLE_DIR.`,
    );
  }
  app.use(
    '/assets',
    express.static(path.join(consoleDir, 'assets'), { immutable: true, maxAge: '1y', index: false, fallthrough: false }),
  );
  app.use(express.static(consoleDir, { index: false, maxAge: 0 }));
  app.use((req, res, next) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || API_PATHS.test(req.path)) return next();
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
}
