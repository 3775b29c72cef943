import {
  Body,
  ConflictException,
  Controller,
  ForbiddenException,
  HttpException,
  HttpStatus,
  Req,
  Res,
  UnauthorizedException,
} from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import type { Request, Response } from 'express';
import { Route, type RequestWithPrincipal } from '@cockpit/api-core';
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
    if (user.totpEnabled) {
      if (!body.totp && !body.recoveryCode) {
        // The password was right: only now is it safe to say a second factor is needed.
        await record('failure', 401, user, 'second factor required');
        throw new UnauthorizedException({
          message: 'Enter the 6-digit code from your authenticator app (or a recovery code)',
          details: [{ path: 'body.totp', message: 'required' }],
        });
      }
      if (!(await this.secondFactor(user, body.totp, body.recoveryCode))) {
        await this.throttle.fail(keys);
        await record('failure', 401, user, 'wrong second factor');
        throw new UnauthorizedException('Wrong code');
      }
    }
    await this.throttle.succeed(keys);
    const previous = (request as RequestWithPrincipal).principal?.sessionIdHash;
    if (previous) await this.sessions.revoke(previous); // a new id at every sign-in
    const mustEnroll = !user.totpEnabled && (await this.grants.requiresTotp(user.id));
    const session = await this.sessions.create(user.id, request, response, mustEnroll);
    await record('success', 200, user);
    return this.describe(user, session);
  }

  /** A TOTP code (each step good once) or an unused recovery code (then spent). */
  private async secondFactor(user: UserEntity, code: string | undefined, recoveryCode: string | undefined): Promise<boolean> {
    if (code && user.totpSecret) {
      const step = await this.totp.check(user.totpSecret, code, user.totpLastStep === null ? null : Number(user.totpLastStep));
      if (step === undefined) return false;
      await this.userRows.update({ id: user.id }, { totpLastStep: String(step) });
      return true;
    }
    if (recoveryCode) {
      const hash = this.totp.hashRecoveryCode(recoveryCode);
      // Atomic: a recovery code cannot be spent twice by racing requests.
      // TypeORM answers an UPDATE ... RETURNING on PostgreSQL as [rows, affected count].
      const [spent] = (await this.userRows.query(
        'UPDATE users SET recovery_codes = array_remove(recovery_codes, $2) WHERE id = $1 AND $2 = ANY(recovery_codes) RETURNING id',
        [user.id, hash],
      )) as [unknown[], number];
      return spent.length > 0;
    }
    return false;
  }

  @Route(totpSetup)
  async setupTotp(@Req() request: RequestWithPrincipal) {
    const user = await this.sessionUser(request);
    if (user.totpEnabled)
      throw new ConflictException('The second factor is already on; turn it off first to enroll a new device');
    const secret = this.totp.newSecret();
    await this.userRows.update({ id: user.id }, { totpSecret: secret });
    const otpauthUri = this.totp.uri(user.username, secret);
    return { secret, otpauthUri, qrCodeDataUrl: await this.totp.qrCode(otpauthUri) };
  }

  @Route(totpEnable)
  async enableTotp(@Body() body: { code: string }, @Req() request: RequestWithPrincipal) {
    const user = await this.sessionUser(request);
    if (user.totpEnabled) throw new ConflictException('The second factor is already on');
    if (!user.totpSecret) throw new ConflictException('Start with POST /api/auth/totp/setup');
    const step = await this.totp.check(user.totpSecret, body.code, null);
    if (step === undefined)
      throw new UnauthorizedException('That code does not match; check the time on your device and try the next one');
    const { codes, hashes } = this.totp.recoveryCodes();
    await this.userRows.update({ id: user.id }, { totpEnabled: true, totpLastStep: String(step), recoveryCodes: hashes });
    await this.sessions.clearMustEnroll(user.id);
    return { recoveryCodes: codes };
  }

  @Route(totpDisable)
  async disableTotp(@Body() body: { password: string }, @Req() request: RequestWithPrincipal) {
    const user = await this.sessionUser(request);
    if (!(await this.passwords.verify(user.passwordHash, body.password)))
      throw new UnauthorizedException('Your password is wrong');
    await this.userRows.update({ id: user.id }, { totpEnabled: false, totpSecret: null, totpLastStep: null, recoveryCodes: [] });
    return { disabled: true as const };
  }

  private async sessionUser(request: RequestWithPrincipal): Promise<UserEntity> {
    if (request.principal?.type !== 'user')
      throw new ForbiddenException('Manage the second factor from a signed-in session, not with an API token');
    const user = await this.users.findActive(request.principal.userId);
    if (!user) throw new UnauthorizedException('Sign in first');
    return user;
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
    // The guard has already resolved the session and the grants; reuse them.
    const principal = request.principal;
    const session = principal?.sessionIdHash ? await this.sessions.byIdHash(principal.sessionIdHash) : null;
    const user = principal ? await this.users.findActive(principal.userId) : null;
    if (!principal || !session || !user) throw new UnauthorizedException('Sign in first');
    return this.describe(user, session, principal.grants);
  }

  private async describe(user: UserEntity, session: SessionEntity, grants?: Grant[]): Promise<Me> {
    return {
      user: { id: user.id, username: user.username, displayName: user.displayName },
      csrfToken: session.csrfToken,
      totpEnabled: user.totpEnabled,
      mustEnrollTotp: session.mustEnrollTotp,
      grants: (grants ?? (await this.grants.forUser(user.id))).map((grant) => ({
        scope: grant.scope,
        permissions: [...grant.permissions],
      })),
      session: { expiresAt: session.expiresAt.toISOString(), idleTimeoutSeconds: this.sessions.idleTimeoutSeconds() },
    };
  }
}
