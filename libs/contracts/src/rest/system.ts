import { z } from 'zod';
import { defineRoute } from './route.js';

const HealthIndicator = z.record(z.string(), z.object({ status: z.string() }).catchall(z.unknown()));

export const HealthResponse = z
  .object({
    status: z.enum(['ok', 'error', 'shutting_down']),
    info: HealthIndicator.optional(),
    error: HealthIndicator.optional(),
    details: HealthIndicator,
  })
  .meta({ id: 'HealthResponse' });
export type HealthResponse = z.infer<typeof HealthResponse>;

export const SystemInfo = z
  .object({
    product: z.literal('Cockpit'),
    version: z.string(),
    instanceId: z.string().meta({ description: 'Identifies this api instance among several on one database' }),
    startedAt: z.iso.datetime(),
  })
  .meta({ id: 'SystemInfo' });
export type SystemInfo = z.infer<typeof SystemInfo>;

export const healthLive = defineRoute({
  id: 'getHealthLive',
  method: 'get',
  path: '/api/health/live',
  summary: 'Liveness: the process answers',
  tag: 'System',
  access: 'public',
  response: HealthResponse,
});

export const healthReady = defineRoute({
  id: 'getHealthReady',
  method: 'get',
  path: '/api/health/ready',
  summary: 'Readiness: the database answers',
  description: 'Answers 503 with the failing check when PostgreSQL is unreachable.',
  tag: 'System',
  access: 'public',
  response: HealthResponse,
  errors: [503],
});

export const systemInfo = defineRoute({
  id: 'getSystemInfo',
  method: 'get',
  path: '/api/info',
  summary: 'Product, version and the answering api instance',
  tag: 'System',
  access: 'public',
  response: SystemInfo,
});

export const prometheusMetrics = defineRoute({
  id: 'getMetrics',
  method: 'get',
  path: '/metrics',
  summary: 'Process and HTTP metrics in Prometheus text format',
  tag: 'System',
  access: 'public',
  response: z.string(),
  produces: 'text/plain; version=0.0.4',
});

export const openApiDocument = defineRoute({
  id: 'getOpenApiDocument',
  method: 'get',
  path: '/api/openapi.json',
  summary: 'This OpenAPI 3.1 document',
  tag: 'System',
  access: 'public',
  response: z.record(z.string(), z.unknown()),
});

export const apiDocs = defineRoute({
  id: 'getApiDocs',
  method: 'get',
  path: '/api/docs',
  summary: 'Interactive API documentation (Swagger UI)',
  tag: 'System',
  access: 'public',
  response: z.string(),
  produces: 'text/html; charset=utf-8',
});
