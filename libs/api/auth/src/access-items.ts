import type { z } from 'zod';
import type { ApiToken, Permission, Role, RoleBinding, ScopePath, User } from '@cockpit/contracts';
import type { ApiTokenEntity } from './entities/api-token.entity.js';
import type { RoleBindingEntity } from './entities/role-binding.entity.js';
import type { RoleEntity } from './entities/role.entity.js';
import type { UserEntity } from './entities/user.entity.js';

/**
 * How the access objects look in answers, one mapper each: the services map the entities they
 * saved, the directory the rows of its lists (selected under the entities' field names).
 */

export type UserFields = Pick<UserEntity, 'id' | 'username' | 'displayName' | 'disabled' | 'createdAt'>;
export type RoleFields = Pick<RoleEntity, 'id' | 'name' | 'permissions' | 'builtIn' | 'requireTotp'>;
export type BindingFields = Pick<RoleBindingEntity, 'id' | 'subjectType' | 'subjectId' | 'roleId' | 'scope' | 'createdAt'>;
export type TokenFields = Pick<
  ApiTokenEntity,
  'id' | 'name' | 'permissions' | 'scope' | 'createdAt' | 'expiresAt' | 'lastUsedAt'
>;

export function toUser(user: UserFields, groups: string[]): User {
  return {
    id: user.id,
    username: user.username,
    displayName: user.displayName,
    disabled: user.disabled,
    groups,
    createdAt: user.createdAt.toISOString(),
  };
}

export function toRole(role: RoleFields): z.output<typeof Role> {
  return {
    id: role.id,
    name: role.name,
    permissions: role.permissions as Permission[],
    builtIn: role.builtIn,
    requireTotp: role.requireTotp,
  };
}

export function toBinding(binding: BindingFields): z.output<typeof RoleBinding> {
  return {
    id: binding.id,
    subjectType: binding.subjectType,
    subjectId: binding.subjectId,
    roleId: binding.roleId,
    scope: binding.scope as ScopePath,
    createdAt: binding.createdAt.toISOString(),
  };
}

export function toToken(token: TokenFields): z.output<typeof ApiToken> {
  return {
    id: token.id,
    name: token.name,
    permissions: token.permissions as Permission[],
    scope: token.scope as ScopePath,
    createdAt: token.createdAt.toISOString(),
    expiresAt: token.expiresAt.toISOString(),
    lastUsedAt: token.lastUsedAt?.toISOString() ?? null,
  };
}
