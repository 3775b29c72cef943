import { Injectable } from '@nestjs/common';
import { ForbiddenError, NotFoundError, type Principal } from '@cockpit/api-core';
import { isAllowed, type Grant, type Permission, type ScopeChain, type ScopeKind, type ScopePath } from '@cockpit/contracts';

/** Finds where an object sits: its scope chain (itself, then each ancestor, `/` last), or undefined when it does not exist. */
export type ScopeResolver = (id: string) => Promise<ScopeChain | undefined>;

interface KindEntry {
  resolve: ScopeResolver;
  /** Without this permission on an object, the caller does not learn that it exists (404). */
  view: Permission;
  label: string;
  /**
   * Objects someone owns (a job is its actor's): the owner may act on theirs with the permission
   * held anywhere, as they may see what they started whatever scope it landed in.
   */
  ownerOf?: (id: string) => Promise<string | null | undefined>;
}

/** What a list may show a caller: everything, or the objects under these scopes. */
export type Visibility = { all: true } | { all: false; hostIds: string[]; vmIds: string[] };

const SCOPE_ID = /^\/(hosts|vms)\/([0-9a-f-]{36})$/;

/**
 * Access in one place: scope chains of objects (domains register how to find them), the check the
 * global guard makes for every route that is about an object, and what a list may show, ready to
 * become a SQL filter. No handler checks access by hand.
 */
@Injectable()
export class AccessService {
  private readonly kinds = new Map<ScopeKind, KindEntry>();

  /** A domain says how to find the chain of its objects (the inventory registers hosts and VMs). */
  registerKind(kind: ScopeKind, entry: KindEntry): void {
    this.kinds.set(kind, entry);
  }

  async chainOf(kind: ScopeKind, id: string): Promise<ScopeChain | undefined> {
    const entry = this.kinds.get(kind);
    if (!entry) throw new Error(`No scope resolver registered for ${kind}`);
    return entry.resolve(id);
  }

  /**
   * Where a scope sits: `/` is itself; an object's scope is its chain from the inventory (a VM's
   * includes its host), so a grant on a host counts for its VMs everywhere a chain is asked for;
   * an object that does not exist (or a kind without resolver) is just itself under `/`.
   */
  async scopeChain(scope: ScopePath): Promise<ScopeChain> {
    if (scope === '/') return ['/'];
    const object = objectOfScope(scope);
    const chain = object && this.kinds.has(object.kind) ? await this.chainOf(object.kind, object.id) : undefined;
    return chain ?? [scope, '/'];
  }

  /**
   * May the principal do `permission` on this object? An object that does not exist, or that the
   * principal may not even view, is NotFound (its existence is not disclosed); one they may view
   * but not act on is Forbidden, naming the permission.
   */
  async authorize(principal: Principal, permission: Permission, kind: ScopeKind, id: string): Promise<ScopeChain> {
    const entry = this.kinds.get(kind);
    if (!entry) throw new Error(`No scope resolver registered for ${kind}`);
    const chain = await entry.resolve(id);
    const absent = new NotFoundError(`No ${entry.label} ${id}`);
    if (!chain) throw absent;
    if (isAllowed(principal.grants, permission, chain)) return chain;
    const owns = entry.ownerOf ? (await entry.ownerOf(id)) === principal.userId : false;
    if (owns && AccessService.holdsAnywhere(principal.grants, permission)) return chain;
    if (!owns && !isAllowed(principal.grants, entry.view, chain)) throw absent;
    throw new ForbiddenError(`You need the ${permission} permission on this ${entry.label}`);
  }

  /** Held anywhere at all (enough to ask for a list, which then shows only what it covers). */
  static holdsAnywhere(grants: readonly Grant[], permission: Permission): boolean {
    return grants.some((grant) => grant.permissions.includes(permission));
  }

  /** The objects a list may show: where `permission` is held, as ids to filter on in SQL. */
  static visibility(grants: readonly Grant[], permission: Permission): Visibility {
    const scopes = grants.filter((grant) => grant.permissions.includes(permission)).map((grant) => grant.scope);
    if (scopes.includes('/')) return { all: true };
    const hostIds: string[] = [];
    const vmIds: string[] = [];
    for (const scope of scopes) {
      const match = SCOPE_ID.exec(scope);
      if (match?.[1] === 'hosts' && match[2]) hostIds.push(match[2]);
      if (match?.[1] === 'vms' && match[2]) vmIds.push(match[2]);
    }
    return { all: false, hostIds: [...new Set(hostIds)], vmIds: [...new Set(vmIds)] };
  }
}

/** A scope path's own object, e.g. `/vms/<id>` → { kind: 'vm', id }; `/` and others → undefined. */
export function objectOfScope(scope: ScopePath): { kind: ScopeKind; id: string } | undefined {
  const match = SCOPE_ID.exec(scope);
  if (!match?.[2]) return undefined;
  return { kind: match[1] === 'hosts' ? 'host' : 'vm', id: match[2] };
}
