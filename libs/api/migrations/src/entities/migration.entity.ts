import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type {
  MigrationProgress,
  MigrationState,
  MigrationType,
  PreflightCheck,
  ResolvedMigrateOptions,
  StorageMove,
} from '@cockpit/contracts';

/**
 * One VM move and its record: what was asked, the checks as they stood, where it is, and how it
 * ended. Written by the instance driving its job; `cancel_requested` and `max_bandwidth_mbps` are
 * how a request on any instance reaches that driver (it reads its row every tick).
 */
@Entity('migrations')
@Index('migrations_created_id', ['createdAt', 'id'])
@Index('migrations_vm_created', ['vmId', 'createdAt'])
@Index('migrations_source_created', ['sourceHostId', 'createdAt'])
@Index('migrations_target_created', ['targetHostId', 'createdAt'])
@Index('migrations_state', ['state'])
@Index('migrations_job', ['jobId'])
export class MigrationEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'job_id', type: 'uuid' })
  jobId!: string;

  @Column({ type: 'text' })
  type!: MigrationType;

  @Column({ name: 'vm_id', type: 'uuid' })
  vmId!: string;

  @Column({ name: 'vm_name', type: 'text' })
  vmName!: string;

  /** What the VM takes on its destination while it moves (counted against free memory there). */
  @Column({ name: 'memory_mib', type: 'int' })
  memoryMiB!: number;

  @Column({ name: 'source_host_id', type: 'uuid' })
  sourceHostId!: string;

  @Column({ name: 'source_host_name', type: 'text' })
  sourceHostName!: string;

  @Column({ name: 'target_host_id', type: 'uuid' })
  targetHostId!: string;

  @Column({ name: 'target_host_name', type: 'text' })
  targetHostName!: string;

  /** The VM's scope chain when it was asked (who may see and cancel it). */
  @Column({ name: 'scope_chain', type: 'text', array: true })
  scopeChain!: string[];

  @Column({ type: 'jsonb' })
  options!: ResolvedMigrateOptions;

  @Column({ type: 'jsonb', default: () => "'[]'" })
  storage!: StorageMove[];

  @Column({ name: 'delete_source', type: 'boolean', default: true })
  deleteSource!: boolean;

  @Column({ type: 'text', default: 'queued' })
  state!: MigrationState;

  @Column({ type: 'text', nullable: true })
  reason!: string | null;

  @Column({ type: 'jsonb', default: () => "'[]'" })
  preflight!: PreflightCheck[];

  @Column({ type: 'jsonb', nullable: true })
  progress!: MigrationProgress | null;

  /** The host's job doing it now (the source's migration, or the current disk's mirror). */
  @Column({ name: 'agent_job_id', type: 'uuid', nullable: true })
  agentJobId!: string | null;

  @Column({ name: 'cancel_requested', type: 'boolean', default: false })
  cancelRequested!: boolean;

  /** The limit asked for (a PATCH while it runs); the driver passes a change on to the host. */
  @Column({ name: 'max_bandwidth_mbps', type: 'double precision', nullable: true })
  maxBandwidthMBps!: number | null;

  @Column({ name: 'transferred_bytes', type: 'bigint', default: 0 })
  transferredBytes!: string;

  @Column({ type: 'int', default: 0 })
  iterations!: number;

  @Column({ name: 'downtime_ms', type: 'double precision', nullable: true })
  downtimeMs!: number | null;

  @Column({ type: 'text' })
  origin!: 'single' | 'evacuation' | 'rebalance';

  @Column({ name: 'actor_id', type: 'uuid', nullable: true })
  actorId!: string | null;

  @Column({ name: 'actor_name', type: 'text' })
  actorName!: string;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt!: Date | null;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;
}

export const migrationEntities = [MigrationEntity];
