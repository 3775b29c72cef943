import { z } from 'zod';
import { Permission, ScopePath } from '../auth/permissions.js';
import { NameContains, pageOf, pageQuery } from './paging.js';
import { defineRoute } from './route.js';

const Id = z.uuid();
const Username = z
  .string()
  .min(2)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9._-]*$/i, 'letters, digits, ".", "_" or "-"');
const NewPassword = z.string().min(12, 'at least 12 characters').max(1024);
const admin = { permission: 'user.admin' } as const;

export const User = z
  .object({
    id: Id,
    username: z.string(),
    displayName: z.string(),
    disabled: z.boolean(),
    groups: z.array(Id),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'User' });
export type User = z.infer<typeof User>;

export const Group = z.object({ id: Id, name: z.string(), members: z.array(Id) }).meta({ id: 'Group' });
export const Role = z
  .object({ id: Id, name: z.string(), permissions: z.array(Permission), builtIn: z.boolean(), requireTotp: z.boolean() })
  .meta({ id: 'Role' });
export const RoleBinding = z
  .object({
    id: Id,
    subjectType: z.enum(['user', 'group']),
    subjectId: Id,
    roleId: Id,
    scope: ScopePath,
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'RoleBinding' });
export const SessionInfo = z
  .object({
    id: z.string(),
    userId: Id,
    username: z.string(),
    sourceIp: z.string(),
    userAgent: z.string(),
    createdAt: z.iso.datetime(),
    lastSeenAt: z.iso.datetime(),
    expiresAt: z.iso.datetime(),
  })
  .meta({ id: 'Session' });
export const ApiToken = z
  .object({
    id: Id,
    name: z.string(),
    permissions: z.array(Permission),
    scope: ScopePath,
    createdAt: z.iso.datetime(),
    expiresAt: z.iso.datetime(),
    lastUsedAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'ApiToken' });

const UserParams = z.object({ userId: Id });

export const listUsers = defineRoute({
  id: 'listUsers',
  method: 'get',
  path: '/api/users',
  summary: 'All users',
  tag: 'Users',
  access: admin,
  query: pageQuery(['username', 'createdAt'], 'username').extend({ name: NameContains.optional() }),
  response: pageOf(User),
});
export const createUser = defineRoute({
  id: 'createUser',
  method: 'post',
  path: '/api/users',
  summary: 'Create a local user',
  tag: 'Users',
  access: admin,
  body: z.object({ username: Username, displayName: z.string().min(1).max(128).optional(), password: NewPassword }),
  status: 201,
  response: User,
  errors: [409],
});
export const updateUser = defineRoute({
  id: 'updateUser',
  method: 'patch',
  path: '/api/users/{userId}',
  summary: 'Rename, reset the password of, disable or enable a user',
  description:
    'A new password or disabling ends all of their sessions and API tokens at once. You can only change a user who holds no more than you do, where they hold it (403 naming what they hold).',
  tag: 'Users',
  access: admin,
  params: UserParams,
  body: z
    .object({
      displayName: z.string().min(1).max(128).optional(),
      disabled: z.boolean().optional(),
      password: NewPassword.optional(),
    })
    .refine((b) => Object.values(b).some((v) => v !== undefined), 'give at least one field to change'),
  response: User,
  errors: [404, 409],
});
export const changeOwnPassword = defineRoute({
  id: 'changeOwnPassword',
  method: 'post',
  path: '/api/auth/password',
  summary: 'Change your own password (your other sessions and your API tokens end)',
  tag: 'Auth',
  access: 'authenticated',
  body: z.object({ currentPassword: z.string().min(1).max(1024), newPassword: NewPassword }),
  response: z.object({ changed: z.literal(true) }),
});

export const listGroups = defineRoute({
  id: 'listGroups',
  method: 'get',
  path: '/api/groups',
  summary: 'All groups',
  tag: 'Users',
  access: admin,
  query: pageQuery(['name'], 'name').extend({ name: NameContains.optional() }),
  response: pageOf(Group),
});
export const createGroup = defineRoute({
  id: 'createGroup',
  method: 'post',
  path: '/api/groups',
  summary: 'Create a group of users',
  tag: 'Users',
  access: admin,
  body: z.object({ name: Username, members: z.array(Id).max(10_000).default([]) }),
  status: 201,
  response: Group,
  errors: [409],
});
export const setGroupMembers = defineRoute({
  id: 'setGroupMembers',
  method: 'put',
  path: '/api/groups/{groupId}/members',
  summary: 'Replace the members of a group',
  description:
    'Joining a group gives its roles and leaving takes them away: you can only change the members of a group whose bindings give no more than you hold, where they give it (403 naming what you lack).',
  tag: 'Users',
  access: admin,
  params: z.object({ groupId: Id }),
  body: z.object({ members: z.array(Id).max(10_000) }),
  response: Group,
  errors: [404],
});

export const listRoles = defineRoute({
  id: 'listRoles',
  method: 'get',
  path: '/api/roles',
  summary: 'Roles: named sets of permissions',
  tag: 'Access',
  access: 'authenticated',
  query: pageQuery(['name'], 'name').extend({ name: NameContains.optional() }),
  response: pageOf(Role),
});
export const createRole = defineRoute({
  id: 'createRole',
  method: 'post',
  path: '/api/roles',
  summary: 'Create a custom role',
  tag: 'Access',
  access: admin,
  body: z.object({
    name: z.string().min(2).max(64),
    permissions: z.array(Permission).min(1),
    requireTotp: z.boolean().default(false),
  }),
  status: 201,
  response: Role,
  errors: [409],
});
export const updateRole = defineRoute({
  id: 'updateRole',
  method: 'patch',
  path: '/api/roles/{roleId}',
  summary: 'Change a custom role (built-in roles are fixed)',
  tag: 'Access',
  access: admin,
  params: z.object({ roleId: Id }),
  body: z.object({
    name: z.string().min(2).max(64).optional(),
    permissions: z.array(Permission).min(1).optional(),
    requireTotp: z.boolean().optional(),
  }),
  response: Role,
  errors: [404, 409],
});
export const deleteRole = defineRoute({
  id: 'deleteRole',
  method: 'delete',
  path: '/api/roles/{roleId}',
  summary: 'Delete a custom role that nothing is bound to',
  tag: 'Access',
  access: admin,
  params: z.object({ roleId: Id }),
  response: z.object({ deleted: z.literal(true) }),
  errors: [404, 409],
});

export const listRoleBindings = defineRoute({
  id: 'listRoleBindings',
  method: 'get',
  path: '/api/role-bindings',
  summary: 'Who has which role where',
  tag: 'Access',
  access: admin,
  query: pageQuery(['createdAt', 'scope'], 'createdAt').extend({
    roleId: Id.optional(),
    subjectId: Id.optional(),
    scope: ScopePath.optional(),
  }),
  response: pageOf(RoleBinding),
});
export const createRoleBinding = defineRoute({
  id: 'createRoleBinding',
  method: 'post',
  path: '/api/role-bindings',
  summary: 'Give a user or group a role on a scope',
  description: 'You can only grant permissions you hold yourself on that scope (403 naming the missing ones).',
  tag: 'Access',
  access: admin,
  body: z.object({ subjectType: z.enum(['user', 'group']), subjectId: Id, roleId: Id, scope: ScopePath }),
  status: 201,
  response: RoleBinding,
  errors: [404, 409],
});
export const deleteRoleBinding = defineRoute({
  id: 'deleteRoleBinding',
  method: 'delete',
  path: '/api/role-bindings/{bindingId}',
  summary: 'Remove a role binding',
  tag: 'Access',
  access: admin,
  params: z.object({ bindingId: Id }),
  response: z.object({ deleted: z.literal(true) }),
  errors: [404],
});

export const listSessions = defineRoute({
  id: 'listSessions',
  method: 'get',
  path: '/api/sessions',
  summary: 'Live console sessions of all users',
  tag: 'Users',
  access: admin,
  query: pageQuery(['lastSeenAt', 'createdAt'], '-lastSeenAt').extend({ userId: Id.optional() }),
  response: pageOf(SessionInfo),
});
export const revokeSession = defineRoute({
  id: 'revokeSession',
  method: 'delete',
  path: '/api/sessions/{sessionId}',
  summary: 'End a session',
  tag: 'Users',
  access: admin,
  params: z.object({ sessionId: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'a session id') }),
  response: z.object({ revoked: z.literal(true) }),
  errors: [404],
});

export const listOwnSessions = defineRoute({
  id: 'listOwnSessions',
  method: 'get',
  path: '/api/auth/sessions',
  summary: 'Your signed-in sessions (this one marked current)',
  tag: 'Auth',
  access: 'authenticated',
  query: pageQuery(['lastSeenAt', 'createdAt'], '-lastSeenAt'),
  response: pageOf(SessionInfo.extend({ current: z.boolean() })),
});
export const revokeOwnSession = defineRoute({
  id: 'revokeOwnSession',
  method: 'delete',
  path: '/api/auth/sessions/{sessionId}',
  summary: 'Sign out one of your other sessions',
  tag: 'Auth',
  access: 'authenticated',
  params: z.object({ sessionId: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'a session id') }),
  response: z.object({ revoked: z.literal(true) }),
  errors: [404],
});

export const listTokens = defineRoute({
  id: 'listTokens',
  method: 'get',
  path: '/api/tokens',
  summary: 'Your API tokens',
  tag: 'Auth',
  access: 'authenticated',
  query: pageQuery(['name', 'createdAt'], 'name'),
  response: pageOf(ApiToken),
});
export const createToken = defineRoute({
  id: 'createToken',
  method: 'post',
  path: '/api/tokens',
  summary: 'Create an API token with some of your permissions; the secret is shown only in this answer',
  description: 'Only from a signed-in session: a request made with an API token cannot create tokens (403).',
  tag: 'Auth',
  access: 'authenticated',
  body: z.object({
    name: z.string().min(1).max(64),
    permissions: z.array(Permission).min(1),
    scope: ScopePath.default('/'),
    expiresInDays: z.number().int().min(1).max(366).default(90),
  }),
  status: 201,
  response: ApiToken.extend({
    token: z.string().meta({ description: 'Send as Authorization: Bearer <token>; not retrievable later' }),
  }),
});
export const revokeToken = defineRoute({
  id: 'revokeToken',
  method: 'delete',
  path: '/api/tokens/{tokenId}',
  summary: 'Revoke one of your API tokens (admins: anyone’s)',
  tag: 'Auth',
  access: 'authenticated',
  params: z.object({ tokenId: Id }),
  response: z.object({ revoked: z.literal(true) }),
  errors: [404],
});

export const userRoutes = [
  listUsers,
  createUser,
  updateUser,
  changeOwnPassword,
  listGroups,
  createGroup,
  setGroupMembers,
  listRoles,
  createRole,
  updateRole,
  deleteRole,
  listRoleBindings,
  createRoleBinding,
  deleteRoleBinding,
  listSessions,
  revokeSession,
  listOwnSessions,
  revokeOwnSession,
  listTokens,
  createToken,
  revokeToken,
] as const;
