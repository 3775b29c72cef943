import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A console ticket: stored only as its hash, bound to one VM, one user (and session or token) and
 * one kind of console, issued by one api instance, usable once within 30 s on any instance.
 */
@Entity('console_tickets')
@Index('console_tickets_expires', ['expiresAt'])
export class ConsoleTicketEntity {
  @PrimaryColumn({ name: 'ticket_hash', type: 'text' })
  ticketHash!: string;

  @Column({ name: 'vm_id', type: 'uuid' })
  vmId!: string;

  @Column({ type: 'text' })
  kind!: 'vnc' | 'serial';

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  /** The session (hash) or token the ticket was asked with: the WebSocket must come with the same. */
  @Column({ name: 'credential', type: 'text' })
  credential!: string;

  @Column({ name: 'issued_by', type: 'text' })
  issuedBy!: string;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ name: 'used_at', type: 'timestamptz', nullable: true })
  usedAt!: Date | null;

  @Column({ name: 'used_by', type: 'text', nullable: true })
  usedBy!: string | null;
}
