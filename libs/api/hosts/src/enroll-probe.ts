import { Inject, Injectable } from '@nestjs/common';
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import type { AppConfig } from '@cockpit/api-config';
import { APP_CONFIG, UnprocessableError } from '@cockpit/api-core';
import { VaporProtocolError, VaporRequestError } from '@cockpit/vapor-client';

const UNREACHABLE_CODES: Record<string, string> = {
  ECONNREFUSED: 'the connection was refused',
  ENOTFOUND: 'the name does not resolve',
  EAI_AGAIN: 'the name could not be resolved now',
  EHOSTUNREACH: 'the host is unreachable',
  ENETUNREACH: 'the network is unreachable',
  ETIMEDOUT: 'it did not answer in time',
  ECONNRESET: 'the connection was reset',
  EPIPE: 'the connection was closed',
};

/**
 * Enrolling makes Cockpit connect where an administrator says, so it must not become a probe of
 * the api's own network: targets in the denied networks (HOST_ENROLL_DENY_NETWORKS; by default
 * link-local, where cloud metadata lives, and loopback in production) are refused before any
 * connection, and failures name the class of problem without echoing what the remote sent.
 */
@Injectable()
export class EnrollProbe {
  private readonly denied = new BlockList();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    for (const entry of config.enrollDenyNetworks) {
      const [address = '', prefix] = entry.split('/');
      const family = address.includes(':') ? 'ipv6' : 'ipv4';
      this.denied.addSubnet(address, Number(prefix ?? (family === 'ipv6' ? 128 : 32)), family);
    }
  }

  /** Refuses a URL whose host is, or resolves to, an address in a denied network. */
  async checkTarget(url: string): Promise<void> {
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
    let addresses: { address: string; family: number }[];
    if (isIP(host)) addresses = [{ address: host, family: isIP(host) }];
    else {
      try {
        addresses = await lookup(host, { all: true });
      } catch (error) {
        throw this.unreachable(url, error);
      }
    }
    for (const { address, family } of addresses) {
      if (this.isDenied(address, family)) {
        throw new UnprocessableError(
          `${url} resolves to ${address}, in a network hosts may not be enrolled from (HOST_ENROLL_DENY_NETWORKS: ${this.config.enrollDenyNetworks.join(', ') || 'none'})`,
        );
      }
    }
  }

  private isDenied(address: string, family: number): boolean {
    // An IPv4-mapped IPv6 address (::ffff:169.254.169.254) is the IPv4 address.
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
    if (mapped) return this.denied.check(mapped, 'ipv4');
    return this.denied.check(address, family === 6 ? 'ipv6' : 'ipv4');
  }

  /** What went wrong talking to a would-be host, as a class of problem; the remote's words stay out. */
  describe(url: string, error: unknown): UnprocessableError {
    if (error instanceof VaporRequestError) {
      if (error.status === 401 || error.status === 403) return new UnprocessableError(`${url} refused the token`);
      if (error.status === 404)
        return new UnprocessableError(`${url} answered, but not as a Vapor agent (no Vapor API at this URL)`);
      return new UnprocessableError(`${url} answered HTTP ${error.status}: it is not a working Vapor agent`);
    }
    if (error instanceof VaporProtocolError)
      return new UnprocessableError(`${url} answered, but not as a Vapor agent (its answers break the Vapor API)`);
    const code = (error as NodeJS.ErrnoException | undefined)?.code ?? '';
    if (UNREACHABLE_CODES[code] || /timed out|did not answer/i.test((error as Error | undefined)?.message ?? ''))
      return this.unreachable(url, error);
    if (/^(ERR_SSL|ERR_TLS|EPROTO)/.test(code) || /TLS|SSL|certificate/i.test((error as Error | undefined)?.message ?? ''))
      return new UnprocessableError(`${url} did not complete a TLS handshake: is it the HTTPS address of a Vapor agent?`);
    return new UnprocessableError(`Cannot use ${url}: the connection failed (${code || 'unknown error'})`);
  }

  private unreachable(url: string, error: unknown): UnprocessableError {
    const code = (error as NodeJS.ErrnoException | undefined)?.code ?? '';
    return new UnprocessableError(`Cannot reach ${url}: ${UNREACHABLE_CODES[code] ?? 'it did not answer in time'}`);
  }
}
