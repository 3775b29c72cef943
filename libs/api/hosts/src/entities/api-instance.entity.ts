import { Column, Entity, PrimaryColumn } from 'typeorm';

/** An api instance sharing this database; alive while its heartbeat is fresh. */
@Entity('api_instances')
export class ApiInstanceEntity {
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ name: 'started_at', type: 'timestamptz' })
  startedAt!: Date;

  @Column({ name: 'heartbeat_at', type: 'timestamptz' })
  heartbeatAt!: Date;
}
