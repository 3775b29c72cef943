import { Inject, Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { AddressInfo } from 'node:net';
import type { AppConfig } from '@cockpit/api-config';
import { APP_CONFIG } from '../config/app-config.token.js';

/**
 * Which browser origins may change state and open live streams. With PUBLIC_URL set, exactly its
 * origin. Without it (a laptop), the origins the api itself prints: http://<HOST>:<port> and
 * http://localhost:<port> (127.0.0.1 too when listening on every address), with the port the
 * server really listens on (PORT=0 picks one). Never derived from the request's Host header,
 * which the caller controls.
 */
@Injectable()
export class OriginPolicy {
  private allowed?: ReadonlySet<string>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  /** A request without Origin is not from a browser page and is judged by its credentials alone. */
  allows(origin: string | undefined): boolean {
    if (origin === undefined) return true;
    return this.origins().has(origin);
  }

  origins(): ReadonlySet<string> {
    if (this.allowed) return this.allowed;
    if (this.config.publicUrlExplicit) {
      this.allowed = new Set([new URL(this.config.publicUrl).origin]);
      return this.allowed;
    }
    const address = this.adapterHost.httpAdapter?.getHttpServer()?.address() as AddressInfo | string | null | undefined;
    // Not listening yet: nothing is allowed, and nothing is cached.
    if (!address || typeof address === 'string') return new Set();
    const hosts = new Set(['localhost']);
    if (this.config.host === '0.0.0.0' || this.config.host === '::') hosts.add('127.0.0.1');
    else hosts.add(this.config.host.includes(':') ? `[${this.config.host}]` : this.config.host);
    this.allowed = new Set([...hosts].map((host) => `http://${host}:${address.port}`));
    return this.allowed;
  }
}
