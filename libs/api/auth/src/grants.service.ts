import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { Permission, ScopePath, type Grant } from '@cockpit/contracts';
import { GroupMemberEntity } from './entities/group-member.entity.js';
import { RoleBindingEntity } from './entities/role-binding.entity.js';
import { RoleEntity } from './entities/role.entity.js';

/** The ancestors of a scope, itself first (objects and their clusters arrive with the hosts). */
export function scopeChain(scope: ScopePath): ScopePath[] {
  return scope === '/' ? ['/'] : [scope, '/'];
}

/** What a user may do where: roles bound to them and to their groups, as evaluator grants. */
@Injectable()
export class GrantsService {
  constructor(
    @InjectRepository(RoleBindingEntity) private readonly bindings: Repository<RoleBindingEntity>,
    @InjectRepository(RoleEntity) private readonly roles: Repository<RoleEntity>,
    @InjectRepository(GroupMemberEntity) private readonly members: Repository<GroupMemberEntity>,
  ) {}

  /** The role bindings that apply to a user: their own and their groups'. */
  private async bindingsOf(userId: string): Promise<RoleBindingEntity[]> {
    const groups = (await this.members.find({ where: { userId } })).map((m) => m.groupId);
    return this.bindings.find({
      where: [
        { subjectType: 'user', subjectId: userId },
        ...(groups.length ? [{ subjectType: 'group' as const, subjectId: In(groups) }] : []),
      ],
    });
  }

  async forUser(userId: string): Promise<Grant[]> {
    const bindings = await this.bindingsOf(userId);
    if (!bindings.length) return [];
    const roles = new Map(
      (await this.roles.find({ where: { id: In([...new Set(bindings.map((b) => b.roleId))]) } })).map((r) => [r.id, r]),
    );
    return bindings.flatMap((binding) => {
      const role = roles.get(binding.roleId);
      const scope = ScopePath.safeParse(binding.scope);
      if (!role || !scope.success) return [];
      return [
        { scope: scope.data, permissions: role.permissions.filter((p): p is Permission => Permission.safeParse(p).success) },
      ];
    });
  }

  /** Whether any role bound to the user (directly or through a group) requires a second factor. */
  async requiresTotp(userId: string): Promise<boolean> {
    const bindings = await this.bindingsOf(userId);
    if (!bindings.length) return false;
    return (await this.roles.count({ where: { id: In([...new Set(bindings.map((b) => b.roleId))]), requireTotp: true } })) > 0;
  }

  async bind(userId: string, roleName: string, scope: ScopePath): Promise<void> {
    const role = await this.roles.findOneByOrFail({ name: roleName });
    await this.bindings.insert({ subjectType: 'user', subjectId: userId, roleId: role.id, scope });
  }
}
