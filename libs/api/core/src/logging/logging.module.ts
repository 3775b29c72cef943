import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { AppConfig } from '@cockpit/api-config';
import { APP_CONFIG } from '../config/app-config.module.js';
import { scrubError } from './scrub-error.js';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** A caller's X-Request-Id is kept when it is sane, so traces line up across a proxy; else a new one. */
export function requestId(req: IncomingMessage, res: ServerResponse): string {
  const incoming = req.headers['x-request-id'];
  const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
  res.setHeader('X-Request-Id', id);
  return id;
}

/** Structured JSON logs (pino) with one line per request carrying its request id. */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        pinoHttp: {
          level: config.logLevel,
          base: { instance: config.instanceId },
          genReqId: requestId,
          customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
          // Keep request lines short and free of credentials: no headers, no cookies, no bodies.
          serializers: {
            req: (req: { id: string; method: string; url: string; remoteAddress?: string }) => ({
              id: req.id,
              method: req.method,
              url: req.url,
              remoteAddress: req.remoteAddress,
            }),
            res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
            // A failed query's values (password and token hashes) never reach the log.
            err: scrubError,
          },
          // Probes and scrapes every few seconds would drown the log.
          autoLogging: { ignore: (req) => /^\/(api\/health\/|metrics$)/.test(req.url ?? '') },
          transport:
            config.nodeEnv === 'development' && process.stdout.isTTY
              ? {
                  target: 'pino-pretty',
                  options: { singleLine: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname,instance' },
                }
              : undefined,
        },
      }),
    }),
  ],
})
export class LoggingModule {}
