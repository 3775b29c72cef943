import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/** A console session. Only the SHA-256 of the session id is stored: a leaked table opens nothing. */
@Entity('sessions')
@Index(['userId'])
export class SessionEntity {
  @PrimaryColumn({ name: 'id_hash', type: 'text' })
  idHash!: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @Column({ name: 'csrf_token', type: 'text' })
  csrfToken!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'last_seen_at', type: 'timestamptz' })
  lastSeenAt!: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ name: 'source_ip', type: 'text' })
  sourceIp!: string;

  @Column({ name: 'user_agent', type: 'text' })
  userAgent!: string;

  /**
   * This session showed a second factor: signed in with a code (or a recovery code), or enrolled
   * in it. While a role requires one, a session without it may only enroll (the user has none yet)
   * or must sign in again (the user has one). Checked on every request, so role changes apply at once.
   */
  @Column({ name: 'second_factor', type: 'boolean', default: false })
  secondFactor!: boolean;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;
}
