import type { NestExpressApplication } from '@nestjs/platform-express';
import { mkdtemp } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '@cockpit/api-config';
import { createTestDatabase } from '@cockpit/dev-testing';
import { createApp } from '../src/app.js';

export const TEST_SECRET_KEY = Buffer.alloc(32, 42).toString('base64');

export interface TestApi {
  app: NestExpressApplication;
  url: string;
  databaseUrl: string;
  close(): Promise<void>;
}

/** The real api, in-process, on its own fresh database, listening on a free port. */
export async function startTestApi(env: Record<string, string> = {}): Promise<TestApi> {
  const databaseUrl = env['DATABASE_URL'] ?? (await createTestDatabase('api'));
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    PORT: '0',
    // Instances of one test share a database, so they share the key that seals agent tokens.
    COCKPIT_SECRET_KEY: TEST_SECRET_KEY,
    DATA_DIR: await mkdtemp(path.join(tmpdir(), 'cockpit-test-api-')),
    ...env,
    DATABASE_URL: databaseUrl,
  });
  const app = await createApp(config);
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { app, url: `http://127.0.0.1:${port}`, databaseUrl, close: () => app.close() };
}
