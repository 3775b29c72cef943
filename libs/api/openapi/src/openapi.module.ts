import { createRequire } from 'node:module';
import { Module, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import express from 'express';
import { allRoutes, COCKPIT_VERSION } from '@cockpit/contracts';
import { buildOpenApiDocument } from './document.js';
import { OpenApiController } from './openapi.controller.js';
import { OPENAPI_DOCUMENT } from './tokens.js';

const require = createRequire(import.meta.url);
const swaggerUiDir = (require('swagger-ui-dist') as { getAbsoluteFSPath(): string }).getAbsoluteFSPath();
// Served as a file rather than inline so the Content-Security-Policy needs no 'unsafe-inline' script.
const INIT_JS = `window.ui = SwaggerUIBundle({ url: '/api/openapi.json', dom_id: '#swagger-ui', deepLinking: true });\n`;

/** GET /api/openapi.json and the Swagger UI at /api/docs, both offline (no CDN). */
@Module({
  controllers: [OpenApiController],
  providers: [
    {
      provide: OPENAPI_DOCUMENT,
      useFactory: () => buildOpenApiDocument(allRoutes, COCKPIT_VERSION),
    },
  ],
})
export class OpenApiModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    const assets = express.Router();
    assets.get('/init.js', (_req, res) => {
      res.type('application/javascript').send(INIT_JS);
    });
    assets.use(express.static(swaggerUiDir, { index: false, maxAge: '1h' }));
    consumer.apply(assets).forRoutes('/api/docs/assets');
  }
}
