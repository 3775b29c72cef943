import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { AccessService } from '@cockpit/api-access';
import { ForbiddenError } from '@cockpit/api-core';
import { Permission, ScopePath, missingToGrant, type Grant } from '@cockpit/contracts';
import { RoleBindingEntity } from './entities/role-binding.entity.js';
import { RoleEntity } from './entities/role.entity.js';

/** What a user may do where, and whether any of their roles requires a second factor. */
export interface ResolvedAccess {
  grants: Grant[];
  requiresTotp: boolean;
}

/** What a user may do where: roles bound to them and to their groups, as evaluator grants. */
@Injectable()
export class GrantsService {
  constructor(
    @InjectRepository(RoleBindingEntity) private readonly bindings: Repository<RoleBindingEntity>,
    @InjectRepository(RoleEntity) private readonly roles: Repository<RoleEntity>,
    private readonly access: AccessService,
  ) {}

  /** Bindings as grants, with the roles they name. */
  private async toGrants(
    bindings: RoleBindingEntity[],
  ): Promise<{ binding: RoleBindingEntity; role: RoleEntity; grant: Grant }[]> {
    if (!bindings.length) return [];
    const roles = new Map(
      (await this.roles.find({ where: { id: In([...new Set(bindings.map((b) => b.roleId))]) } })).map((r) => [r.id, r]),
    );
    return bindings.flatMap((binding) => {
      const role = roles.get(binding.roleId);
      const scope = ScopePath.safeParse(binding.scope);
      if (!role || !scope.success) return [];
      const permissions = role.permissions.filter((p): p is Permission => Permission.safeParse(p).success);
      return [{ binding, role, grant: { scope: scope.data, permissions } }];
    });
  }

  /**
   * Grants and the second-factor requirement in one statement (the guard needs both on every
   * request: bindings of the user and of their groups, with their roles), the same rules as
   * `toGrants`: a binding whose role is gone or whose scope is not one is ignored.
   */
  async resolve(userId: string): Promise<ResolvedAccess> {
    const rows = (await this.bindings.query(
      `SELECT b.scope, r.permissions, r.require_totp AS "requireTotp" FROM role_bindings b JOIN roles r ON r.id = b.role_id
       WHERE (b.subject_type = 'user' AND b.subject_id = $1)
          OR (b.subject_type = 'group' AND b.subject_id IN (SELECT m.group_id FROM group_members m WHERE m.user_id = $1))
       ORDER BY b.id`,
      [userId],
    )) as { scope: string; permissions: string[]; requireTotp: boolean }[];
    const grants: Grant[] = [];
    let requiresTotp = false;
    for (const row of rows) {
      const scope = ScopePath.safeParse(row.scope);
      if (!scope.success) continue;
      grants.push({
        scope: scope.data,
        permissions: row.permissions.filter((p): p is Permission => Permission.safeParse(p).success),
      });
      requiresTotp ||= row.requireTotp;
    }
    return { grants, requiresTotp };
  }

  async forUser(userId: string): Promise<Grant[]> {
    return (await this.resolve(userId)).grants;
  }

  /** Whether any role bound to the user (directly or through a group) requires a second factor. */
  async requiresTotp(userId: string): Promise<boolean> {
    return (await this.resolve(userId)).requiresTotp;
  }

  async bind(userId: string, roleName: string, scope: ScopePath): Promise<void> {
    const role = await this.roles.findOneByOrFail({ name: roleName });
    await this.bindings.insert({ subjectType: 'user', subjectId: userId, roleId: role.id, scope });
  }

  /** Nobody hands out a permission or a scope they do not hold themselves (on it or above it). */
  async assertCanGrant(granter: readonly Grant[], permissions: readonly Permission[], scope: ScopePath): Promise<void> {
    const missing = missingToGrant(granter, permissions, await this.access.scopeChain(scope));
    if (missing.length) throw new ForbiddenError(`You cannot grant what you do not hold on ${scope}: ${missing.join(', ')}`);
  }

  /**
   * Changing someone's password, disabling or editing them is as good as holding what they hold:
   * only someone who holds all of it, where they hold it, may.
   */
  async assertCanActOn(actor: readonly Grant[], target: { id: string; username: string }): Promise<void> {
    const missing = await this.firstMissing(actor, await this.forUser(target.id));
    if (missing)
      throw new ForbiddenError(
        `You cannot change ${target.username}: they hold what you do not on ${missing.scope}: ${missing.permissions.join(', ')}`,
      );
  }

  /**
   * Putting someone into a group (yourself included) grants them its roles; taking them out takes
   * those away. Either needs what the group's bindings give, where they give it.
   */
  async assertCanChangeMembers(actor: readonly Grant[], group: { id: string; name: string }): Promise<void> {
    const given = await this.toGrants(await this.bindings.findBy({ subjectType: 'group', subjectId: group.id }));
    const missing = await this.firstMissing(
      actor,
      given.map((g) => g.grant),
    );
    if (missing)
      throw new ForbiddenError(
        `You cannot change the members of ${group.name}: it grants what you do not hold on ${missing.scope}: ${missing.permissions.join(', ')}`,
      );
  }

  /** The first scope where `wanted` gives something `holder` does not hold there (all of it, per scope). */
  private async firstMissing(holder: readonly Grant[], wanted: readonly Grant[]): Promise<Grant | undefined> {
    const byScope = new Map<ScopePath, Set<Permission>>();
    for (const grant of wanted) {
      const set = byScope.get(grant.scope) ?? new Set<Permission>();
      grant.permissions.forEach((p) => set.add(p));
      byScope.set(grant.scope, set);
    }
    for (const [scope, permissions] of byScope) {
      const missing = missingToGrant(holder, [...permissions], await this.access.scopeChain(scope));
      if (missing.length) return { scope, permissions: missing };
    }
    return undefined;
  }
}
