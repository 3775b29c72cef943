import { Controller, Query, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Route, type RequestWithPrincipal } from '@cockpit/api-core';
import { followEvents, type RouteQuery, type ScopePath } from '@cockpit/contracts';
import { EventStreamService } from './event-stream.service.js';

@Controller()
export class EventsController {
  constructor(private readonly streams: EventStreamService) {}

  @Route(followEvents)
  async follow(
    @Req() request: RequestWithPrincipal,
    @Res() response: Response,
    @Query() query: RouteQuery<typeof followEvents>,
  ): Promise<string> {
    const scope = query.scope as ScopePath | ScopePath[] | undefined;
    const scopes: ScopePath[] = scope === undefined ? ['/'] : Array.isArray(scope) ? scope : [scope];
    // The guard resolved the caller; an 'authenticated' route always has one.
    if (!request.principal) return '';
    await this.streams.stream({
      request,
      response,
      principal: request.principal,
      scopes,
      since: query.since === undefined ? undefined : Number(query.since),
    });
    return '';
  }
}
