import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { JobState } from '@cockpit/contracts';

/**
 * A durable job as people see it: what it does, who asked, where it stands. The work itself is
 * queued in pg-boss (its own schema) with only this row's id; the targets are rows of their own.
 */
@Entity('jobs')
@Index('jobs_created_id', ['createdAt', 'id'])
@Index('jobs_actor_created', ['actorId', 'createdAt'])
@Index('jobs_state_created', ['state', 'createdAt'])
export class JobEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'text' })
  kind!: string;

  @Column({ type: 'text' })
  title!: string;

  /** The narrowest scope holding every target, and its chain up to `/` (what the access checks read). */
  @Column({ type: 'text' })
  scope!: string;

  @Column({ name: 'scope_chain', type: 'text', array: true })
  scopeChain!: string[];

  @Column({ name: 'actor_id', type: 'uuid', nullable: true })
  actorId!: string | null;

  @Column({ name: 'actor_name', type: 'text' })
  actorName!: string;

  @Column({ type: 'text' })
  state!: JobState;

  @Column({ type: 'jsonb' })
  params!: Record<string, unknown>;

  @Column({ type: 'int', default: 0 })
  total!: number;

  @Column({ type: 'int', default: 0 })
  succeeded!: number;

  @Column({ type: 'int', default: 0 })
  failed!: number;

  @Column({ type: 'int', default: 0 })
  skipped!: number;

  @Column({ type: 'int', default: 0 })
  cancelled!: number;

  @Column({ type: 'int', default: 0 })
  attempts!: number;

  @Column({ type: 'text', nullable: true })
  instance!: string | null;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt!: Date | null;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;
}
