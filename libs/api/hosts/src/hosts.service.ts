import { ConflictException, Injectable, NotFoundException, UnprocessableEntityException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import type { Host } from '@cockpit/contracts';
import {
  CertificateMismatchError,
  fetchPeerCertificate,
  VaporClient,
  VaporProtocolError,
  VaporRequestError,
} from '@cockpit/vapor-client';
import { HostEntity } from './entities/host.entity.js';

/** Enrollment with certificate pinning, and the host registry other modules read through. */
@Injectable()
export class HostsService {
  constructor(@InjectRepository(HostEntity) private readonly hosts: Repository<HostEntity>) {}

  async enroll(url: string, token: string, fingerprint?: string): Promise<HostEntity> {
    const normalised = url.replace(/\/+$/, '');
    if (await this.hosts.findOneBy({ url: normalised })) throw new ConflictException(`${normalised} is already enrolled`);
    let presented: string;
    try {
      presented = (await fetchPeerCertificate(normalised)).fingerprint;
    } catch (error) {
      throw new UnprocessableEntityException(`Cannot reach ${normalised}: ${(error as Error).message}`);
    }
    if (fingerprint && fingerprint !== presented) {
      throw new ConflictException(
        `Fingerprint mismatch: ${normalised} presents ${presented}, not the ${fingerprint} you gave. Nothing was enrolled.`,
      );
    }
    const host = this.hosts.create({
      url: normalised,
      name: new URL(normalised).host,
      token,
      fingerprint: presented,
      state: 'pending-trust',
      stateReason: fingerprint ? null : 'Confirm the certificate fingerprint to trust this host',
      enabled: true,
      hostUuid: null,
      agentVersion: null,
      info: null,
      ownerInstance: null,
      lastSeenAt: null,
    });
    if (!fingerprint) return this.hosts.save(host);
    await this.connect(host); // validates the token before anything is stored
    return this.hosts.save(host);
  }

  async trust(id: string, fingerprint: string): Promise<HostEntity> {
    const host = await this.get(id);
    if (host.state === 'untrusted') {
      // Re-pinning after a certificate change: the new fingerprint must be what the host presents now.
      const presented = await fetchPeerCertificate(host.url).catch((error: unknown) => {
        throw new UnprocessableEntityException(`Cannot reach ${host.url}: ${(error as Error).message}`);
      });
      if (presented.fingerprint !== fingerprint) {
        throw new ConflictException(
          `${host.url} presents ${presented.fingerprint}, not the ${fingerprint} you gave; nothing changed.`,
        );
      }
      host.fingerprint = presented.fingerprint;
    } else if (host.fingerprint !== fingerprint) {
      throw new ConflictException(
        `That is not the fingerprint ${host.url} presented (${host.fingerprint}); check it on the host (vapor prints it at start).`,
      );
    }
    await this.connect(host);
    return this.hosts.save(host);
  }

  /** Talks to the host over the pinned certificate and records what it says it is. */
  private async connect(host: HostEntity): Promise<void> {
    const client = new VaporClient(
      { baseUrl: host.url, token: host.token, fingerprint: host.fingerprint },
      { timeoutMs: 10_000 },
    );
    try {
      const info = await client.host();
      const other = await this.hosts.findOneBy({ hostUuid: info.uuid });
      if (other && other.id !== host.id)
        throw new ConflictException(`This is host ${info.hostname} (${info.uuid}), already enrolled as ${other.url}`);
      Object.assign(host, {
        hostUuid: info.uuid,
        name: info.hostname,
        agentVersion: info.agentVersion,
        info,
        state: 'connected',
        stateReason: null,
        lastSeenAt: new Date(),
      } satisfies Partial<HostEntity>);
    } catch (error) {
      if (error instanceof ConflictException) throw error;
      if (error instanceof VaporRequestError && error.status === 401)
        throw new UnprocessableEntityException(`${host.url} refused the token`);
      if (error instanceof CertificateMismatchError) throw new ConflictException(error.message);
      if (error instanceof VaporProtocolError)
        throw new UnprocessableEntityException(`${host.url} does not speak the Vapor API: ${error.message}`);
      throw new UnprocessableEntityException(`Cannot use ${host.url}: ${(error as Error).message}`);
    }
  }

  list(): Promise<HostEntity[]> {
    return this.hosts.find({ order: { name: 'ASC' } });
  }

  async get(id: string): Promise<HostEntity> {
    const host = await this.hosts.findOneBy({ id });
    if (!host) throw new NotFoundException(`No host ${id}`);
    return host;
  }

  async setEnabled(id: string, enabled: boolean): Promise<HostEntity> {
    const host = await this.get(id);
    host.enabled = enabled;
    if (!enabled) {
      host.state = 'disabled';
      host.stateReason = 'Collection disabled by an administrator';
    }
    return this.hosts.save(host);
  }

  async remove(id: string): Promise<void> {
    const result = await this.hosts.delete({ id });
    if (!result.affected) throw new NotFoundException(`No host ${id}`);
  }

  /** URLs already enrolled (the demo fleet enrollment skips them). */
  async enrolledUrls(): Promise<Set<string>> {
    return new Set((await this.hosts.find({ select: { url: true } })).map((h) => h.url));
  }
}

export function toHost(host: HostEntity): Host {
  return {
    id: host.id,
    url: host.url,
    name: host.name,
    state: host.state,
    stateReason: host.stateReason,
    fingerprint: host.fingerprint,
    enabled: host.enabled,
    hostUuid: host.hostUuid,
    agentVersion: host.agentVersion,
    info: host.info,
    ownerInstance: host.ownerInstance,
    lastSeenAt: host.lastSeenAt?.toISOString() ?? null,
    createdAt: host.createdAt.toISOString(),
  };
}
