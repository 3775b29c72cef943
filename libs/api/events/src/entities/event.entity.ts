import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * Recent events, kept for an hour so a client that reconnects gets what it missed. `seq` comes
 * from one sequence shared by every api instance; stats frames take a number from it too but are
 * not stored (a chart reloads its history instead).
 */
@Entity('events')
export class EventEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  seq!: string;

  @Index('events_ts')
  @Column({ type: 'timestamptz', default: () => 'now()' })
  ts!: Date;

  @Column({ type: 'text' })
  type!: string;

  /** The socket.io rooms the event went to: replay filters by the rooms a client is in. */
  @Column({ type: 'text', array: true })
  rooms!: string[];

  @Column({ type: 'jsonb' })
  data!: Record<string, unknown>;
}
