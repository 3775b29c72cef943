import { Body, Controller, Param, Query, Req } from '@nestjs/common';
import {
  Route,
  UnauthenticatedError,
  type ParsedBody,
  type ParsedQuery,
  type Principal,
  type RequestWithPrincipal,
} from '@cockpit/api-core';
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
import { DirectoryService } from './directory.service.js';

/** The guard has resolved the caller of every non-public route. */
function actorOf(request: RequestWithPrincipal): Principal {
  if (!request.principal) throw new UnauthenticatedError('Sign in first');
  return request.principal;
}

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
    return this.admin.setGroupMembers(actorOf(request), groupId, body.members);
  }

  @Route(listRoles)
  listRoles(@Query() query: ParsedQuery<typeof listRoles>) {
    return this.directory.rolesPage(query);
  }

  @Route(createRole)
  createRole(@Body() body: ParsedBody<typeof createRole>, @Req() request: RequestWithPrincipal) {
    return this.admin.createRole(actorOf(request), body);
  }

  @Route(updateRole)
  updateRole(@Param('roleId') roleId: string, @Body() body: ParsedBody<typeof updateRole>, @Req() request: RequestWithPrincipal) {
    return this.admin.updateRole(actorOf(request), roleId, body);
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
    return this.admin.createBinding(actorOf(request), body);
  }

  @Route(deleteRoleBinding)
  async deleteRoleBinding(@Param('bindingId') bindingId: string, @Req() request: RequestWithPrincipal) {
    await this.admin.deleteBinding(actorOf(request), bindingId);
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
