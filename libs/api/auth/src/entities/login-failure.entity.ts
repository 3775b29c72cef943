import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Recent failed sign-ins per account (`user:<name>`) and per source address (`ip:<addr>`). */
@Entity('login_failures')
export class LoginFailureEntity {
  @PrimaryColumn({ type: 'text' })
  key!: string;

  @Column({ type: 'int' })
  failures!: number;

  @Column({ name: 'last_failure_at', type: 'timestamptz' })
  lastFailureAt!: Date;

  @Column({ name: 'blocked_until', type: 'timestamptz', nullable: true })
  blockedUntil!: Date | null;
}
