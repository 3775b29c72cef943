import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { IsNull, Repository } from 'typeorm';
import { AccessChanges, AccessService } from '@cockpit/api-access';
import { ForbiddenError, type Principal } from '@cockpit/api-core';
import { Permission, ScopePath, isAllowed, missingToGrant, permissionsOn, type Grant } from '@cockpit/contracts';
import { ApiTokenEntity } from './entities/api-token.entity.js';

const sha256 = (value: string) => createHash('sha256').update(value).digest();
const TOKEN = /^ck_([0-9a-f]{32})_([A-Za-z0-9_-]{43})$/;

/** `ck_<id>_<secret>`: the id finds the row, the secret (only its hash is stored) proves it. */
@Injectable()
export class TokensService {
  constructor(
    @InjectRepository(ApiTokenEntity) private readonly tokens: Repository<ApiTokenEntity>,
    private readonly accessChanges: AccessChanges,
    private readonly access: AccessService,
  ) {}

  /**
   * A token for the caller: only from a signed-in session (a token minting tokens would outlive
   * its own revocation and expiry), and only with what the caller holds on that scope.
   */
  async createFor(
    principal: Principal,
    request: { name: string; permissions: Permission[]; scope: ScopePath; expiresInDays: number },
  ): Promise<{ entity: ApiTokenEntity; token: string }> {
    if (principal.type === 'token')
      throw new ForbiddenError('An API token cannot create API tokens: create them from a signed-in session');
    const missing = missingToGrant(principal.grants, request.permissions, await this.access.scopeChain(request.scope));
    if (missing.length)
      throw new ForbiddenError(`A token cannot have what you do not hold on ${request.scope}: ${missing.join(', ')}`);
    return this.create(principal.userId, request.name, request.permissions, request.scope, request.expiresInDays);
  }

  async create(
    userId: string,
    name: string,
    permissions: Permission[],
    scope: ScopePath,
    expiresInDays: number,
  ): Promise<{ entity: ApiTokenEntity; token: string }> {
    const secret = randomBytes(32).toString('base64url');
    const entity = await this.tokens.save(
      this.tokens.create({
        userId,
        name,
        secretHash: sha256(secret).toString('base64url'),
        permissions: [...new Set(permissions)],
        scope,
        expiresAt: new Date(Date.now() + expiresInDays * 86_400_000),
        lastUsedAt: null,
        revokedAt: null,
      }),
    );
    return { entity, token: `ck_${entity.id.replace(/-/g, '')}_${secret}` };
  }

  /** The live token a bearer string names, or undefined. */
  async verify(bearer: string): Promise<ApiTokenEntity | undefined> {
    const match = TOKEN.exec(bearer);
    if (!match?.[1] || !match[2]) return undefined;
    const hex = match[1];
    const id = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    const token = await this.tokens.findOneBy({ id, revokedAt: IsNull() });
    if (!token || token.expiresAt.getTime() <= Date.now()) return undefined;
    const expected = Buffer.from(token.secretHash, 'base64url');
    const given = sha256(match[2]);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
    if (!token.lastUsedAt || Date.now() - token.lastUsedAt.getTime() > 60_000) {
      await this.tokens.update({ id: token.id }, { lastUsedAt: new Date() });
    }
    return token;
  }

  /** A token can do at most what its owner can, and only what it was created for, where it was created for. */
  async effectiveGrants(owner: readonly Grant[], token: ApiTokenEntity): Promise<Grant[]> {
    const scope = ScopePath.parse(token.scope);
    const held = new Set(permissionsOn(owner, await this.access.scopeChain(scope)));
    const permissions = token.permissions.filter(
      (p): p is Permission => Permission.safeParse(p).success && held.has(p as Permission),
    );
    return permissions.length ? [{ scope, permissions }] : [];
  }

  listFor(userId: string): Promise<ApiTokenEntity[]> {
    return this.tokens.find({ where: { userId, revokedAt: IsNull() }, order: { createdAt: 'DESC' } });
  }

  /**
   * Revokes a live token: the caller's own, or anyone's for an administrator (user.admin on `/`).
   * False when there is no such live token the caller may revoke.
   */
  async revokeAs(principal: Principal, id: string): Promise<boolean> {
    const isAdmin = isAllowed(principal.grants, 'user.admin', ['/']);
    const result = (await this.tokens
      .createQueryBuilder()
      .update()
      .set({ revokedAt: () => 'now()' })
      .where('id = :id AND revoked_at IS NULL', { id })
      .andWhere(isAdmin ? 'true' : 'user_id = :owner', { owner: principal.userId })
      .returning('user_id')
      .execute()) as { raw: { user_id: string }[] };
    this.accessChanges.changed(result.raw.map((row) => row.user_id));
    return result.raw.length > 0;
  }

  async revokeAllOf(userId: string): Promise<void> {
    await this.tokens.update({ userId, revokedAt: IsNull() }, { revokedAt: new Date() });
    this.accessChanges.changed([userId]);
  }
}
