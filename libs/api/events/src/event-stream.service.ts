import { HttpException, HttpStatus, Injectable, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { Principal } from '@cockpit/api-core';
import { PrincipalService, type Credentials } from '@cockpit/api-auth';
import type { ScopePath } from '@cockpit/contracts';
import { EventHubService } from './event-hub.service.js';
import { EventStore } from './event-store.js';
import { chainOf, roomsFor } from './rooms.js';

const POLL_MS = 500;
const KEEPALIVE_MS = 15_000;
/** Access is re-checked this often, and at once when access changes anywhere. */
const RECHECK_MS = 5_000;
/** Open SSE streams per user session or token, on one instance. */
export const MAX_STREAMS_PER_PRINCIPAL = 8;

interface StreamRequest {
  request: Request;
  response: Response;
  principal: Principal;
  scopes: ScopePath[];
  since: number | undefined;
}

/**
 * Server-Sent Events for clients without socket.io. Reads the events table (so it sees every
 * instance's events without the adapter), filtered by the rooms the caller may join; re-checks the
 * caller's credentials and grants like the socket hub does, and ends the stream when they are gone.
 */
@Injectable()
export class EventStreamService {
  private readonly logger = new Logger('EventStream');
  private readonly open = new Map<string, number>();

  constructor(
    private readonly hub: EventHubService,
    private readonly store: EventStore,
    private readonly principals: PrincipalService,
  ) {}

  /** Streams until the client goes or loses access. Refuses a principal over its stream limit with 429. */
  async stream({ request, response, principal, scopes, since: requested }: StreamRequest): Promise<void> {
    const key = principal.type === 'token' ? `token:${principal.tokenId ?? ''}` : `session:${principal.sessionIdHash ?? ''}`;
    const count = this.open.get(key) ?? 0;
    if (count >= MAX_STREAMS_PER_PRINCIPAL) {
      throw new HttpException(
        `At most ${MAX_STREAMS_PER_PRINCIPAL} event streams per session or token: close one first`,
        HttpStatus.TOO_MANY_REQUESTS,
      );
    }
    this.open.set(key, count + 1);
    try {
      await this.run(request, response, principal, scopes, requested);
    } finally {
      const left = (this.open.get(key) ?? 1) - 1;
      if (left > 0) this.open.set(key, left);
      else this.open.delete(key);
    }
  }

  private async run(
    request: Request,
    response: Response,
    principal: Principal,
    scopes: ScopePath[],
    requested: number | undefined,
  ): Promise<void> {
    const credentials = credentialsOf(request);
    let rooms = roomsOf(principal, scopes);
    const lastEventId = Number(request.headers['last-event-id']);
    let since = requested ?? (Number.isInteger(lastEventId) ? lastEventId : undefined);
    response.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      'X-Accel-Buffering': 'no',
    });
    response.write('retry: 2000\n\n');
    const send = (id: number, type: string, data: unknown) =>
      response.write(`id: ${id}\nevent: ${type}\ndata: ${JSON.stringify(data)}\n\n`);
    if (since !== undefined) {
      const replay = await this.store.replay(since, rooms);
      if (replay.resync) {
        since = await this.store.currentSeq();
        send(since, 'resync', { reason: 'Events since that sequence are no longer kept: reload over REST', seq: since });
      }
      for (const event of replay.events) {
        send(event.seq, event.type, event);
        since = Math.max(since, event.seq);
      }
    }
    let last = since ?? (await this.store.currentSeq());
    let closed = false;
    let lastWrite = Date.now();
    let lastCheck = Date.now();
    let recheckNow = false;
    const stopListening = this.hub.onAccessChanged((users) => {
      if (users === 'everyone' || users.has(principal.userId)) recheckNow = true;
    });
    const end = (message: string) => {
      response.write(`event: error\ndata: ${JSON.stringify({ message })}\n\n`);
      response.end();
    };
    /** False when the stream must end: credentials gone, or nothing left to see. */
    const recheck = async (): Promise<boolean> => {
      const current = await this.principals.resolve(credentials, { touch: false });
      if (!current) {
        end('Your session ended or your token was revoked');
        return false;
      }
      rooms = roomsOf(current, scopes);
      if (!rooms.length) {
        end('You may no longer view what this stream follows');
        return false;
      }
      return true;
    };
    await new Promise<void>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const finish = () => {
        closed = true;
        clearTimeout(timer);
        stopListening();
        resolve();
      };
      const poll = async () => {
        if (closed) return;
        try {
          if (recheckNow || Date.now() - lastCheck > RECHECK_MS) {
            recheckNow = false;
            lastCheck = Date.now();
            if (!(await recheck())) return finish();
          }
          for (const event of await this.store.after(last, rooms)) {
            send(event.seq, event.type, event);
            last = event.seq;
            lastWrite = Date.now();
          }
          if (Date.now() - lastWrite > KEEPALIVE_MS) {
            response.write(': keepalive\n\n');
            lastWrite = Date.now();
          }
        } catch (error) {
          // The database is away: try again next round.
          this.logger.debug(`Event stream poll failed: ${(error as Error).message}`);
        }
        if (!closed) timer = setTimeout(() => void poll(), POLL_MS);
      };
      timer = setTimeout(() => void poll(), 0);
      request.on('close', finish);
    });
  }
}

function roomsOf(principal: Principal, scopes: ScopePath[]): string[] {
  return [...new Set(scopes.flatMap((scope) => roomsFor(principal.grants, scope, chainOf(scope), principal.userId)))];
}

function credentialsOf(request: Request): Credentials {
  const authorization = request.headers.authorization;
  return authorization ? { bearer: authorization } : { cookie: request.headers.cookie };
}
