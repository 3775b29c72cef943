import type { Permission, ScopePath } from './permissions.js';

/** One grant: these permissions on this scope (a role bound to the user or one of their groups). */
export interface Grant {
  scope: ScopePath;
  permissions: readonly Permission[];
}

/**
 * Where an object sits: its own scope path first, then each ancestor. A VM on host h1 in clusters
 * c1 and c2 is `['/vms/v', '/hosts/h1', '/clusters/c1', '/clusters/c2', '/']`; clusters may overlap
 * and nest, so an object can have several ancestors at one level.
 */
export type ScopeChain = readonly ScopePath[];

/**
 * Deny by default: a permission holds on an object when some grant gives it on the object's scope
 * or on any ancestor of it (inheritance downwards).
 */
export function isAllowed(grants: readonly Grant[], permission: Permission, chain: ScopeChain): boolean {
  const scopes = new Set(chain.length ? chain : ['/']);
  return grants.some((grant) => scopes.has(grant.scope) && grant.permissions.includes(permission));
}

/** Every permission held on an object (for the console to show or hide actions). */
export function permissionsOn(grants: readonly Grant[], chain: ScopeChain): Permission[] {
  const scopes = new Set(chain.length ? chain : ['/']);
  return [...new Set(grants.filter((grant) => scopes.has(grant.scope)).flatMap((grant) => grant.permissions))].sort();
}

/**
 * Nobody can hand out what they do not hold: granting `permissions` on `target` needs every one of
 * them held on that target (so on it or above it). Returns the ones the granter lacks.
 */
export function missingToGrant(granter: readonly Grant[], permissions: readonly Permission[], target: ScopeChain): Permission[] {
  return permissions.filter((permission) => !isAllowed(granter, permission, target));
}

/** A host's scope chain (clusters join it when they exist). */
export function hostScopeChain(hostId: string): ScopeChain {
  return [`/hosts/${hostId}`, '/'];
}

/** A VM's scope chain: itself, then its host's. */
export function vmScopeChain(vmId: string, hostId: string): ScopeChain {
  return [`/vms/${vmId}`, ...hostScopeChain(hostId)];
}
