import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import { DataSource } from 'typeorm';
import type { AppConfig } from '@cockpit/api-config';
import { runMigrationsLocked } from '@cockpit/api-core';
import { AppModule } from './app.module.js';
import { serveConsole } from './console-static.js';

/** Builds the api (migrated, middleware in place) without listening; tests and main share it. */
export async function createApp(config: AppConfig): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    bufferLogs: true,
    abortOnError: false,
  });
  const logger = app.get(Logger);
  app.useLogger(logger);
  app.enableShutdownHooks();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  const https = config.publicUrl.startsWith('https:');
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          // On plain http (a laptop) upgrading subresources to https would break every asset.
          upgradeInsecureRequests: https ? [] : null,
          imgSrc: ["'self'", 'data:'],
          frameAncestors: ["'none'"],
        },
      },
      xFrameOptions: { action: 'deny' },
      strictTransportSecurity: https,
    }),
  );
  app.useBodyParser('json', { limit: '1mb' });
  if (config.consoleDir) serveConsole(app.getHttpAdapter().getInstance(), config.consoleDir);

  const applied = await runMigrationsLocked(app.get(DataSource));
  if (applied.length) logger.log(`Applied migrations: ${applied.join(', ')}`, 'Database');
  return app;
}
