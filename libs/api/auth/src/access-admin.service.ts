import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { AccessChanges, type AffectedUsers } from '@cockpit/api-access';
import { ConflictError, NotFoundError, type Principal } from '@cockpit/api-core';
import type { Permission, ScopePath } from '@cockpit/contracts';
import { toBinding, toRole } from './access-items.js';
import { GroupMemberEntity } from './entities/group-member.entity.js';
import { GroupEntity } from './entities/group.entity.js';
import { RoleBindingEntity } from './entities/role-binding.entity.js';
import { RoleEntity } from './entities/role.entity.js';
import { UserEntity } from './entities/user.entity.js';
import { GrantsService } from './grants.service.js';
import { SessionService } from './session.service.js';

const isUniqueViolation = (error: unknown) => (error as { code?: string }).code === '23505';

export interface RoleChanges {
  name?: string;
  permissions?: Permission[];
  requireTotp?: boolean;
}

/**
 * Groups, roles, role bindings and other people's sessions: who may do what, where. Nobody hands
 * out (or takes away) what they do not hold; every change says whose access it touched, so their
 * live streams are re-checked once it commits.
 */
@Injectable()
export class AccessAdminService {
  constructor(
    @InjectRepository(GroupEntity) private readonly groups: Repository<GroupEntity>,
    @InjectRepository(GroupMemberEntity) private readonly members: Repository<GroupMemberEntity>,
    @InjectRepository(RoleEntity) private readonly roles: Repository<RoleEntity>,
    @InjectRepository(RoleBindingEntity) private readonly bindings: Repository<RoleBindingEntity>,
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    private readonly grants: GrantsService,
    private readonly sessions: SessionService,
    private readonly accessChanges: AccessChanges,
  ) {}

  async createGroup(name: string, memberIds: readonly string[]) {
    await this.checkUsers(memberIds);
    const members = [...new Set(memberIds)];
    try {
      const group = await this.groups.save(this.groups.create({ name }));
      if (members.length) await this.members.insert(members.map((userId) => ({ groupId: group.id, userId })));
      return { id: group.id, name: group.name, members };
    } catch (error) {
      if (isUniqueViolation(error)) throw new ConflictError(`A group named "${name}" already exists`);
      throw error;
    }
  }

  async setGroupMembers(actor: Principal, groupId: string, memberIds: readonly string[]) {
    const group = await this.groups.findOneBy({ id: groupId });
    if (!group) throw new NotFoundError(`No group ${groupId}`);
    await this.checkUsers(memberIds);
    const members = [...new Set(memberIds)];
    const before = new Set((await this.members.findBy({ groupId })).map((m) => m.userId));
    const changed = members.length !== before.size || members.some((id) => !before.has(id));
    // Joining grants the group's roles and leaving takes them away: both need what they give.
    if (changed) await this.grants.assertCanChangeMembers(actor.grants, group);
    await this.members.delete({ groupId });
    if (members.length) await this.members.insert(members.map((userId) => ({ groupId, userId })));
    if (changed) this.accessChanges.changed([...new Set([...before, ...members])]);
    return { id: group.id, name: group.name, members };
  }

  async createRole(actor: Principal, role: Required<Pick<RoleChanges, 'permissions' | 'requireTotp'>> & { name: string }) {
    await this.grants.assertCanGrant(actor.grants, role.permissions, '/');
    try {
      return toRole(
        await this.roles.save(
          this.roles.create({
            name: role.name,
            permissions: [...new Set(role.permissions)],
            builtIn: false,
            requireTotp: role.requireTotp,
          }),
        ),
      );
    } catch (error) {
      if (isUniqueViolation(error)) throw new ConflictError(`A role named "${role.name}" already exists`);
      throw error;
    }
  }

  async updateRole(actor: Principal, roleId: string, changes: RoleChanges) {
    const role = await this.roles.findOneBy({ id: roleId });
    if (!role) throw new NotFoundError(`No role ${roleId}`);
    // Built-in roles keep their name and permissions; an admin may still require a second factor for them.
    if (role.builtIn && (changes.name !== undefined || changes.permissions !== undefined))
      throw new ConflictError(`${role.name} is a built-in role and cannot change`);
    if (changes.permissions) await this.grants.assertCanGrant(actor.grants, changes.permissions, '/');
    if (changes.name) role.name = changes.name;
    if (changes.permissions) role.permissions = [...new Set(changes.permissions)];
    if (changes.requireTotp !== undefined) role.requireTotp = changes.requireTotp;
    try {
      const saved = toRole(await this.roles.save(role));
      if (changes.permissions || changes.requireTotp !== undefined) this.accessChanges.changed(await this.holdersOf(roleId));
      return saved;
    } catch (error) {
      if (isUniqueViolation(error)) throw new ConflictError(`A role named "${changes.name ?? ''}" already exists`);
      throw error;
    }
  }

  async deleteRole(roleId: string) {
    const role = await this.roles.findOneBy({ id: roleId });
    if (!role) throw new NotFoundError(`No role ${roleId}`);
    if (role.builtIn) throw new ConflictError(`${role.name} is a built-in role and cannot be deleted`);
    const used = await this.bindings.countBy({ roleId });
    if (used) throw new ConflictError(`Role ${role.name} is bound ${used} time(s); remove those bindings first`);
    await this.roles.delete({ id: roleId });
  }

  async createBinding(
    actor: Principal,
    binding: { subjectType: 'user' | 'group'; subjectId: string; roleId: string; scope: ScopePath },
  ) {
    const role = await this.roles.findOneBy({ id: binding.roleId });
    if (!role) throw new NotFoundError(`No role ${binding.roleId}`);
    const subject =
      binding.subjectType === 'user'
        ? await this.users.findOneBy({ id: binding.subjectId })
        : await this.groups.findOneBy({ id: binding.subjectId });
    if (!subject) throw new NotFoundError(`No ${binding.subjectType} ${binding.subjectId}`);
    await this.grants.assertCanGrant(actor.grants, role.permissions as Permission[], binding.scope);
    if (await this.bindings.findOneBy(binding)) throw new ConflictError('That binding already exists');
    const saved = toBinding(await this.bindings.save(this.bindings.create(binding)));
    this.accessChanges.changed(await this.usersOf(binding.subjectType, binding.subjectId));
    return saved;
  }

  async deleteBinding(actor: Principal, bindingId: string): Promise<void> {
    const binding = await this.bindings.findOneBy({ id: bindingId });
    if (!binding) throw new NotFoundError(`No role binding ${bindingId}`);
    const role = await this.roles.findOneBy({ id: binding.roleId });
    // Taking away needs the same standing as giving.
    await this.grants.assertCanGrant(actor.grants, (role?.permissions ?? []) as Permission[], binding.scope as ScopePath);
    await this.bindings.delete({ id: bindingId });
    this.accessChanges.changed(await this.usersOf(binding.subjectType, binding.subjectId));
  }

  /** An administrator ends someone's session. */
  async revokeSession(idHash: string): Promise<void> {
    if (!(await this.sessions.revoke(idHash))) throw new NotFoundError(`No live session ${idHash}`);
  }

  private async usersOf(subjectType: 'user' | 'group', subjectId: string): Promise<string[]> {
    if (subjectType === 'user') return [subjectId];
    return (await this.members.findBy({ groupId: subjectId })).map((m) => m.userId);
  }

  /** Everyone bound to a role, directly or through a group. */
  private async holdersOf(roleId: string): Promise<AffectedUsers> {
    const bound = await this.bindings.findBy({ roleId });
    const users = bound.filter((b) => b.subjectType === 'user').map((b) => b.subjectId);
    const groups = bound.filter((b) => b.subjectType === 'group').map((b) => b.subjectId);
    const members = groups.length ? await this.members.findBy({ groupId: In(groups) }) : [];
    return [...new Set([...users, ...members.map((m) => m.userId)])];
  }

  private async checkUsers(ids: readonly string[]): Promise<void> {
    if (!ids.length) return;
    const found = new Set((await this.users.find({ where: { id: In([...new Set(ids)]) } })).map((u) => u.id));
    const missing = ids.filter((id) => !found.has(id));
    if (missing.length) throw new NotFoundError(`No user ${missing.join(', ')}`);
  }
}
