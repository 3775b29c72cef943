import { ForbiddenException, Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { RouteDef } from '@cockpit/contracts';
import { ROUTE_DEF } from './route.decorator.js';

/**
 * The global guard. A handler without a route contract is refused outright: every route must say
 * who may call it. Until sign-in exists only `public` routes can be reached.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const def = this.reflector.get<RouteDef | undefined>(ROUTE_DEF, context.getHandler());
    if (!def) throw new ForbiddenException('This route declares no access rule and is refused');
    if (def.access === 'public') return true;
    throw new UnauthorizedException('Sign in first');
  }
}
