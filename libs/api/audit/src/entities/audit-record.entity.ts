import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** One line of the append-only audit log; the database refuses UPDATE, DELETE and TRUNCATE on it. */
@Entity('audit_log')
@Index(['at'])
@Index(['actorName', 'at'])
@Index(['action', 'at'])
export class AuditRecordEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  at!: Date;

  @Column({ name: 'actor_type', type: 'text' })
  actorType!: 'user' | 'token' | 'anonymous';

  @Column({ name: 'actor_id', type: 'uuid', nullable: true })
  actorId!: string | null;

  @Column({ name: 'actor_name', type: 'text' })
  actorName!: string;

  @Column({ name: 'source_ip', type: 'text' })
  sourceIp!: string;

  @Column({ type: 'text' })
  action!: string;

  @Column({ type: 'text', nullable: true })
  target!: string | null;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  params!: Record<string, unknown>;

  @Column({ type: 'text' })
  result!: 'success' | 'failure' | 'denied';

  @Column({ type: 'int' })
  status!: number;

  @Column({ name: 'request_id', type: 'text' })
  requestId!: string;
}
