import { Injectable } from '@nestjs/common';
import type { Request } from 'express';
import type { Principal } from '@cockpit/api-core';
import { GrantsService } from './grants.service.js';
import { SessionService } from './session.service.js';
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

  /** `touch: false` for background re-checks, which must not keep an idle session alive. */
  async resolve(credentials: Credentials, options: { touch?: boolean } = {}): Promise<Principal | undefined> {
    const bearer = credentials.bearer?.replace(/^Bearer /, '');
    if (bearer) {
      const token = await this.tokens.verify(bearer);
      const owner = token ? await this.users.findActive(token.userId) : null;
      if (!token || !owner) return undefined;
      return {
        type: 'token',
        userId: owner.id,
        name: `${owner.username}/${token.name}`,
        tokenId: token.id,
        grants: TokensService.effectiveGrants(await this.grants.forUser(owner.id), token),
      };
    }
    if (!credentials.cookie) return undefined;
    const session = await this.sessions.fromRequest({ headers: { cookie: credentials.cookie } } as Request, options);
    const user = session ? await this.users.findActive(session.userId) : null;
    if (!session || !user) return undefined;
    const access = await this.grants.resolve(user.id);
    if (SessionService.secondFactorState(session, user, access.requiresTotp) !== 'ok') return undefined;
    return {
      type: 'user',
      userId: user.id,
      name: user.username,
      grants: access.grants,
      sessionIdHash: session.idHash,
    };
  }
}
