import { Body, Controller, HttpException, HttpStatus, Req, Res, UnauthorizedException } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Route, type RequestWithPrincipal } from '@cockpit/api-core';
import { login, logout, me, type LoginRequest, type Me } from '@cockpit/contracts';
import { AuditService, requestIdOf } from '@cockpit/api-audit';
import { GrantsService } from './grants.service.js';
import { PasswordService } from './password.service.js';
import { SessionService } from './session.service.js';
import { ThrottleService } from './throttle.service.js';
import { UsersService } from './users.service.js';
import type { SessionEntity } from './entities/session.entity.js';
import type { UserEntity } from './entities/user.entity.js';

const WRONG = 'Wrong username or password';

@Controller()
export class AuthController {
  constructor(
    private readonly users: UsersService,
    private readonly passwords: PasswordService,
    private readonly sessions: SessionService,
    private readonly throttle: ThrottleService,
    private readonly grants: GrantsService,
    private readonly audit: AuditService,
  ) {}

  @Route(login)
  async login(@Body() body: LoginRequest, @Req() request: Request, @Res({ passthrough: true }) response: Response): Promise<Me> {
    const ip = request.ip ?? '';
    const keys = ThrottleService.keys(body.username, ip);
    const record = (result: 'success' | 'failure' | 'denied', status: number, user?: UserEntity, reason?: string) =>
      this.audit.record({
        actor: { type: user ? 'user' : 'anonymous', id: user?.id ?? null, name: user?.username ?? body.username.slice(0, 64) },
        sourceIp: ip,
        action: 'login',
        target: null,
        params: { username: body.username, ...(reason ? { reason } : {}) },
        result,
        status,
        requestId: requestIdOf(request),
      });

    const wait = await this.throttle.retryAfter(keys);
    if (wait > 0) {
      await record('denied', 429, undefined, 'throttled');
      response.setHeader('Retry-After', String(wait));
      throw new HttpException(`Too many failed sign-ins; try again in ${wait} s`, HttpStatus.TOO_MANY_REQUESTS);
    }
    const user = await this.users.findByUsername(body.username);
    // Verify even for an unknown user, so the answer takes as long either way.
    const passwordOk = await this.passwords.verify(user?.passwordHash, body.password);
    if (!user || !passwordOk || user.disabled) {
      await this.throttle.fail(keys);
      await record('failure', 401, undefined, !user ? 'unknown user' : user.disabled ? 'disabled' : 'wrong password');
      throw new UnauthorizedException(WRONG);
    }
    await this.throttle.succeed(keys);
    const previous = (request as RequestWithPrincipal).principal?.sessionIdHash;
    if (previous) await this.sessions.revoke(previous); // a new id at every sign-in
    const session = await this.sessions.create(user.id, request, response);
    await record('success', 200, user);
    return this.describe(user, session);
  }

  @Route(logout)
  async logout(
    @Req() request: RequestWithPrincipal,
    @Res({ passthrough: true }) response: Response,
  ): Promise<{ signedOut: true }> {
    const principal = request.principal;
    if (principal?.sessionIdHash) await this.sessions.revoke(principal.sessionIdHash, response);
    await this.audit.record({
      actor: { type: 'user', id: principal?.userId ?? null, name: principal?.name ?? 'anonymous' },
      sourceIp: request.ip ?? '',
      action: 'logout',
      result: 'success',
      status: 200,
      requestId: requestIdOf(request),
    });
    return { signedOut: true };
  }

  @Route(me)
  async me(@Req() request: RequestWithPrincipal): Promise<Me> {
    const session = await this.sessions.fromRequest(request);
    const user = request.principal ? await this.users.findActive(request.principal.userId) : null;
    if (!session || !user) throw new UnauthorizedException('Sign in first');
    return this.describe(user, session);
  }

  private async describe(user: UserEntity, session: SessionEntity): Promise<Me> {
    return {
      user: { id: user.id, username: user.username, displayName: user.displayName },
      csrfToken: session.csrfToken,
      grants: (await this.grants.forUser(user.id)).map((grant) => ({ scope: grant.scope, permissions: [...grant.permissions] })),
      session: { expiresAt: session.expiresAt.toISOString(), idleTimeoutSeconds: this.sessions.idleTimeoutSeconds() },
    };
  }
}
