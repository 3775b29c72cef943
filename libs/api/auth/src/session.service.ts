import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { createHash, randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import { IsNull, Not, Repository } from 'typeorm';
import type { AppConfig } from '@cockpit/api-config';
import { AccessChanges } from '@cockpit/api-access';
import { APP_CONFIG } from '@cockpit/api-core';
import { SessionEntity } from './entities/session.entity.js';

/** Only so often is last_seen written, so a busy console does not write on every request. */
const TOUCH_EVERY_MS = 30_000;

export type SecondFactorState = 'ok' | 'enroll' | 'sign-in-again';

const hashId = (id: string) => createHash('sha256').update(id).digest('base64url');

/**
 * Server-side sessions behind an opaque 256-bit id in a `__Host-` Secure HttpOnly SameSite=Strict
 * cookie (on plain http, for development, the same without `__Host-`/Secure, with a warning).
 * Idle and absolute timeouts; a new id at every sign-in.
 */
@Injectable()
export class SessionService implements OnModuleInit {
  private readonly logger = new Logger(SessionService.name);
  readonly cookieName: string;
  private readonly secure: boolean;

  constructor(
    @InjectRepository(SessionEntity) private readonly sessions: Repository<SessionEntity>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly accessChanges: AccessChanges,
  ) {
    this.secure = config.publicUrl.startsWith('https:');
    this.cookieName = this.secure ? '__Host-cockpit_session' : 'cockpit_session';
  }

  onModuleInit(): void {
    if (!this.secure) {
      this.logger.warn(
        `PUBLIC_URL ${this.config.publicUrl} is plain http: the session cookie is sent without Secure and the __Host- prefix. Use https in production.`,
      );
    }
  }

  /** A new session; `secondFactor`: the sign-in showed a TOTP or recovery code. */
  async create(userId: string, request: Request, response: Response, secondFactor: boolean): Promise<SessionEntity> {
    const id = randomBytes(32).toString('base64url');
    const now = new Date();
    const session = this.sessions.create({
      idHash: hashId(id),
      userId,
      csrfToken: randomBytes(32).toString('base64url'),
      lastSeenAt: now,
      expiresAt: new Date(now.getTime() + this.config.sessionMaxSeconds * 1000),
      sourceIp: request.ip ?? '',
      userAgent: String(request.headers['user-agent'] ?? '').slice(0, 512),
      revokedAt: null,
      secondFactor,
    });
    await this.sessions.insert(session);
    response.cookie(this.cookieName, id, {
      httpOnly: true,
      secure: this.secure,
      sameSite: 'strict',
      path: '/',
      maxAge: this.config.sessionMaxSeconds * 1000,
    });
    return session;
  }

  /**
   * The live session the request's cookie names, if any. A request by the user touches its idle
   * clock; a background re-check (`touch: false`, e.g. of an open event stream) does not.
   */
  async fromRequest(request: Request, options: { touch?: boolean } = {}): Promise<SessionEntity | undefined> {
    const id = readCookie(request.headers.cookie, this.cookieName);
    if (!id || id.length > 128) return undefined;
    const session = await this.sessions.findOne({ where: { idHash: hashId(id), revokedAt: IsNull() } });
    if (!session) return undefined;
    const now = Date.now();
    if (session.expiresAt.getTime() <= now || session.lastSeenAt.getTime() + this.config.sessionIdleSeconds * 1000 <= now)
      return undefined;
    if (options.touch !== false && now - session.lastSeenAt.getTime() > TOUCH_EVERY_MS) {
      session.lastSeenAt = new Date(now);
      await this.sessions.update({ idHash: session.idHash }, { lastSeenAt: session.lastSeenAt });
    }
    return session;
  }

  byIdHash(idHash: string): Promise<SessionEntity | null> {
    return this.sessions.findOneBy({ idHash, revokedAt: IsNull() });
  }

  /** Ends one live session (of this user, when given); false when there was none. */
  async revoke(idHash: string, options: { response?: Response; userId?: string } = {}): Promise<boolean> {
    const rows = (await this.sessions
      .createQueryBuilder()
      .update()
      .set({ revokedAt: () => 'now()' })
      .where('id_hash = :idHash AND revoked_at IS NULL', { idHash })
      .andWhere(options.userId ? 'user_id = :userId' : 'true', { userId: options.userId })
      .returning('user_id')
      .execute()) as { raw: { user_id: string }[] };
    options.response?.clearCookie(this.cookieName, { httpOnly: true, secure: this.secure, sameSite: 'strict', path: '/' });
    this.accessChanges.changed(rows.raw.map((row) => row.user_id));
    return rows.raw.length > 0;
  }

  /**
   * What a session may do given the second factor its user's roles require: everything (`ok`),
   * only enroll (the user has no second factor yet), or nothing until it signs in again with the
   * code (the user has one, but this session never showed it).
   */
  static secondFactorState(
    session: Pick<SessionEntity, 'secondFactor'>,
    user: { totpEnabled: boolean },
    required: boolean,
  ): SecondFactorState {
    if (!required) return 'ok';
    if (!user.totpEnabled) return 'enroll';
    return session.secondFactor ? 'ok' : 'sign-in-again';
  }

  /** The session enrolled a second factor: it has shown one. */
  async secondFactorShown(idHash: string): Promise<void> {
    await this.sessions.update({ idHash }, { secondFactor: true });
  }

  /** The user's second factor is gone: no session of theirs has shown the next one yet. */
  async forgetSecondFactor(userId: string): Promise<void> {
    await this.sessions.update({ userId, secondFactor: true }, { secondFactor: false });
  }

  /** Ends the user's sessions that never showed a second factor (those waiting to enroll), but one. */
  async endWithoutSecondFactor(userId: string, exceptIdHash: string): Promise<void> {
    await this.sessions.update(
      { userId, secondFactor: false, revokedAt: IsNull(), idHash: Not(exceptIdHash) },
      { revokedAt: new Date() },
    );
  }

  /** Ends every session of a user at once (disabled user, reset password), or all but one. */
  async revokeAllOf(userId: string, exceptIdHash?: string): Promise<void> {
    await this.sessions.update(
      { userId, revokedAt: IsNull(), ...(exceptIdHash ? { idHash: Not(exceptIdHash) } : {}) },
      { revokedAt: new Date() },
    );
    this.accessChanges.changed([userId]);
  }

  idleTimeoutSeconds(): number {
    return this.config.sessionIdleSeconds;
  }
}

/** Longer than any session id we issue: not worth decoding. */
const MAX_COOKIE_VALUE = 256;

/**
 * The value of the first cookie called `name`, or undefined: a malformed header (bad percent
 * escapes, no `=`, junk) means no such cookie, never an error.
 */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (typeof header !== 'string') return undefined;
  for (const part of header.split(';')) {
    const separator = part.indexOf('=');
    if (separator < 0 || part.slice(0, separator).trim() !== name) continue;
    const raw = part.slice(separator + 1).trim();
    if (raw.length > MAX_COOKIE_VALUE) return undefined;
    try {
      return decodeURIComponent(raw);
    } catch {
      return undefined;
    }
  }
  return undefined;
}
