import { Controller, Query, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { Route, type RequestWithPrincipal } from '@cockpit/api-core';
import { followEvents, type ScopePath } from '@cockpit/contracts';
import { EventHubService } from './event-hub.service.js';
import { chainOf, roomsFor } from './rooms.js';

const POLL_MS = 500;
const KEEPALIVE_MS = 15_000;

/**
 * Server-Sent Events for clients without socket.io. Reads the events table (so it sees every
 * instance's events without the adapter), filtered by the rooms the caller may join.
 */
@Controller()
export class EventsController {
  constructor(
    private readonly hub: EventHubService,
    private readonly dataSource: DataSource,
  ) {}

  @Route(followEvents)
  async follow(
    @Req() request: RequestWithPrincipal,
    @Res() response: Response,
    @Query() query: { since?: number; scope?: ScopePath | ScopePath[] },
  ): Promise<string> {
    const grants = request.principal?.grants ?? [];
    const scopes = query.scope === undefined ? ['/' as const] : Array.isArray(query.scope) ? query.scope : [query.scope];
    const rooms = [...new Set(scopes.flatMap((scope) => roomsFor(grants, scope, chainOf(scope))))];
    const lastEventId = Number(request.headers['last-event-id']);
    let since = query.since ?? (Number.isInteger(lastEventId) ? lastEventId : undefined);
    response.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      'X-Accel-Buffering': 'no',
    });
    response.write('retry: 2000\n\n');
    const send = (id: number, type: string, data: unknown) =>
      response.write(`id: ${id}\nevent: ${type}\ndata: ${JSON.stringify(data)}\n\n`);
    if (since !== undefined) {
      const replay = await this.hub.replay(since, rooms);
      if (replay.resync) {
        since = await this.hub.currentSeq();
        send(since, 'resync', { reason: 'Events since that sequence are no longer kept: reload over REST', seq: since });
      }
      for (const event of replay.events) {
        send(event.seq, event.type, event);
        since = Math.max(since, event.seq);
      }
    }
    let last = since ?? (await this.hub.currentSeq());
    let closed = false;
    let lastWrite = Date.now();
    await new Promise<void>((resolve) => {
      const poll = async () => {
        if (closed) return;
        try {
          const rows = (await this.dataSource.query(
            `SELECT seq::float8 AS seq, ts, type, data FROM events WHERE seq > $1 AND rooms && $2::text[] ORDER BY seq LIMIT 1000`,
            [last, rooms],
          )) as { seq: number; ts: Date; type: string; data: unknown }[];
          for (const row of rows) {
            send(row.seq, row.type, { seq: row.seq, ts: row.ts.toISOString(), type: row.type, data: row.data });
            last = row.seq;
            lastWrite = Date.now();
          }
          if (Date.now() - lastWrite > KEEPALIVE_MS) {
            response.write(': keepalive\n\n');
            lastWrite = Date.now();
          }
        } catch {
          // the database is away: try again next round
        }
        if (!closed) timer = setTimeout(() => void poll(), POLL_MS);
      };
      let timer = setTimeout(() => void poll(), 0);
      request.on('close', () => {
        closed = true;
        clearTimeout(timer);
        resolve();
      });
    });
    return '';
  }
}
