import { Body, Controller, Param, Query, Req } from '@nestjs/common';
import { Route, type ParsedBody, type ParsedQuery, type RequestWithPrincipal } from '@cockpit/api-core';
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
} from '@cockpit/contracts';
import { AccessAdminService } from './access-admin.service.js';
import { principalOf } from './auth.guard.js';
import { DirectoryService } from './directory.service.js';

/** Groups, roles, role bindings and sessions: who may do what, where. */
@Controller()
export class AccessController {
  constructor(
    private readonly admin: AccessAdminService,
    private readonly directory: DirectoryService,
  ) {}

  @Route(listGroups)
  listGroups(@Query() query: ParsedQuery<typeof listGroups>) {
    return this.directory.groupsPage(query);
  }

  @Route(createGroup)
  createGroup(@Body() body: ParsedBody<typeof createGroup>) {
    return this.admin.createGroup(body.name, body.members);
  }

  @Route(setGroupMembers)
  setGroupMembers(
    @Param('groupId') groupId: string,
    @Body() body: ParsedBody<typeof setGroupMembers>,
    @Req() request: RequestWithPrincipal,
  ) {
    return this.admin.setGroupMembers(principalOf(request), groupId, body.members);
  }

  @Route(listRoles)
  listRoles(@Query() query: ParsedQuery<typeof listRoles>) {
    return this.directory.rolesPage(query);
  }

  @Route(createRole)
  createRole(@Body() body: ParsedBody<typeof createRole>, @Req() request: RequestWithPrincipal) {
    return this.admin.createRole(principalOf(request), body);
  }

  @Route(updateRole)
  updateRole(@Param('roleId') roleId: string, @Body() body: ParsedBody<typeof updateRole>, @Req() request: RequestWithPrincipal) {
    return this.admin.updateRole(principalOf(request), roleId, body);
  }

  @Route(deleteRole)
  async deleteRole(@Param('roleId') roleId: string) {
    await this.admin.deleteRole(roleId);
    return { deleted: true as const };
  }

  @Route(listRoleBindings)
  listRoleBindings(@Query() query: ParsedQuery<typeof listRoleBindings>) {
    return this.directory.bindingsPage(query);
  }

  @Route(createRoleBinding)
  createRoleBinding(@Body() body: ParsedBody<typeof createRoleBinding>, @Req() request: RequestWithPrincipal) {
    return this.admin.createBinding(principalOf(request), body);
  }

  @Route(deleteRoleBinding)
  async deleteRoleBinding(@Param('bindingId') bindingId: string, @Req() request: RequestWithPrincipal) {
    await this.admin.deleteBinding(principalOf(request), bindingId);
    return { deleted: true as const };
  }

  @Route(listSessions)
  listSessions(@Query() query: ParsedQuery<typeof listSessions>) {
    return this.directory.sessionsPage(query);
  }

  @Route(revokeSession)
  async revokeSession(@Param('sessionId') sessionId: string) {
    await this.admin.revokeSession(sessionId);
    return { revoked: true as const };
  }
}
