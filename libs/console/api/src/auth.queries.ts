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

export const usersQuery = () => queryOptions({ queryKey: ['users'], queryFn: ({ signal }) => callApi(listUsers, { signal }) });
export const groupsQuery = () => queryOptions({ queryKey: ['groups'], queryFn: ({ signal }) => callApi(listGroups, { signal }) });
export const rolesQuery = () => queryOptions({ queryKey: ['roles'], queryFn: ({ signal }) => callApi(listRoles, { signal }) });
export const roleBindingsQuery = () =>
  queryOptions({ queryKey: ['role-bindings'], queryFn: ({ signal }) => callApi(listRoleBindings, { signal }) });
export const sessionsQuery = () =>
  queryOptions({ queryKey: ['sessions'], queryFn: ({ signal }) => callApi(listSessions, { signal }) });
export const tokensQuery = () => queryOptions({ queryKey: ['tokens'], queryFn: ({ signal }) => callApi(listTokens, { signal }) });

export type AuditFilter = RouteQuery<typeof listAudit>;
export const auditQuery = (filter: AuditFilter) =>
  queryOptions({
    queryKey: ['audit', filter],
    queryFn: ({ signal }) => callApi(listAudit, { signal, query: filter as Record<string, string | number | undefined> }),
  });

export const ownSessionsQuery = () =>
  queryOptions({ queryKey: ['own-sessions'], queryFn: ({ signal }) => callApi(listOwnSessions, { signal }) });
