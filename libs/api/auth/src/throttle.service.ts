import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** Attempts allowed before slowing down: per account, and (many users may share a NAT) per address. */
const FREE_ATTEMPTS = { user: 5, ip: 20 } as const;
const MAX_BLOCK_SECONDS = 15 * 60;
/** Attempts older than this are forgiven. */
const WINDOW_SECONDS = 60 * 60;

const free = (key: string) => (key.startsWith('ip:') ? FREE_ATTEMPTS.ip : FREE_ATTEMPTS.user);

/** The count after this attempt: 1 when the last one is older than the window. */
const NEXT = `(CASE WHEN f.last_failure_at < now() - make_interval(secs => $2) THEN 1 ELSE f.failures + 1 END)`;

/**
 * Counts an attempt unless the key is blocked, in one statement (rows are locked while they
 * change, so concurrent attempts on every api instance each see the count before them). The
 * attempt that reaches the limit blocks the key for 2 s, the next one for 4, 8 ... at most 15 min.
 * No row back: the key was blocked and nothing was counted.
 */
const ATTEMPT = `
  INSERT INTO login_failures AS f (key, failures, last_failure_at, blocked_until)
  VALUES ($1, 1, now(), CASE WHEN 1 >= $3 THEN now() + make_interval(secs => 2) ELSE NULL END)
  ON CONFLICT (key) DO UPDATE SET
    failures = ${NEXT},
    last_failure_at = now(),
    blocked_until = CASE WHEN ${NEXT} >= $3
      THEN now() + make_interval(secs => LEAST($4, power(2, ${NEXT} - $3 + 1)))
      ELSE NULL END
  WHERE f.blocked_until IS NULL OR f.blocked_until <= now()
  RETURNING failures`;

/** Takes back an attempt that was not a wrong guess; below the limit nothing is blocked. */
const REFUND = `
  UPDATE login_failures SET failures = GREATEST(failures - 1, 0),
    blocked_until = CASE WHEN failures - 1 >= $2 THEN blocked_until ELSE NULL END
  WHERE key = $1`;

/**
 * Slows down password guessing per account and per source address. Every sign-in attempt is
 * counted before its password is checked, so a burst of parallel guesses gets no more through
 * than one at a time: after 5 on an account (20 from one address) each further one waits 2, 4,
 * 8 ... seconds, at most 15 minutes. A successful sign-in clears its account and gives its
 * address back the attempt. Kept in PostgreSQL so every api instance sees the same counts, and
 * written outside any request transaction: a refused sign-in must still count.
 */
@Injectable()
export class ThrottleService {
  constructor(private readonly dataSource: DataSource) {}

  static keys(username: string, ip: string): [string, string] {
    return [`user:${username.toLowerCase()}`, `ip:${ip}`];
  }

  /** Counts an attempt on both keys; answers 0 to go ahead, else the seconds to wait (nothing counted). */
  async attempt(keys: readonly [string, string]): Promise<number> {
    const counted: string[] = [];
    for (const key of keys) {
      const rows = (await this.dataSource.query(ATTEMPT, [key, WINDOW_SECONDS, free(key), MAX_BLOCK_SECONDS])) as unknown[];
      if (rows.length) {
        counted.push(key);
        continue;
      }
      for (const done of counted) await this.refund(done);
      return Math.max(1, await this.secondsBlocked(key));
    }
    return 0;
  }

  /** The password was right: the account starts afresh, and the address is not charged for it. */
  async succeed(keys: readonly [string, string]): Promise<void> {
    await this.dataSource.query('DELETE FROM login_failures WHERE key = $1', [keys[0]]);
    await this.refund(keys[1]);
  }

  /** The password was right but a second factor is still to come: the address is not charged. */
  async passwordRight(keys: readonly [string, string]): Promise<void> {
    await this.refund(keys[1]);
  }

  private async refund(key: string): Promise<void> {
    await this.dataSource.query(REFUND, [key, free(key)]);
  }

  private async secondsBlocked(key: string): Promise<number> {
    const rows = (await this.dataSource.query(
      'SELECT ceil(extract(epoch FROM blocked_until - now()))::int AS wait FROM login_failures WHERE key = $1',
      [key],
    )) as { wait: number | null }[];
    return rows[0]?.wait ?? 0;
  }
}
