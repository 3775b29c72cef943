import { MAX_PAGE } from '@cockpit/contracts';
import { groupsPageQuery, rolesPageQuery, usersPageQuery } from '@cockpit/console-api';
import { useQuery } from '@tanstack/react-query';

/**
 * Users, groups and roles by id, for naming them in other lists (a group's members, who a role
 * binding is for) and for choosing them in forms and filters. The api names them only in their own
 * lists, so this reads the first page of each at the largest size (1000): beyond that, a name
 * shows as its id.
 */
const NONE: readonly never[] = [];

export function useDirectory({ users = false, groups = false, roles = false } = {}) {
  const userList = useQuery({ ...usersPageQuery({ limit: MAX_PAGE }), enabled: users });
  const groupList = useQuery({ ...groupsPageQuery({ limit: MAX_PAGE }), enabled: groups });
  const roleList = useQuery({ ...rolesPageQuery({ limit: MAX_PAGE }), enabled: roles });
  return {
    users: userList.data?.items ?? NONE,
    groups: groupList.data?.items ?? NONE,
    roles: roleList.data?.items ?? NONE,
    /** Why a list could not be read, if one could not. */
    error: userList.error ?? groupList.error ?? roleList.error,
  };
}

/** id → name, for one of the directory's lists. */
export function namesById<T extends { id: string }>(items: readonly T[], name: (item: T) => string): ReadonlyMap<string, string> {
  return new Map(items.map((item) => [item.id, name(item)]));
}
