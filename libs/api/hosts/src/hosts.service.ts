import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { ConflictError, NotFoundError, SECRET_BOX, SecretBox } from '@cockpit/api-core';
import { EventHubService } from '@cockpit/api-events';
import type { Host, HostDetail, HostInfo } from '@cockpit/contracts';
import { CertificateMismatchError, fetchPeerCertificate } from '@cockpit/vapor-client';
import { HostEntity } from './entities/host.entity.js';
import { EnrollProbe } from './enroll-probe.js';
import { HostConnections } from './host-connections.js';
import { InventoryService } from './inventory.service.js';

/** Enrollment with certificate pinning, and the host registry other modules read through. */
@Injectable()
export class HostsService {
  constructor(
    @InjectRepository(HostEntity) private readonly hosts: Repository<HostEntity>,
    private readonly inventory: InventoryService,
    @Inject(SECRET_BOX) private readonly secrets: SecretBox,
    private readonly events: EventHubService,
    private readonly probe: EnrollProbe,
  ) {}

  /** Agent tokens are stored sealed: seal any left from before, and refuse to start with the wrong key. */
  async onModuleInit(): Promise<void> {
    for (const host of await this.hosts.find()) {
      if (!SecretBox.isSealed(host.token)) await this.hosts.update({ id: host.id }, { token: this.secrets.seal(host.token) });
    }
    const sample = await this.hosts.findOne({ where: {}, order: { createdAt: 'ASC' } });
    if (sample) {
      try {
        this.secrets.open(sample.token);
      } catch (error) {
        throw new Error(`Cannot read the stored agent tokens: ${(error as Error).message}`);
      }
    }
  }

  private announce(host: HostEntity, reason: 'enrolled' | 'edited'): HostEntity {
    this.events.publish('host.changed', { hostId: host.id, reason });
    return host;
  }

  /** The agent token in clear, for talking to the host. */
  agentToken(host: Pick<HostEntity, 'token'>): string {
    return this.secrets.open(host.token);
  }

  async enroll(url: string, token: string, fingerprint?: string): Promise<HostEntity> {
    const normalised = url.replace(/\/+$/, '');
    if (await this.hosts.findOneBy({ url: normalised })) throw new ConflictError(`${normalised} is already enrolled`);
    await this.probe.checkTarget(normalised);
    let presented: string;
    try {
      presented = (await fetchPeerCertificate(normalised)).fingerprint;
    } catch (error) {
      throw this.probe.describe(normalised, error);
    }
    if (fingerprint && fingerprint !== presented) {
      throw new ConflictError(
        `Fingerprint mismatch: ${normalised} presents ${presented}, not the ${fingerprint} you gave. Nothing was enrolled.`,
      );
    }
    const host = this.hosts.create({
      url: normalised,
      name: new URL(normalised).host,
      token: this.secrets.seal(token),
      fingerprint: presented,
      state: 'pending-trust',
      stateReason: fingerprint ? null : 'Confirm the certificate fingerprint to trust this host',
      enabled: true,
      hostUuid: null,
      agentVersion: null,
      cpuPercent: null,
      memoryUsedMiB: null,
      statsAt: null,
      ownerInstance: null,
      lastSeenAt: null,
    });
    if (!fingerprint) return this.announce(await this.hosts.save(host), 'enrolled');
    const info = await this.connect(host, token); // validates the token before anything is stored
    const saved = await this.hosts.save(host);
    await this.inventory.syncHardware(saved.id, info);
    return this.announce(saved, 'enrolled');
  }

  async trust(id: string, fingerprint: string): Promise<HostEntity> {
    const host = await this.get(id);
    if (host.state === 'untrusted') {
      // Re-pinning after a certificate change: the new fingerprint must be what the host presents now.
      const presented = await fetchPeerCertificate(host.url).catch((error: unknown) => {
        throw this.probe.describe(host.url, error);
      });
      if (presented.fingerprint !== fingerprint) {
        throw new ConflictError(
          `${host.url} presents ${presented.fingerprint}, not the ${fingerprint} you gave; nothing changed.`,
        );
      }
      host.fingerprint = presented.fingerprint;
    } else if (host.fingerprint !== fingerprint) {
      throw new ConflictError(
        `That is not the fingerprint ${host.url} presented (${host.fingerprint}); check it on the host (vapor prints it at start).`,
      );
    }
    const info = await this.connect(host, this.agentToken(host));
    const saved = await this.hosts.save(host);
    await this.inventory.syncHardware(saved.id, info);
    return this.announce(saved, 'edited');
  }

  /** Talks to the host over the pinned certificate and records what it says it is. */
  private async connect(host: HostEntity, token: string): Promise<HostInfo> {
    const client = HostConnections.clientForEndpoint({ baseUrl: host.url, token, fingerprint: host.fingerprint });
    try {
      const info = await client.host();
      if (host.hostUuid && host.hostUuid !== info.uuid)
        throw new ConflictError(
          `${host.url} is host ${info.hostname} (${info.uuid}), not the one enrolled here (${host.hostUuid})`,
        );
      const other = await this.hosts.findOneBy({ hostUuid: info.uuid });
      if (other && other.id !== host.id)
        throw new ConflictError(`This is host ${info.hostname} (${info.uuid}), already enrolled as ${other.url}`);
      Object.assign(host, {
        hostUuid: info.uuid,
        name: info.hostname,
        agentVersion: info.agentVersion,
        state: 'connected',
        stateReason: null,
        lastSeenAt: new Date(),
      } satisfies Partial<HostEntity>);
      return info;
    } catch (error) {
      if (error instanceof ConflictError) throw error;
      if (error instanceof CertificateMismatchError) throw new ConflictError(error.message);
      throw this.probe.describe(host.url, error);
    }
  }

  /** Hosts as the API shows them: registry fields, hardware summary, latest stats and VM counts. */
  async summaries(ids?: readonly string[]): Promise<Host[]> {
    const rows = (await this.hosts.query(
      `SELECT h.*, hw.cpu_model, hw.sockets * hw.cores_per_socket * hw.threads_per_core AS cpu_threads,
         hw.memory_total_mib, COALESCE(v.total, 0)::int AS vm_count, COALESCE(v.running, 0)::int AS vms_running
       FROM hosts h
       LEFT JOIN host_hardware hw ON hw.host_id = h.id
       LEFT JOIN (SELECT host_id, count(*) AS total, count(*) FILTER (WHERE state = 'running') AS running
                  FROM vms GROUP BY host_id) v ON v.host_id = h.id
       ${ids ? 'WHERE h.id = ANY($1::uuid[])' : ''}
       ORDER BY h.name, h.id`,
      ids ? [ids] : [],
    )) as SummaryRow[];
    return rows.map(toHostSummary);
  }

  async summary(id: string): Promise<Host> {
    const [host] = await this.summaries([id]);
    if (!host) throw new NotFoundError(`No host ${id}`);
    return host;
  }

  /** One host with its hardware, pools and bridges. */
  async detail(id: string): Promise<HostDetail> {
    const host = await this.summary(id);
    const [hardware] = (await this.hosts.query('SELECT * FROM host_hardware WHERE host_id = $1', [id])) as HardwareRow[];
    const pools = (await this.hosts.query(
      `SELECT pool_id AS id, type, capacity_bytes::float8 AS "capacityBytes", free_bytes::float8 AS "freeBytes"
       FROM host_pools WHERE host_id = $1 ORDER BY pool_id`,
      [id],
    )) as HostDetail['pools'];
    const networks = (await this.hosts.query(
      'SELECT network_id AS id, type, vlan, mtu FROM host_networks WHERE host_id = $1 ORDER BY network_id',
      [id],
    )) as HostDetail['networks'];
    return {
      ...host,
      hardware: hardware
        ? {
            cpu: {
              vendor: hardware.cpu_vendor,
              model: hardware.cpu_model,
              features: hardware.cpu_features,
              sockets: hardware.sockets,
              coresPerSocket: hardware.cores_per_socket,
              threadsPerCore: hardware.threads_per_core,
            },
            memory: { totalMiB: hardware.memory_total_mib, freeMiB: hardware.memory_free_mib },
            numa: hardware.numa,
            hypervisor: {
              name: hardware.hypervisor_name,
              version: hardware.hypervisor_version,
              driver: hardware.hypervisor_driver,
            },
            bootedAt: hardware.booted_at.toISOString(),
          }
        : null,
      pools,
      networks,
    };
  }

  async get(id: string): Promise<HostEntity> {
    const host = await this.hosts.findOneBy({ id });
    if (!host) throw new NotFoundError(`No host ${id}`);
    return host;
  }

  /**
   * Edit a host: enable or disable collecting (history is kept), or point it at a new URL or token
   * (the agent moved, or its token was rotated). A new URL must present the pinned certificate, and
   * a new URL or token must work before anything is saved.
   */
  async update(id: string, change: { enabled?: boolean; url?: string; token?: string }): Promise<HostEntity> {
    const host = await this.get(id);
    const url = change.url?.replace(/\/+$/, '');
    if (url !== undefined && url !== host.url) {
      const other = await this.hosts.findOneBy({ url });
      if (other) throw new ConflictError(`${url} is already enrolled`);
      await this.probe.checkTarget(url);
      const presented = await fetchPeerCertificate(url).catch((error: unknown) => {
        throw this.probe.describe(url, error);
      });
      if (presented.fingerprint !== host.fingerprint)
        throw new ConflictError(
          `${url} presents ${presented.fingerprint}, not the pinned ${host.fingerprint}: enroll it as a new host instead. Nothing changed.`,
        );
      host.url = url;
    }
    const token = change.token ?? this.agentToken(host);
    if (change.token !== undefined) host.token = this.secrets.seal(change.token);
    if ((url !== undefined || change.token !== undefined) && host.state !== 'pending-trust') {
      const info = await this.connect(host, token);
      await this.inventory.syncHardware(host.id, info);
    }
    if (change.enabled !== undefined && change.enabled !== host.enabled) {
      host.enabled = change.enabled;
      host.state = change.enabled ? 'unreachable' : 'disabled';
      host.stateReason = change.enabled ? 'Waiting for the collector to connect' : 'Collection disabled by an administrator';
    }
    return this.announce(await this.hosts.save(host), 'edited');
  }

  async remove(id: string): Promise<void> {
    const result = await this.hosts.delete({ id });
    if (!result.affected) throw new NotFoundError(`No host ${id}`);
    this.events.publish('host.changed', { hostId: id, reason: 'removed' });
  }

  /** URLs already enrolled (the demo fleet enrollment skips them). */
  async enrolledUrls(): Promise<Set<string>> {
    return new Set((await this.hosts.find({ select: { url: true } })).map((h) => h.url));
  }
}

export interface SummaryRow {
  id: string;
  url: string;
  name: string;
  state: Host['state'];
  state_reason: string | null;
  fingerprint: string;
  enabled: boolean;
  host_uuid: string | null;
  agent_version: string | null;
  owner_instance: string | null;
  last_seen_at: Date | null;
  created_at: Date;
  cpu_percent: number | null;
  memory_used_mib: number | null;
  stats_at: Date | null;
  cpu_model: string | null;
  cpu_threads: number | null;
  memory_total_mib: number | null;
  vm_count: number;
  vms_running: number;
}

interface HardwareRow {
  cpu_vendor: string;
  cpu_model: string;
  cpu_features: string[];
  sockets: number;
  cores_per_socket: number;
  threads_per_core: number;
  memory_total_mib: number;
  memory_free_mib: number;
  numa: { id: number; cpus: number[]; memoryMiB: number }[];
  hypervisor_name: string;
  hypervisor_version: string;
  hypervisor_driver: string;
  booted_at: Date;
}

/** The API shape of a host: never its agent token. */
export function toHostSummary(row: SummaryRow): Host {
  return {
    id: row.id,
    url: row.url,
    name: row.name,
    state: row.state,
    stateReason: row.state_reason,
    fingerprint: row.fingerprint,
    enabled: row.enabled,
    hostUuid: row.host_uuid,
    agentVersion: row.agent_version,
    cpuModel: row.cpu_model,
    cpuThreads: row.cpu_threads,
    memoryTotalMiB: row.memory_total_mib,
    stats:
      row.stats_at && row.cpu_percent !== null && row.memory_used_mib !== null
        ? { cpuPercent: row.cpu_percent, memoryUsedMiB: row.memory_used_mib, at: row.stats_at.toISOString() }
        : null,
    vmCount: row.vm_count,
    vmsRunning: row.vms_running,
    ownerInstance: row.owner_instance,
    lastSeenAt: row.last_seen_at?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(),
  };
}
