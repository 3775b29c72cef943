import { queryOptions } from '@tanstack/react-query';
import {
  listAudit,
  listGroups,
  listOwnSessions,
  listRoleBindings,
  listRoles,
  listSessions,
  listTokens,
  listUsers,
  me,
  type RouteQuery,
} from '@cockpit/contracts';
import { ApiError, callApi, setCsrfToken } from './api-fetch.js';

/** Who is signed in; `null` when nobody is (401), so pages can redirect to sign-in. */
export const meQuery = () =>
  queryOptions({
    queryKey: ['auth', 'me'],
    queryFn: async ({ signal }) => {
      try {
        const result = await callApi(me, { signal });
        setCsrfToken(result.csrfToken);
        return result;
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) {
          setCsrfToken(undefined);
          return null;
        }
        throw error;
      }
    },
    staleTime: 30_000,
    retry: false,
  });

/** Filters, sort, page size and cursor of each access list, as its route takes them. */
export type UserListQuery = RouteQuery<typeof listUsers>;
export type GroupListQuery = RouteQuery<typeof listGroups>;
export type RoleListQuery = RouteQuery<typeof listRoles>;
export type RoleBindingListQuery = RouteQuery<typeof listRoleBindings>;
export type SessionListQuery = RouteQuery<typeof listSessions>;
export type TokenListQuery = RouteQuery<typeof listTokens>;
export type OwnSessionListQuery = RouteQuery<typeof listOwnSessions>;

// Each list's pages live under [<what>, 'list', query]: a change invalidates [<what>], every page.
export const usersPageQuery = (query: UserListQuery = {}) =>
  queryOptions({ queryKey: ['users', 'list', query], queryFn: ({ signal }) => callApi(listUsers, { signal, query }) });
export const groupsPageQuery = (query: GroupListQuery = {}) =>
  queryOptions({ queryKey: ['groups', 'list', query], queryFn: ({ signal }) => callApi(listGroups, { signal, query }) });
export const rolesPageQuery = (query: RoleListQuery = {}) =>
  queryOptions({ queryKey: ['roles', 'list', query], queryFn: ({ signal }) => callApi(listRoles, { signal, query }) });
export const roleBindingsPageQuery = (query: RoleBindingListQuery = {}) =>
  queryOptions({
    queryKey: ['role-bindings', 'list', query],
    queryFn: ({ signal }) => callApi(listRoleBindings, { signal, query }),
  });
export const sessionsPageQuery = (query: SessionListQuery = {}) =>
  queryOptions({ queryKey: ['sessions', 'list', query], queryFn: ({ signal }) => callApi(listSessions, { signal, query }) });
export const tokensPageQuery = (query: TokenListQuery = {}) =>
  queryOptions({ queryKey: ['tokens', 'list', query], queryFn: ({ signal }) => callApi(listTokens, { signal, query }) });
export const ownSessionsPageQuery = (query: OwnSessionListQuery = {}) =>
  queryOptions({
    queryKey: ['own-sessions', 'list', query],
    queryFn: ({ signal }) => callApi(listOwnSessions, { signal, query }),
  });

export type AuditFilter = RouteQuery<typeof listAudit>;
export const auditQuery = (filter: AuditFilter) =>
  queryOptions({
    queryKey: ['audit', filter],
    queryFn: ({ signal }) => callApi(listAudit, { signal, query: filter }),
  });
