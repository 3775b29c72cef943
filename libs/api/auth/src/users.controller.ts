import { Body, Controller, Param, Query, Req } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import type { z } from 'zod';
import {
  NotFoundError,
  Route,
  UnauthenticatedError,
  type ParsedQuery,
  type Principal,
  type RequestWithPrincipal,
} from '@cockpit/api-core';
import {
  changeOwnPassword,
  listOwnSessions,
  revokeOwnSession,
  createToken,
  createUser,
  listTokens,
  listUsers,
  revokeToken,
  updateUser,
  type Permission,
  type ScopePath,
} from '@cockpit/contracts';
import { ApiTokenEntity } from './entities/api-token.entity.js';
import { GroupMemberEntity } from './entities/group-member.entity.js';
import { UserEntity } from './entities/user.entity.js';
import { DirectoryService } from './directory.service.js';
import { SessionService } from './session.service.js';
import { TokensService } from './tokens.service.js';
import { UsersService } from './users.service.js';

type Body<R> = R extends { body?: infer B } ? (B extends z.ZodType ? z.output<B> : never) : never;

@Controller()
export class UsersController {
  constructor(
    @InjectRepository(GroupMemberEntity) private readonly members: Repository<GroupMemberEntity>,
    private readonly users: UsersService,
    private readonly tokens: TokensService,
    private readonly directory: DirectoryService,
    private readonly sessions: SessionService,
  ) {}

  @Route(listUsers)
  list(@Query() query: ParsedQuery<typeof listUsers>) {
    return this.directory.usersPage(query);
  }

  @Route(createUser)
  async create(@Body() body: Body<typeof createUser>) {
    const user = await this.users.create(body.username, body.password, body.displayName ?? body.username);
    return this.toUser(user, []);
  }

  @Route(updateUser)
  async update(@Param('userId') userId: string, @Body() body: Body<typeof updateUser>, @Req() request: RequestWithPrincipal) {
    const user = await this.users.update(principalOf(request), userId, body);
    return this.toUser(user, await this.members.findBy({ userId }));
  }

  @Route(changeOwnPassword)
  async changePassword(@Body() body: Body<typeof changeOwnPassword>, @Req() request: RequestWithPrincipal) {
    await this.users.changeOwnPassword(request.principal, body.currentPassword, body.newPassword);
    return { changed: true as const };
  }

  @Route(listOwnSessions)
  ownSessions(@Req() request: RequestWithPrincipal, @Query() query: ParsedQuery<typeof listOwnSessions>) {
    const principal = principalOf(request);
    return this.directory.sessionsPage({ ...query, userId: principal.userId }, principal.sessionIdHash ?? '');
  }

  @Route(revokeOwnSession)
  async revokeOwn(@Param('sessionId') sessionId: string, @Req() request: RequestWithPrincipal) {
    if (!(await this.sessions.revoke(sessionId, { userId: principalOf(request).userId })))
      throw new NotFoundError(`No live session ${sessionId} of yours`);
    return { revoked: true as const };
  }

  @Route(listTokens)
  listTokens(@Req() request: RequestWithPrincipal, @Query() query: ParsedQuery<typeof listTokens>) {
    return this.directory.tokensPage(principalOf(request).userId, query);
  }

  @Route(createToken)
  async createToken(@Body() body: Body<typeof createToken>, @Req() request: RequestWithPrincipal) {
    const { entity, token } = await this.tokens.createFor(principalOf(request), body);
    return { ...toToken(entity), token };
  }

  @Route(revokeToken)
  async revokeToken(@Param('tokenId') tokenId: string, @Req() request: RequestWithPrincipal) {
    if (!(await this.tokens.revokeAs(principalOf(request), tokenId)))
      throw new NotFoundError(`No live token ${tokenId} of yours`);
    return { revoked: true as const };
  }

  private toUser(user: UserEntity, members: GroupMemberEntity[]) {
    return {
      id: user.id,
      username: user.username,
      displayName: user.displayName,
      disabled: user.disabled,
      groups: members.filter((m) => m.userId === user.id).map((m) => m.groupId),
      createdAt: user.createdAt.toISOString(),
    };
  }
}

/** The guard has resolved the caller of every non-public route. */
function principalOf(request: RequestWithPrincipal): Principal {
  if (!request.principal) throw new UnauthenticatedError('Sign in first');
  return request.principal;
}

function toToken(token: ApiTokenEntity) {
  return {
    id: token.id,
    name: token.name,
    permissions: token.permissions as Permission[],
    scope: token.scope as ScopePath,
    createdAt: token.createdAt.toISOString(),
    expiresAt: token.expiresAt.toISOString(),
    lastUsedAt: token.lastUsedAt?.toISOString() ?? null,
  };
}
