import { Injectable } from '@nestjs/common';
import type { Request } from 'express';
import type { Principal } from '@cockpit/api-core';
import { GrantsService } from './grants.service.js';
import type { SessionEntity } from './entities/session.entity.js';
import { SessionService, type SecondFactorState } from './session.service.js';
import { TokensService } from './tokens.service.js';
import { UsersService } from './users.service.js';

/** What a non-HTTP-route caller (a socket.io handshake, an SSE stream) presents. */
export interface Credentials {
  cookie?: string;
  /** An API token (`ck_...`), with or without the `Bearer ` prefix. */
  bearer?: string;
}

/**
 * Resolves credentials to a principal the way the global guard does for routes: an API token
 * (owner's grants narrowed to the token's), or a live session cookie. A session that lacks the
 * second factor its roles require gets nothing here (it may only enroll, or must sign in again).
 */
@Injectable()
export class PrincipalService {
  constructor(
    private readonly sessions: SessionService,
    private readonly users: UsersService,
    private readonly grants: GrantsService,
    private readonly tokens: TokensService,
  ) {}

  /**
   * Who the credentials are: an API token (a bad one is `invalid-token`, never anonymous), or the
   * live session the cookie names with the state of its second factor. The guard and the live
   * streams both go through this, so they cannot disagree.
   */
  async authenticate(credentials: Credentials, options: { touch?: boolean } = {}): Promise<Authentication> {
    const bearer = credentials.bearer?.replace(/^Bearer /, '');
    if (bearer) {
      const token = await this.tokens.verify(bearer);
      const owner = token ? await this.users.findActive(token.userId) : null;
      if (!token || !owner) return { kind: 'invalid-token' };
      return {
        kind: 'token',
        principal: {
          type: 'token',
          userId: owner.id,
          name: `${owner.username}/${token.name}`,
          tokenId: token.id,
          grants: await this.tokens.effectiveGrants(await this.grants.forUser(owner.id), token),
        },
      };
    }
    if (!credentials.cookie) return { kind: 'none' };
    const session = await this.sessions.fromRequest({ headers: { cookie: credentials.cookie } } as Request, options);
    const user = session ? await this.users.findActive(session.userId) : null;
    if (!session || !user) return { kind: 'none' };
    const access = await this.grants.resolve(user.id);
    return {
      kind: 'session',
      session,
      secondFactor: SessionService.secondFactorState(session, user, access.requiresTotp),
      principal: { type: 'user', userId: user.id, name: user.username, grants: access.grants, sessionIdHash: session.idHash },
    };
  }

  /**
   * A principal that may act now: a valid token, or a session whose second factor is in order.
   * `touch: false` for background re-checks, which must not keep an idle session alive.
   */
  async resolve(credentials: Credentials, options: { touch?: boolean } = {}): Promise<Principal | undefined> {
    const found = await this.authenticate(credentials, options);
    if (found.kind === 'token') return found.principal;
    if (found.kind === 'session' && found.secondFactor === 'ok') return found.principal;
    return undefined;
  }
}

export type Authentication =
  | { kind: 'none' }
  | { kind: 'invalid-token' }
  | { kind: 'token'; principal: Principal }
  | { kind: 'session'; principal: Principal; session: SessionEntity; secondFactor: SecondFactorState };
