import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { LoginFailureEntity } from './entities/login-failure.entity.js';

/** Failures allowed before slowing down: per account, and (many users may share a NAT) per address. */
const FREE_FAILURES = { user: 5, ip: 20 } as const;
const MAX_BLOCK_SECONDS = 15 * 60;
/** Failures older than this are forgiven. */
const WINDOW_SECONDS = 60 * 60;

/**
 * Slows down password guessing per account and per source address: after 5 failures on an account
 * (20 from one address) each further one blocks that key for 2, 4, 8 ... seconds, at most 15 minutes. Kept in PostgreSQL so every
 * api instance sees the same counts.
 */
@Injectable()
export class ThrottleService {
  constructor(@InjectRepository(LoginFailureEntity) private readonly failures: Repository<LoginFailureEntity>) {}

  static keys(username: string, ip: string): string[] {
    return [`user:${username.toLowerCase()}`, `ip:${ip}`];
  }

  /** Seconds to wait before another attempt may be made with these keys (0: go ahead). */
  async retryAfter(keys: string[]): Promise<number> {
    const rows = await this.failures.find({ where: { key: In(keys) } });
    const now = Date.now();
    return Math.max(0, ...rows.map((row) => (row.blockedUntil ? Math.ceil((row.blockedUntil.getTime() - now) / 1000) : 0)));
  }

  async fail(keys: string[]): Promise<void> {
    for (const key of keys) {
      // One statement: concurrent failures on several instances all count.
      await this.failures.query(
        `INSERT INTO login_failures (key, failures, last_failure_at, blocked_until) VALUES ($1, 1, now(), NULL)
         ON CONFLICT (key) DO UPDATE SET
           failures = CASE WHEN login_failures.last_failure_at < now() - make_interval(secs => $2) THEN 1 ELSE login_failures.failures + 1 END,
           last_failure_at = now(),
           blocked_until = CASE
             WHEN login_failures.last_failure_at >= now() - make_interval(secs => $2) AND login_failures.failures + 1 > $3
             THEN now() + make_interval(secs => LEAST($4, power(2, login_failures.failures + 1 - $3)))
             ELSE NULL END`,
        [key, WINDOW_SECONDS, key.startsWith('ip:') ? FREE_FAILURES.ip : FREE_FAILURES.user, MAX_BLOCK_SECONDS],
      );
    }
  }

  async succeed(keys: string[]): Promise<void> {
    await this.failures.delete({ key: keys[0] ?? '' });
  }
}
