import { Body, Controller, Req, Res } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import type { Request, Response } from 'express';
import {
  ConflictError,
  ForbiddenError,
  Route,
  TooManyRequestsError,
  UnauthenticatedError,
  type RequestWithPrincipal,
} from '@cockpit/api-core';
import {
  login,
  logout,
  me,
  totpDisable,
  totpEnable,
  totpSetup,
  type Grant,
  type LoginRequest,
  type Me,
} from '@cockpit/contracts';
import { AuditService, requestIdOf } from '@cockpit/api-audit';
import { GrantsService } from './grants.service.js';
import { PasswordService } from './password.service.js';
import { SessionService } from './session.service.js';
import { ThrottleService } from './throttle.service.js';
import { UsersService } from './users.service.js';
import type { AuthRequest } from './auth.guard.js';
import type { SessionEntity } from './entities/session.entity.js';
import { UserEntity } from './entities/user.entity.js';
import { TotpService } from './totp.service.js';

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
    private readonly totp: TotpService,
    @InjectRepository(UserEntity) private readonly userRows: Repository<UserEntity>,
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

    // Counted before the password is checked: a burst of parallel guesses gets no more through.
    const wait = await this.throttle.attempt(keys);
    if (wait > 0) {
      await record('denied', 429, undefined, 'throttled');
      response.setHeader('Retry-After', String(wait));
      throw new TooManyRequestsError(`Too many failed sign-ins; try again in ${wait} s`);
    }
    const user = await this.users.findByUsername(body.username);
    // Verify even for an unknown user, so the answer takes as long either way.
    const passwordOk = await this.passwords.verify(user?.passwordHash, body.password);
    if (!user || !passwordOk || user.disabled) {
      await record('failure', 401, undefined, !user ? 'unknown user' : user.disabled ? 'disabled' : 'wrong password');
      throw new UnauthenticatedError(WRONG);
    }
    if (user.totpEnabled) {
      if (!body.totp && !body.recoveryCode) {
        // The password was right: only now is it safe to say a second factor is needed.
        await this.throttle.passwordRight(keys);
        await record('failure', 401, user, 'second factor required');
        throw new UnauthenticatedError('Enter the 6-digit code from your authenticator app (or a recovery code)', [
          { path: 'body.totp', message: 'required' },
        ]);
      }
      if (!(await this.totp.verifySecondFactor(user, body.totp, body.recoveryCode))) {
        await record('failure', 401, user, 'wrong second factor');
        throw new UnauthenticatedError('Wrong code');
      }
    }
    await this.throttle.succeed(keys);
    const previous = (request as AuthRequest).cookieSessionIdHash;
    if (previous) await this.sessions.revoke(previous); // a new id at every sign-in
    const session = await this.sessions.create(user.id, request, response, user.totpEnabled);
    await record('success', 200, user);
    const access = await this.grants.resolve(user.id);
    const state = SessionService.secondFactorState(session, user, access.requiresTotp);
    return this.describe(user, session, access.grants, state === 'enroll');
  }

  @Route(totpSetup)
  async setupTotp(@Req() request: RequestWithPrincipal) {
    const user = await this.sessionUser(request);
    if (user.totpEnabled) throw new ConflictError('The second factor is already on; turn it off first to enroll a new device');
    const { secret, sealed } = this.totp.newSecret();
    await this.userRows.update({ id: user.id }, { totpSecret: sealed });
    const otpauthUri = this.totp.uri(user.username, secret);
    return { secret, otpauthUri, qrCodeDataUrl: await this.totp.qrCode(otpauthUri) };
  }

  @Route(totpEnable)
  async enableTotp(@Body() body: { code: string }, @Req() request: RequestWithPrincipal) {
    const user = await this.sessionUser(request);
    if (user.totpEnabled) throw new ConflictError('The second factor is already on');
    if (!user.totpSecret) throw new ConflictError('Start with POST /api/auth/totp/setup');
    const step = await this.totp.check(user.totpSecret, body.code, null);
    if (step === undefined)
      throw new UnauthenticatedError('That code does not match; check the time on your device and try the next one');
    const { codes, hashes } = this.totp.recoveryCodes();
    const enabled = await this.userRows.update(
      { id: user.id, totpEnabled: false, totpSecret: user.totpSecret },
      { totpEnabled: true, totpLastStep: String(step), recoveryCodes: hashes },
    );
    if (!enabled.affected) throw new ConflictError('The second factor changed meanwhile; start again');
    const current = request.principal?.sessionIdHash ?? '';
    // This session showed the new factor. Others that were waiting to enroll did not: they end.
    await this.sessions.secondFactorShown(current);
    if (await this.grants.requiresTotp(user.id)) await this.sessions.endWithoutSecondFactor(user.id, current);
    return { recoveryCodes: codes };
  }

  @Route(totpDisable)
  async disableTotp(@Body() body: { password: string }, @Req() request: RequestWithPrincipal) {
    const user = await this.sessionUser(request);
    if (!(await this.passwords.verify(user.passwordHash, body.password)))
      throw new UnauthenticatedError('Your password is wrong');
    await this.userRows.update({ id: user.id }, { totpEnabled: false, totpSecret: null, totpLastStep: null, recoveryCodes: [] });
    await this.sessions.forgetSecondFactor(user.id);
    return { disabled: true as const };
  }

  private async sessionUser(request: RequestWithPrincipal): Promise<UserEntity> {
    if (request.principal?.type !== 'user')
      throw new ForbiddenError('Manage the second factor from a signed-in session, not with an API token');
    const user = await this.users.findActive(request.principal.userId);
    if (!user) throw new UnauthenticatedError('Sign in first');
    return user;
  }

  @Route(logout)
  async logout(
    @Req() request: RequestWithPrincipal,
    @Res({ passthrough: true }) response: Response,
  ): Promise<{ signedOut: true }> {
    const principal = request.principal;
    if (principal?.sessionIdHash) await this.sessions.revoke(principal.sessionIdHash, { response });
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
  async me(@Req() request: AuthRequest): Promise<Me> {
    // The guard has already resolved the session, the grants and the second factor; reuse them.
    const principal = request.principal;
    const session = principal?.sessionIdHash ? await this.sessions.byIdHash(principal.sessionIdHash) : null;
    const user = principal ? await this.users.findActive(principal.userId) : null;
    if (!principal || !session || !user) throw new UnauthenticatedError('Sign in first');
    return this.describe(user, session, principal.grants, request.mustEnrollTotp ?? false);
  }

  private describe(user: UserEntity, session: SessionEntity, grants: Grant[], mustEnrollTotp: boolean): Me {
    return {
      user: { id: user.id, username: user.username, displayName: user.displayName },
      csrfToken: session.csrfToken,
      totpEnabled: user.totpEnabled,
      mustEnrollTotp,
      grants: grants.map((grant) => ({ scope: grant.scope, permissions: [...grant.permissions] })),
      session: { expiresAt: session.expiresAt.toISOString(), idleTimeoutSeconds: this.sessions.idleTimeoutSeconds() },
    };
  }
}
