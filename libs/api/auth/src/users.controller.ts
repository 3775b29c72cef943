import { Body, Controller, Param, Query, Req } from '@nestjs/common';
import { NotFoundError, Route, type ParsedBody, type ParsedQuery, type RequestWithPrincipal } from '@cockpit/api-core';
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
} from '@cockpit/contracts';
import { toToken, toUser } from './access-items.js';
import { principalOf } from './auth.guard.js';
import { DirectoryService } from './directory.service.js';
import { SessionService } from './session.service.js';
import { TokensService } from './tokens.service.js';
import { UsersService } from './users.service.js';

@Controller()
export class UsersController {
  constructor(
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
  async create(@Body() body: ParsedBody<typeof createUser>) {
    const user = await this.users.create(body.username, body.password, body.displayName ?? body.username);
    return toUser(user, []);
  }

  @Route(updateUser)
  async update(
    @Param('userId') userId: string,
    @Body() body: ParsedBody<typeof updateUser>,
    @Req() request: RequestWithPrincipal,
  ) {
    const user = await this.users.update(principalOf(request), userId, body);
    return toUser(user, await this.directory.groupsOf(userId));
  }

  @Route(changeOwnPassword)
  async changePassword(@Body() body: ParsedBody<typeof changeOwnPassword>, @Req() request: RequestWithPrincipal) {
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
  async createToken(@Body() body: ParsedBody<typeof createToken>, @Req() request: RequestWithPrincipal) {
    const { entity, token } = await this.tokens.createFor(principalOf(request), body);
    return { ...toToken(entity), token };
  }

  @Route(revokeToken)
  async revokeToken(@Param('tokenId') tokenId: string, @Req() request: RequestWithPrincipal) {
    if (!(await this.tokens.revokeAs(principalOf(request), tokenId)))
      throw new NotFoundError(`No live token ${tokenId} of yours`);
    return { revoked: true as const };
  }
}
