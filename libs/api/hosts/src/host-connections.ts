import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import {
  ConflictError,
  DomainError,
  HostTimeoutError,
  HostUnavailableError,
  NotFoundError,
  SECRET_BOX,
  SecretBox,
  UnprocessableError,
} from '@cockpit/api-core';
import {
  CertificateMismatchError,
  VaporClient,
  VaporProtocolError,
  VaporRequestError,
  type VaporClientOptions,
  type VaporEndpoint,
} from '@cockpit/vapor-client';
import { HostEntity } from './entities/host.entity.js';

/**
 * What went wrong asking a host, in the API's words: the host's own refusal is a 409 with its
 * reason (404 for what it does not have); a host that cannot be reached or answers nonsense is a
 * 502, one that does not answer in time a 504.
 */
export function agentError(hostName: string, error: unknown): DomainError {
  if (error instanceof DomainError) return error;
  if (error instanceof VaporRequestError) {
    if (error.status === 409 || error.status === 412) return new ConflictError(`Host ${hostName} refused: ${error.message}`);
    if (error.status === 404) return new NotFoundError(`Host ${hostName}: ${error.message}`);
    if (error.status === 401 || error.status === 403)
      return new HostUnavailableError(`Host ${hostName} refused Cockpit's agent token: give the host its current token`);
    if (error.status < 500) return new UnprocessableError(`Host ${hostName} refused the request: ${error.message}`);
    return new HostUnavailableError(`Host ${hostName} failed (HTTP ${error.status}): ${error.message}`);
  }
  if (error instanceof CertificateMismatchError)
    return new HostUnavailableError(`Host ${hostName} presents a different certificate: trust it again first`);
  if (error instanceof VaporProtocolError)
    return new HostUnavailableError(`Host ${hostName} answered something that breaks the Vapor API`);
  if (/did not answer within|timed out/i.test((error as Error | undefined)?.message ?? ''))
    return new HostTimeoutError(`Host ${hostName} did not answer in time`);
  return new HostUnavailableError(
    `Cannot reach host ${hostName} (${(error as NodeJS.ErrnoException | undefined)?.code ?? 'connection failed'})`,
  );
}

/** The one way to talk to an enrolled host: its pinned certificate and its token, errors mapped once. */
@Injectable()
export class HostConnections {
  constructor(
    @InjectRepository(HostEntity) private readonly hosts: Repository<HostEntity>,
    @Inject(SECRET_BOX) private readonly secrets: SecretBox,
  ) {}

  /** A client for an endpoint not enrolled yet (enrollment, a new URL or token). */
  static clientForEndpoint(endpoint: VaporEndpoint, timeoutMs = 10_000): VaporClient {
    return new VaporClient(endpoint, { timeoutMs });
  }

  async clientFor(hostId: string, timeoutMs = 15_000): Promise<{ host: HostEntity; client: VaporClient }> {
    const host = await this.hosts.findOneBy({ id: hostId });
    if (!host) throw new NotFoundError(`No host ${hostId}`);
    if (host.state === 'pending-trust' || host.state === 'untrusted')
      throw new ConflictError(`Host ${host.name} is ${host.state}: trust its certificate first`);
    return { host, client: this.clientForHost(host, { timeoutMs }) };
  }

  /**
   * A client for an enrolled host already loaded (the collector reads its hosts in bulk, and its
   * sessions keep one per host): the pinned certificate and the stored token, opened here. Throws
   * when the token was sealed with another key. Whether the host is trusted is the caller's check.
   */
  clientForHost(host: Pick<HostEntity, 'url' | 'token' | 'fingerprint'>, options: VaporClientOptions = {}): VaporClient {
    return new VaporClient(
      { baseUrl: host.url, token: this.secrets.open(host.token), fingerprint: host.fingerprint },
      { timeoutMs: 15_000, ...options },
    );
  }

  /**
   * How one agent reaches and trusts another (a live migration's source drives its destination
   * directly): the destination's URL, its pinned certificate and the token Cockpit holds for it.
   */
  async peerRef(hostId: string): Promise<{ host: HostEntity; peer: { url: string; token: string; fingerprint: string } }> {
    const host = await this.hosts.findOneBy({ id: hostId });
    if (!host) throw new NotFoundError(`No host ${hostId}`);
    if (host.state === 'pending-trust' || host.state === 'untrusted')
      throw new ConflictError(`Host ${host.name} is ${host.state}: trust its certificate first`);
    return { host, peer: { url: host.url, token: this.secrets.open(host.token), fingerprint: host.fingerprint } };
  }

  /** Runs one request against a host, with its errors in the API's words. */
  async call<T>(hostId: string, work: (client: VaporClient) => Promise<T>, timeoutMs?: number): Promise<T> {
    const { host, client } = await this.clientFor(hostId, timeoutMs);
    try {
      return await work(client);
    } catch (error) {
      throw agentError(host.name, error);
    }
  }
}
