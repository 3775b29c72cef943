import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { HostState } from '@cockpit/contracts';

@Entity('hosts')
// Keyset paging of GET /api/hosts.
@Index('hosts_name_id', ['name', 'id'])
@Index('hosts_state_name_id', ['state', 'name', 'id'])
export class HostEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text', unique: true })
  url!: string;

  @Column({ type: 'text' })
  name!: string;

  /** The agent's bearer token. Kept to reconnect; never returned by the API. */
  @Column({ type: 'text' })
  token!: string;

  /** Pinned SHA-256 certificate fingerprint (pending trust: the one presented, not yet trusted). */
  @Column({ type: 'text' })
  fingerprint!: string;

  @Column({ type: 'text' })
  state!: HostState;

  @Column({ name: 'state_reason', type: 'text', nullable: true })
  stateReason!: string | null;

  @Column({ type: 'boolean', default: true })
  enabled!: boolean;

  @Index('hosts_host_uuid', { unique: true, where: '"host_uuid" IS NOT NULL' })
  @Column({ name: 'host_uuid', type: 'uuid', nullable: true })
  hostUuid!: string | null;

  @Column({ name: 'agent_version', type: 'text', nullable: true })
  agentVersion!: string | null;

  /** Latest stats sample (written in batches by the owning collector). */
  @Column({ name: 'cpu_percent', type: 'real', nullable: true })
  cpuPercent!: number | null;

  @Column({ name: 'memory_used_mib', type: 'real', nullable: true })
  memoryUsedMiB!: number | null;

  @Column({ name: 'stats_at', type: 'timestamptz', nullable: true })
  statsAt!: Date | null;

  /** The api instance whose collector holds this host's ownership lock (null: nobody yet). */
  @Column({ name: 'owner_instance', type: 'text', nullable: true })
  ownerInstance!: string | null;

  @Column({ name: 'last_seen_at', type: 'timestamptz', nullable: true })
  lastSeenAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
