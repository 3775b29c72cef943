import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { AccessChanges, AccessService } from '@cockpit/api-access';
import { AuditService, type AuditEntry } from '@cockpit/api-audit';
import { PrincipalService } from '@cockpit/api-auth';
import { DomainError, OriginPolicy, type Principal } from '@cockpit/api-core';
import { HostConnections, InventoryService } from '@cockpit/api-hosts';
import { CONSOLE_SOCKET_PREFIX, isAllowed } from '@cockpit/contracts';
import type { ConsoleStream } from '@cockpit/vapor-client';
import { ConsoleTickets, type Redemption } from './console-tickets.service.js';

const PATH = new RegExp(`^${CONSOLE_SOCKET_PREFIX}([0-9a-f-]{36})/([A-Za-z0-9_-]{43})$`);
/** How often an open console checks that its session and permission still hold (other instances' revocations). */
const RECHECK_MS = 5_000;
/** A browser or host that stops reading: closed rather than buffered without end. */
const MAX_BUFFERED = 8 * 1024 * 1024;

const REFUSALS: Record<Exclude<Redemption, { ok: true }>['reason'], string> = {
  unknown: 'This console ticket is not one Cockpit issued',
  used: 'This console ticket was already used: ask for a new one',
  expired: 'This console ticket expired (they last 30 s): ask for a new one',
  'other-vm': 'This console ticket is for another VM',
  'other-user': 'This console ticket was issued to another user or session',
};

interface OpenConsole {
  principal: Principal;
  credentials: { cookie?: string; bearer?: string };
  vmId: string;
  close(code: number, reason: string): void;
}

/**
 * The browser's console WebSocket (`/api/consoles/<vmId>/<ticket>`), proxied to the VM's host over
 * the pinned connection: the Origin must be Cockpit's, the session the one the ticket was issued
 * to, the ticket unused and fresh, and `vm.console` still held. Opening, refusing and closing are
 * audited (with how long it was open); ending the session or losing the permission ends it.
 */
@Injectable()
export class ConsoleProxy implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ConsoleProxy');
  private readonly server = new WebSocketServer({
    noServer: true,
    maxPayload: 1024 * 1024,
    perMessageDeflate: false,
    // Frames pass through untouched: the terminal and noVNC judge their own text.
    skipUTF8Validation: true,
  });
  private readonly open = new Set<OpenConsole>();
  private recheck?: NodeJS.Timeout;
  private stopAccessWatch?: () => void;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly origins: OriginPolicy,
    private readonly principals: PrincipalService,
    private readonly tickets: ConsoleTickets,
    private readonly access: AccessService,
    private readonly accessChanges: AccessChanges,
    private readonly inventory: InventoryService,
    private readonly connections: HostConnections,
    private readonly audit: AuditService,
  ) {}

  onApplicationBootstrap(): void {
    const http = this.adapterHost.httpAdapter.getHttpServer() as Server;
    http.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (!(request.url ?? '').startsWith(CONSOLE_SOCKET_PREFIX)) return; // socket.io's, not ours
      void this.upgrade(request, socket, head);
    });
    this.recheck = setInterval(() => void this.recheckAll(), RECHECK_MS);
    this.recheck.unref();
    this.stopAccessWatch = this.accessChanges.onChanged(
      (users) => void this.recheckAll(users === 'everyone' ? undefined : users),
    );
  }

  onApplicationShutdown(): void {
    if (this.recheck) clearInterval(this.recheck);
    this.stopAccessWatch?.();
    for (const entry of this.open) entry.close(1001, 'Cockpit is restarting');
    this.server.close();
  }

  private async upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const started = Date.now();
    const url = new URL(request.url ?? '/', 'http://cockpit');
    const match = PATH.exec(url.pathname);
    const sourceIp = request.socket.remoteAddress ?? '';
    const requestId = String(request.headers['x-request-id'] ?? '');
    const refuse = async (status: number, message: string, principal?: Principal, vmId?: string) => {
      await this.record({
        principal,
        sourceIp,
        requestId,
        action: 'console.open',
        target: vmId ?? null,
        result: status >= 500 ? 'failure' : 'denied',
        status,
        params: { reason: message },
      });
      if (socket.writable)
        socket.end(
          `HTTP/1.1 ${status} ${status === 401 ? 'Unauthorized' : status === 403 ? 'Forbidden' : status === 404 ? 'Not Found' : 'Bad Gateway'}\r\n` +
            `Content-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n${message}\n`,
        );
      else socket.destroy();
    };
    try {
      if (!match?.[1] || !match[2])
        return await refuse(
          404,
          `Open ${CONSOLE_SOCKET_PREFIX}<vmId>/<ticket> with a ticket from POST /api/vms/<vmId>/console-tickets`,
        );
      const [, vmId, ticket] = match;
      if (!this.origins.allows(request.headers.origin))
        return await refuse(403, 'This page’s origin may not open consoles', undefined, vmId);
      const credentials = {
        cookie: request.headers.cookie,
        bearer: typeof request.headers.authorization === 'string' ? request.headers.authorization : undefined,
      };
      const principal = await this.principals.resolve(credentials, { touch: true });
      if (!principal) return await refuse(401, 'Sign in first: the console WebSocket needs your session', undefined, vmId);
      const redeemed = await this.tickets.redeem(ticket, vmId, principal);
      if (!redeemed.ok) return await refuse(403, REFUSALS[redeemed.reason], principal, vmId);
      const { kind } = redeemed.ticket;
      await this.access.authorize(principal, 'vm.console', 'vm', vmId);
      const vm = await this.inventory.getVm(vmId);
      const upstream = await this.connections.call(vm.hostId, (client) => client.console(vmId, kind), 10_000);
      let bridged = false;
      // The browser gave up while the host was being reached: do not leave the host's side open.
      socket.once('close', () => {
        if (!bridged) upstream.socket.terminate();
      });
      const setupMs = Date.now() - started;
      this.server.handleUpgrade(request, socket, head, (browser) => {
        bridged = true;
        this.bridge(browser, upstream, {
          principal,
          credentials,
          vmId,
          kind,
          sourceIp,
          requestId,
          ticketIssuedBy: redeemed.ticket.issuedBy,
          setupMs,
        });
      });
    } catch (error) {
      const status = error instanceof DomainError ? error.status : 502;
      await refuse(status, error instanceof Error ? error.message : 'The console could not be opened', undefined, match?.[1]);
    }
  }

  private bridge(
    browser: WebSocket,
    stream: ConsoleStream,
    context: {
      principal: Principal;
      credentials: OpenConsole['credentials'];
      vmId: string;
      kind: 'vnc' | 'serial';
      sourceIp: string;
      requestId: string;
      ticketIssuedBy: string;
      setupMs: number;
    },
  ): void {
    const upstream = stream.socket;
    const opened = Date.now();
    let closed = false;
    const entry: OpenConsole = {
      principal: context.principal,
      credentials: context.credentials,
      vmId: context.vmId,
      close: (code, reason) => finish(code, reason),
    };
    const finish = (code: number, reason: string) => {
      if (closed) return;
      closed = true;
      this.open.delete(entry);
      const safeCode = code >= 1000 && code < 5000 && code !== 1005 && code !== 1006 ? code : 1000;
      // Closing handshakes are for the living; a stopping instance just drops its consoles.
      if (browser.readyState === WebSocket.OPEN && code !== 1001) browser.close(safeCode, reason.slice(0, 120));
      else browser.terminate();
      if (upstream.readyState === WebSocket.OPEN) upstream.close(1000, 'browser left');
      else upstream.terminate();
      void this.record({
        principal: context.principal,
        sourceIp: context.sourceIp,
        requestId: context.requestId,
        action: 'console.close',
        target: context.vmId,
        result: 'success',
        status: 200,
        params: { kind: context.kind, durationMs: Date.now() - opened, reason },
      });
    };
    this.open.add(entry);
    const forward = (to: WebSocket, from: string) => (data: RawData, isBinary: boolean) => {
      if (to.readyState !== WebSocket.OPEN) return;
      if (to.bufferedAmount > MAX_BUFFERED) return finish(1013, `${from} is not reading fast enough`);
      to.send(data, { binary: isBinary });
    };
    browser.on('message', forward(upstream, 'The host'));
    stream.drain(forward(browser, 'The browser'));
    browser.on('close', () => finish(1000, 'closed by the browser'));
    upstream.on('close', (code, reason) => finish(code === 1000 ? 1000 : 1011, reason.toString() || 'closed by the host'));
    browser.on('error', () => finish(1011, 'browser connection failed'));
    upstream.on('error', () => finish(1011, 'host connection failed'));
    void this.record({
      principal: context.principal,
      sourceIp: context.sourceIp,
      requestId: context.requestId,
      action: 'console.open',
      target: context.vmId,
      result: 'success',
      status: 101,
      params: { kind: context.kind, ticketIssuedBy: context.ticketIssuedBy, setupMs: context.setupMs },
    });
  }

  /** Consoles whose session ended or whose permission went away are closed. */
  private async recheckAll(users?: readonly string[]): Promise<void> {
    for (const entry of [...this.open]) {
      if (users && !users.includes(entry.principal.userId)) continue;
      try {
        const principal = await this.principals.resolve(entry.credentials, { touch: false });
        const chain = principal ? await this.access.chainOf('vm', entry.vmId) : undefined;
        if (!principal) entry.close(4001, 'Your session ended or your token was revoked');
        else if (!chain || !isAllowed(principal.grants, 'vm.console', chain))
          entry.close(4003, 'You may no longer open this console');
      } catch (error) {
        // The database is away: keep the console, check again next round.
        this.logger.debug(`Console re-check failed: ${(error as Error).message}`);
      }
    }
  }

  private async record(entry: {
    principal?: Principal;
    sourceIp: string;
    requestId: string;
    action: string;
    target: string | null;
    result: AuditEntry['result'];
    status: number;
    params: Record<string, unknown>;
  }): Promise<void> {
    const { principal } = entry;
    try {
      await this.audit.record({
        actor: principal
          ? {
              type: principal.type,
              id: principal.type === 'token' ? (principal.tokenId ?? null) : principal.userId,
              name: principal.name,
            }
          : { type: 'anonymous', id: null, name: 'anonymous' },
        sourceIp: entry.sourceIp,
        action: entry.action,
        target: entry.target,
        params: entry.params,
        result: entry.result,
        status: entry.status,
        requestId: entry.requestId,
      });
    } catch (error) {
      this.logger.error({ err: error }, `Could not audit ${entry.action}`);
    }
  }
}
