import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { JobTargetState } from '@cockpit/contracts';

/**
 * One target of a job and how it went. A target is marked running before its step starts and
 * finished after, so an instance that takes the job over knows which steps were in flight.
 */
@Entity('job_targets')
@Index('job_targets_state', ['jobId', 'state', 'ordinal'])
@Index('job_targets_label', ['jobId', 'label', 'targetId'])
export class JobTargetEntity {
  @PrimaryColumn({ name: 'job_id', type: 'uuid' })
  jobId!: string;

  @PrimaryColumn({ name: 'target_id', type: 'text' })
  targetId!: string;

  /** The order targets were given in, which is the order they run in. */
  @Column({ type: 'int' })
  ordinal!: number;

  @Column({ type: 'text' })
  label!: string;

  /** What limits concurrency (the VM's host): at most N targets of a group run at once. */
  @Column({ name: 'group_key', type: 'text', nullable: true })
  group!: string | null;

  @Column({ type: 'text', default: 'pending' })
  state!: JobTargetState;

  @Column({ type: 'text', nullable: true })
  message!: string | null;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt!: Date | null;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;
}
