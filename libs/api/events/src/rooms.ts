import {
  hostScopeChain,
  isAllowed,
  type CockpitEvent,
  type Grant,
  type Permission,
  type ScopeChain,
  type ScopePath,
} from '@cockpit/contracts';

/**
 * Delivery follows RBAC through socket.io rooms named `<kind>@<scope>`: an event goes to the rooms
 * of its object and every ancestor scope, and a client joins only rooms it may view. So a client
 * bound on one host receives that host's events and nothing else, whichever instance emitted them.
 */
export type RoomKind = 'host' | 'vm' | 'audit' | 'job';

export const KIND_PERMISSION: Record<RoomKind, Permission> = {
  host: 'host.view',
  vm: 'vm.view',
  audit: 'audit.view',
  job: 'job.view',
};

/** A user's own jobs reach them wherever the job sits (they may see what they started). */
export const ownJobsRoom = (userId: string) => room('job', `user:${userId}`);

export const room = (kind: RoomKind, scope: ScopePath | string) => `${kind}@${scope}`;

/** An event before it has a sequence and a time. */
export type EventBody = CockpitEvent extends infer E ? (E extends CockpitEvent ? Omit<E, 'seq' | 'ts'> : never) : never;

/** The rooms an event is delivered to. */
export function roomsOf(event: EventBody): string[] {
  switch (event.type) {
    case 'host.status':
    case 'host.changed':
    case 'stats':
      return [room('host', `/hosts/${event.data.hostId}`), room('host', '/')];
    case 'vm.state':
    case 'vm.created':
    case 'vm.updated':
    case 'vm.deleted':
    case 'vm.job':
      return [room('vm', `/vms/${event.data.vmId}`), room('vm', `/hosts/${event.data.hostId}`), room('vm', '/')];
    case 'audit.created':
      return [room('audit', '/')];
    case 'job.progress':
      return [
        ...event.data.scopeChain.map((scope) => room('job', scope)),
        ...(event.data.actorId ? [ownJobsRoom(event.data.actorId)] : []),
      ];
  }
}

/**
 * The rooms a subscription to `scope` joins, given the caller's grants and the scope's chain
 * (ancestors included, so a grant on a host covers its VMs). Subscribing to `/` with narrower
 * grants joins the rooms of those grants: "everything I may see".
 */
export function roomsFor(grants: readonly Grant[], scope: ScopePath, chain: ScopeChain, userId?: string): string[] {
  const rooms = new Set<string>();
  if (scope === '/' && userId && grants.some((grant) => grant.permissions.includes('job.view'))) rooms.add(ownJobsRoom(userId));
  for (const kind of Object.keys(KIND_PERMISSION) as RoomKind[]) {
    if (kind === 'audit' && scope !== '/') continue;
    if (kind === 'host' && scope.startsWith('/vms/')) continue;
    const permission = KIND_PERMISSION[kind];
    if (isAllowed(grants, permission, chain)) {
      rooms.add(room(kind, scope));
      continue;
    }
    if (scope === '/') {
      for (const grant of grants)
        if (grant.permissions.includes(permission) && grant.scope !== '/') rooms.add(room(kind, grant.scope));
    }
  }
  return [...rooms].sort();
}

/** A scope's chain without looking anything up (a VM's host, when known, is added by the caller). */
export function chainOf(scope: ScopePath, vmHost?: string): ScopeChain {
  if (scope === '/') return ['/'];
  if (scope.startsWith('/hosts/')) return hostScopeChain(scope.slice('/hosts/'.length));
  if (scope.startsWith('/vms/') && vmHost) return [scope, ...hostScopeChain(vmHost)];
  return [scope, '/'];
}
