import { Body, ConflictException, Controller, NotFoundException, Param, Query, Req } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, IsNull, Repository } from 'typeorm';
import type { z } from 'zod';
import { Route, type ParsedQuery, type RequestWithPrincipal } from '@cockpit/api-core';
import {
  createGroup,
  createRole,
  createRoleBinding,
  deleteRole,
  deleteRoleBinding,
  listGroups,
  listRoleBindings,
  listRoles,
  listSessions,
  revokeSession,
  setGroupMembers,
  updateRole,
  type Permission,
  type ScopePath,
} from '@cockpit/contracts';
import { GroupMemberEntity } from './entities/group-member.entity.js';
import { GroupEntity } from './entities/group.entity.js';
import { RoleBindingEntity } from './entities/role-binding.entity.js';
import { RoleEntity } from './entities/role.entity.js';
import { SessionEntity } from './entities/session.entity.js';
import { UserEntity } from './entities/user.entity.js';
import { DirectoryService } from './directory.service.js';
import { GrantsService } from './grants.service.js';

type Body<R> = R extends { body?: infer B } ? (B extends z.ZodType ? z.output<B> : never) : never;

const isUniqueViolation = (error: unknown) => (error as { code?: string }).code === '23505';

/** Groups, roles, role bindings and sessions: who may do what, where. */
@Controller()
export class AccessController {
  constructor(
    @InjectRepository(GroupEntity) private readonly groups: Repository<GroupEntity>,
    @InjectRepository(GroupMemberEntity) private readonly members: Repository<GroupMemberEntity>,
    @InjectRepository(RoleEntity) private readonly roles: Repository<RoleEntity>,
    @InjectRepository(RoleBindingEntity) private readonly bindings: Repository<RoleBindingEntity>,
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    @InjectRepository(SessionEntity) private readonly sessions: Repository<SessionEntity>,
    private readonly grants: GrantsService,
    private readonly directory: DirectoryService,
  ) {}

  @Route(listGroups)
  listGroups(@Query() query: ParsedQuery<typeof listGroups>) {
    return this.directory.groupsPage(query);
  }

  @Route(createGroup)
  async createGroup(@Body() body: Body<typeof createGroup>) {
    await this.checkUsers(body.members);
    try {
      return await this.groups.manager.transaction(async (manager) => {
        const group = await manager.save(GroupEntity, manager.create(GroupEntity, { name: body.name }));
        if (body.members.length)
          await manager.insert(
            GroupMemberEntity,
            body.members.map((userId) => ({ groupId: group.id, userId })),
          );
        return { id: group.id, name: group.name, members: body.members };
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new ConflictException(`A group named "${body.name}" already exists`);
      throw error;
    }
  }

  @Route(setGroupMembers)
  async setGroupMembers(
    @Param('groupId') groupId: string,
    @Body() body: Body<typeof setGroupMembers>,
    @Req() request: RequestWithPrincipal,
  ) {
    const group = await this.groups.findOneBy({ id: groupId });
    if (!group) throw new NotFoundException(`No group ${groupId}`);
    await this.checkUsers(body.members);
    const members = [...new Set(body.members)];
    const before = new Set((await this.members.findBy({ groupId })).map((m) => m.userId));
    const changed = members.length !== before.size || members.some((id) => !before.has(id));
    // Joining grants the group's roles and leaving takes them away: both need what they give.
    if (changed) await this.grants.assertCanChangeMembers(request.principal?.grants ?? [], group);
    await this.groups.manager.transaction(async (manager) => {
      await manager.delete(GroupMemberEntity, { groupId });
      if (members.length)
        await manager.insert(
          GroupMemberEntity,
          members.map((userId) => ({ groupId, userId })),
        );
    });
    return { id: group.id, name: group.name, members };
  }

  @Route(listRoles)
  listRoles(@Query() query: ParsedQuery<typeof listRoles>) {
    return this.directory.rolesPage(query);
  }

  @Route(createRole)
  async createRole(@Body() body: Body<typeof createRole>, @Req() request: RequestWithPrincipal) {
    this.checkCanGrant(request, body.permissions, '/');
    try {
      return toRole(
        await this.roles.save(
          this.roles.create({
            name: body.name,
            permissions: [...new Set(body.permissions)],
            builtIn: false,
            requireTotp: body.requireTotp,
          }),
        ),
      );
    } catch (error) {
      if (isUniqueViolation(error)) throw new ConflictException(`A role named "${body.name}" already exists`);
      throw error;
    }
  }

  @Route(updateRole)
  async updateRole(@Param('roleId') roleId: string, @Body() body: Body<typeof updateRole>, @Req() request: RequestWithPrincipal) {
    const role = await this.roles.findOneBy({ id: roleId });
    if (!role) throw new NotFoundException(`No role ${roleId}`);
    // Built-in roles keep their name and permissions; an admin may still require a second factor for them.
    if (role.builtIn && (body.name !== undefined || body.permissions !== undefined)) {
      throw new ConflictException(`${role.name} is a built-in role and cannot change`);
    }
    if (body.permissions) this.checkCanGrant(request, body.permissions, '/');
    if (body.name) role.name = body.name;
    if (body.permissions) role.permissions = [...new Set(body.permissions)];
    if (body.requireTotp !== undefined) role.requireTotp = body.requireTotp;
    try {
      return toRole(await this.roles.save(role));
    } catch (error) {
      if (isUniqueViolation(error)) throw new ConflictException(`A role named "${body.name ?? ''}" already exists`);
      throw error;
    }
  }

  @Route(deleteRole)
  async deleteRole(@Param('roleId') roleId: string) {
    const role = await this.roles.findOneBy({ id: roleId });
    if (!role) throw new NotFoundException(`No role ${roleId}`);
    if (role.builtIn) throw new ConflictException(`${role.name} is a built-in role and cannot be deleted`);
    const used = await this.bindings.countBy({ roleId });
    if (used) throw new ConflictException(`Role ${role.name} is bound ${used} time(s); remove those bindings first`);
    await this.roles.delete({ id: roleId });
    return { deleted: true as const };
  }

  @Route(listRoleBindings)
  listRoleBindings(@Query() query: ParsedQuery<typeof listRoleBindings>) {
    return this.directory.bindingsPage(query);
  }

  @Route(createRoleBinding)
  async createRoleBinding(@Body() body: Body<typeof createRoleBinding>, @Req() request: RequestWithPrincipal) {
    const role = await this.roles.findOneBy({ id: body.roleId });
    if (!role) throw new NotFoundException(`No role ${body.roleId}`);
    const subject =
      body.subjectType === 'user'
        ? await this.users.findOneBy({ id: body.subjectId })
        : await this.groups.findOneBy({ id: body.subjectId });
    if (!subject) throw new NotFoundException(`No ${body.subjectType} ${body.subjectId}`);
    this.checkCanGrant(request, role.permissions as Permission[], body.scope);
    const existing = await this.bindings.findOneBy({
      subjectType: body.subjectType,
      subjectId: body.subjectId,
      roleId: body.roleId,
      scope: body.scope,
    });
    if (existing) throw new ConflictException('That binding already exists');
    return toBinding(await this.bindings.save(this.bindings.create(body)));
  }

  @Route(deleteRoleBinding)
  async deleteRoleBinding(@Param('bindingId') bindingId: string, @Req() request: RequestWithPrincipal) {
    const binding = await this.bindings.findOneBy({ id: bindingId });
    if (!binding) throw new NotFoundException(`No role binding ${bindingId}`);
    const role = await this.roles.findOneBy({ id: binding.roleId });
    // Taking away needs the same standing as giving.
    this.checkCanGrant(request, (role?.permissions ?? []) as Permission[], binding.scope as ScopePath);
    await this.bindings.delete({ id: bindingId });
    return { deleted: true as const };
  }

  @Route(listSessions)
  listSessions(@Query() query: ParsedQuery<typeof listSessions>) {
    return this.directory.sessionsPage(query);
  }

  @Route(revokeSession)
  async revokeSession(@Param('sessionId') sessionId: string) {
    const result = await this.sessions.update({ idHash: sessionId, revokedAt: IsNull() }, { revokedAt: new Date() });
    if (!result.affected) throw new NotFoundException(`No live session ${sessionId}`);
    return { revoked: true as const };
  }

  /** Nobody hands out a permission or a scope they do not hold themselves. */
  private checkCanGrant(request: RequestWithPrincipal, permissions: readonly Permission[], scope: ScopePath): void {
    GrantsService.assertCanGrant(request.principal?.grants ?? [], permissions, scope);
  }

  private async checkUsers(ids: readonly string[]): Promise<void> {
    if (!ids.length) return;
    const found = new Set((await this.users.find({ where: { id: In([...new Set(ids)]) } })).map((u) => u.id));
    const missing = ids.filter((id) => !found.has(id));
    if (missing.length) throw new NotFoundException(`No user ${missing.join(', ')}`);
  }
}

function toRole(role: RoleEntity) {
  return {
    id: role.id,
    name: role.name,
    permissions: role.permissions as Permission[],
    builtIn: role.builtIn,
    requireTotp: role.requireTotp,
  };
}

function toBinding(binding: RoleBindingEntity) {
  return {
    id: binding.id,
    subjectType: binding.subjectType,
    subjectId: binding.subjectId,
    roleId: binding.roleId,
    scope: binding.scope as ScopePath,
    createdAt: binding.createdAt.toISOString(),
  };
}
