import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { z } from 'zod';
import { AccessService } from '@cockpit/api-access';
import { timingSafeEqual } from 'node:crypto';
import { isAllowed, type Permission, type RouteDef } from '@cockpit/contracts';
import {
  ForbiddenError,
  OriginPolicy,
  parseOrBadRequest,
  ROUTE_DEF,
  UnauthenticatedError,
  type Principal,
  type RequestWithPrincipal,
} from '@cockpit/api-core';

import { PrincipalService, type Authentication } from './principal.service.js';
/** What the guard found out about the caller, for the handlers of this lib. */
export type AuthRequest = RequestWithPrincipal & {
  /** The session may only enroll the second factor its role requires. */
  mustEnrollTotp?: boolean;
  /** The live session the cookie names, also when it was not taken (a new sign-in ends it). */
  cookieSessionIdHash?: string;
};

/** The caller the guard resolved, for a handler of a route that is not public (it always has one). */
export function principalOf(request: RequestWithPrincipal): Principal {
  if (!request.principal) throw new UnauthenticatedError('Sign in first');
  return request.principal;
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);
/** All a session may do while a role's required second factor is not enrolled yet. */
const ENROLLMENT_ROUTES = new Set(['getMe', 'logout', 'setupTotp', 'enableTotp', 'login']);

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * The global guard: every route must declare who may call it (a handler without a route contract
 * is refused); it resolves the caller from the session cookie, checks the Origin and the CSRF
 * token on state-changing requests, and the route's permission. Refused state changes are audited
 * by the error filter.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly principals: PrincipalService,
    private readonly origins: OriginPolicy,
    private readonly access: AccessService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<AuthRequest>();
    const def = this.reflector.get<RouteDef | undefined>(ROUTE_DEF, context.getHandler());
    // A refusal is audited by the error filter (FailedRequestAudit), with the body, like every other.
    return this.check(request, def);
  }

  private async check(request: AuthRequest, def: RouteDef | undefined): Promise<boolean> {
    if (!def) throw new ForbiddenError('This route declares no access rule and is refused');
    const unsafe = !SAFE.has(request.method);
    if (unsafe && !request.headers.authorization) this.checkOrigin(request);

    const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    // REST clients: a token is the whole credential (no cookie, so no CSRF to check).
    const found = await this.principals.authenticate(bearer ? { bearer } : { cookie: request.headers.cookie });
    if (found.kind === 'invalid-token') throw new UnauthenticatedError('API token unknown, expired or revoked');
    if (found.kind === 'token') request.principal = found.principal;
    const refusal = found.kind === 'session' ? this.fromSession(request, def, unsafe, found) : undefined;
    if (def.access === 'public') return true;
    if (!request.principal) throw new UnauthenticatedError(refusal ?? 'Sign in first');
    if (def.access === 'authenticated') return true;
    const permission = def.access.permission as Permission;
    const scope = def.access.scope;
    if (scope === 'visible') {
      // A list: held anywhere is enough to ask; it shows only what the permission covers.
      if (!AccessService.holdsAnywhere(request.principal.grants, permission))
        throw new ForbiddenError(`You need the ${permission} permission on something for this`);
      return true;
    }
    if (scope) {
      // About one object: its id is checked against the contract first, then the object's scope chain.
      const source = scope.in === 'body' ? 'body' : 'params';
      const input = parseOrBadRequest(def[source] ?? z.object({}), request[source], source) as Record<string, unknown>;
      await this.access.authorize(request.principal, permission, scope.kind, String(input[scope.param]));
      return true;
    }
    if (!isAllowed(request.principal.grants, permission, ['/'])) {
      throw new ForbiddenError(`You need the ${def.access.permission} permission for this`);
    }
    return true;
  }

  /**
   * The session the cookie names, if live, becomes the principal; the second factor its roles
   * require is checked now, so a change of roles applies at once. Answers why a session was not
   * taken (for the 401 of a route that needs one).
   */
  private fromSession(
    request: AuthRequest,
    def: RouteDef,
    unsafe: boolean,
    found: Extract<Authentication, { kind: 'session' }>,
  ): string | undefined {
    const { session, secondFactor } = found;
    request.cookieSessionIdHash = session.idHash;
    if (secondFactor === 'sign-in-again')
      return 'Your role requires a second factor, which this session has not shown: sign in again with your code';
    request.principal = found.principal;
    request.mustEnrollTotp = secondFactor === 'enroll';
    if (secondFactor === 'enroll' && !ENROLLMENT_ROUTES.has(def.id)) {
      throw new ForbiddenError(
        'Your role requires two-factor authentication: enroll it first (Account, or POST /api/auth/totp/setup)',
      );
    }
    if (unsafe && def.access !== 'public') {
      const sent = request.headers['x-csrf-token'];
      if (typeof sent !== 'string' || !sameSecret(sent, session.csrfToken)) {
        throw new ForbiddenError(
          'Missing or wrong CSRF token: send the csrfToken from GET /api/auth/me in the X-CSRF-Token header',
        );
      }
    }
    return undefined;
  }

  /**
   * A browser always says where a request comes from: a state change from any origin but ours is
   * refused. Ours is PUBLIC_URL's (or, without it, the local URLs the api prints), never what the
   * Host header says (a client or a proxy chooses it); the socket.io handshake asks the same policy.
   */
  private checkOrigin(request: RequestWithPrincipal): void {
    const origin = request.headers.origin;
    // No Origin: not a browser (curl, scripts), where cookies alone cannot be forged.
    if (!this.origins.allows(origin)) throw new ForbiddenError(`Cross-origin request from ${origin ?? ''} refused`);
  }
}
