import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { containsPattern, keysetPage, type SortField } from '@cockpit/api-core';
import type { Page } from '@cockpit/contracts';
import {
  toBinding,
  toRole,
  toToken,
  toUser,
  type BindingFields,
  type RoleFields,
  type TokenFields,
  type UserFields,
} from './access-items.js';
import { UserEntity } from './entities/user.entity.js';

interface PageRequest {
  limit: number;
  cursor?: string;
  sort: string;
}

const iso = (date: Date) => date.toISOString();

/** Rows are selected under the entities' field names (`AS "displayName"`): the mappers of access-items serve both. */
type UserRow = UserFields & { groups: string[] };
interface GroupRow {
  id: string;
  name: string;
  members: string[];
}
interface SessionRow {
  id_hash: string;
  user_id: string;
  username: string;
  source_ip: string;
  user_agent: string;
  created_at: Date;
  last_seen_at: Date;
  expires_at: Date;
}

const byId = <R extends { id: string }>(): SortField<R> => ({ sql: 'id', value: (row) => row.id });

/**
 * The access objects' lists (users, groups, roles, bindings, sessions, tokens), a page at a time
 * with keyset paging, in SQL. Controllers call this; they do not read tables.
 */
@Injectable()
export class DirectoryService {
  constructor(@InjectRepository(UserEntity) private readonly users: Repository<UserEntity>) {}

  private async page<Row, Item>(
    base: { select: string; countFrom: string; where: string[]; params: unknown[] },
    fields: Record<string, SortField<Row>>,
    id: SortField<Row>,
    request: PageRequest,
    toItem: (row: Row) => Item,
  ): Promise<Page<Item>> {
    return keysetPage(
      (text, params) => this.users.query(text, params),
      { ...base, sort: request.sort, fields, id, limit: request.limit, cursor: request.cursor },
      toItem,
    );
  }

  /** The groups a user is a member of, as in the users list. */
  async groupsOf(userId: string): Promise<string[]> {
    const rows = (await this.users.query('SELECT group_id FROM group_members WHERE user_id = $1 ORDER BY group_id', [
      userId,
    ])) as {
      group_id: string;
    }[];
    return rows.map((row) => row.group_id);
  }

  usersPage(request: PageRequest & { name?: string }) {
    const where: string[] = [];
    const params: unknown[] = [];
    if (request.name)
      where.push(`(u.username ILIKE $${params.push(containsPattern(request.name))} OR u.display_name ILIKE $${params.length})`);
    return this.page<UserRow, ReturnType<typeof toUser>>(
      {
        select: `SELECT u.id, u.username, u.display_name AS "displayName", u.disabled, u.created_at AS "createdAt",
          ARRAY(SELECT m.group_id FROM group_members m WHERE m.user_id = u.id ORDER BY m.group_id) AS groups
          FROM users u`,
        countFrom: 'FROM users u',
        where,
        params,
      },
      {
        username: { sql: 'u.username', value: (row) => row.username },
        createdAt: { sql: 'u.created_at', value: (row) => iso(row.createdAt) },
      },
      { sql: 'u.id', value: (row) => row.id },
      request,
      (row) => toUser(row, row.groups),
    );
  }

  groupsPage(request: PageRequest & { name?: string }) {
    const where: string[] = [];
    const params: unknown[] = [];
    if (request.name) where.push(`g.name ILIKE $${params.push(containsPattern(request.name))}`);
    return this.page<GroupRow, { id: string; name: string; members: string[] }>(
      {
        select: `SELECT g.id, g.name,
          ARRAY(SELECT m.user_id FROM group_members m WHERE m.group_id = g.id ORDER BY m.user_id) AS members
          FROM groups g`,
        countFrom: 'FROM groups g',
        where,
        params,
      },
      { name: { sql: 'g.name', value: (row) => row.name } },
      { sql: 'g.id', value: (row) => row.id },
      request,
      (row) => ({ id: row.id, name: row.name, members: row.members }),
    );
  }

  rolesPage(request: PageRequest & { name?: string }) {
    const where: string[] = [];
    const params: unknown[] = [];
    if (request.name) where.push(`name ILIKE $${params.push(containsPattern(request.name))}`);
    return this.page<RoleFields, ReturnType<typeof toRole>>(
      {
        select: 'SELECT id, name, permissions, built_in AS "builtIn", require_totp AS "requireTotp" FROM roles',
        countFrom: 'FROM roles',
        where,
        params,
      },
      { name: { sql: 'name', value: (row) => row.name } },
      byId(),
      request,
      toRole,
    );
  }

  bindingsPage(request: PageRequest & { roleId?: string; subjectId?: string; scope?: string }) {
    const where: string[] = [];
    const params: unknown[] = [];
    if (request.roleId) where.push(`role_id = $${params.push(request.roleId)}`);
    if (request.subjectId) where.push(`subject_id = $${params.push(request.subjectId)}`);
    if (request.scope) where.push(`scope = $${params.push(request.scope)}`);
    return this.page<BindingFields, ReturnType<typeof toBinding>>(
      {
        select: `SELECT id, subject_type AS "subjectType", subject_id AS "subjectId", role_id AS "roleId", scope,
          created_at AS "createdAt" FROM role_bindings`,
        countFrom: 'FROM role_bindings',
        where,
        params,
      },
      {
        createdAt: { sql: 'created_at', value: (row) => iso(row.createdAt) },
        scope: { sql: 'scope', value: (row) => row.scope },
      },
      byId(),
      request,
      toBinding,
    );
  }

  /** Live sessions (of one user, when given); `current` marks the caller's own. */
  sessionsPage(request: PageRequest & { userId?: string }, currentIdHash?: string) {
    const where = ['s.revoked_at IS NULL', 's.expires_at > now()'];
    const params: unknown[] = [];
    if (request.userId) where.push(`s.user_id = $${params.push(request.userId)}`);
    return this.page<SessionRow, ReturnType<typeof toSessionItem> & { current?: boolean }>(
      {
        select: `SELECT s.id_hash, s.user_id, u.username, s.source_ip, s.user_agent, s.created_at, s.last_seen_at, s.expires_at
          FROM sessions s JOIN users u ON u.id = s.user_id`,
        countFrom: 'FROM sessions s',
        where,
        params,
      },
      {
        lastSeenAt: { sql: 's.last_seen_at', value: (row) => iso(row.last_seen_at) },
        createdAt: { sql: 's.created_at', value: (row) => iso(row.created_at) },
      },
      { sql: 's.id_hash', value: (row) => row.id_hash },
      request,
      (row) => ({
        ...toSessionItem(row),
        ...(currentIdHash === undefined ? {} : { current: row.id_hash === currentIdHash }),
      }),
    );
  }

  /** A user's live API tokens. */
  tokensPage(userId: string, request: PageRequest) {
    return this.page<TokenFields, ReturnType<typeof toToken>>(
      {
        select: `SELECT id, name, permissions, scope, created_at AS "createdAt", expires_at AS "expiresAt",
          last_used_at AS "lastUsedAt" FROM api_tokens`,
        countFrom: 'FROM api_tokens',
        where: ['user_id = $1', 'revoked_at IS NULL'],
        params: [userId],
      },
      {
        name: { sql: 'name', value: (row) => row.name },
        createdAt: { sql: 'created_at', value: (row) => iso(row.createdAt) },
      },
      byId(),
      request,
      toToken,
    );
  }
}

function toSessionItem(row: SessionRow) {
  return {
    id: row.id_hash,
    userId: row.user_id,
    username: row.username,
    sourceIp: row.source_ip,
    userAgent: row.user_agent,
    createdAt: iso(row.created_at),
    lastSeenAt: iso(row.last_seen_at),
    expiresAt: iso(row.expires_at),
  };
}
