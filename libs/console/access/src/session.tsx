import { Bullseye, EmptyState, EmptyStateBody, Spinner } from '@patternfly/react-core';
import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import { isAllowed, type Me, type Permission, type ScopeChain } from '@cockpit/contracts';
import { meQuery } from '@cockpit/console-api';

/** Held on everything (`/`): what a page about the whole fleet may offer. */
export function can(me: Me | null | undefined, permission: Permission): boolean {
  return !!me && isAllowed(me.grants, permission, ['/']);
}

/** Held on an object, given its scope chain (vmScopeChain, hostScopeChain): what its page may offer. */
export function canOn(me: Me | null | undefined, permission: Permission, chain: ScopeChain): boolean {
  return !!me && isAllowed(me.grants, permission, chain);
}

/**
 * Held anywhere at all: enough to offer an action on a selection or a list, where the api then acts
 * only on what it covers (or says which it does not).
 */
export function canSomewhere(me: Me | null | undefined, permission: Permission): boolean {
  return !!me && me.grants.some((grant) => grant.permissions.includes(permission));
}

/** Renders its children for a signed-in user; sends everyone else to the sign-in page. */
export function RequireSignIn({ children }: { children: ReactNode }) {
  const me = useQuery(meQuery());
  const location = useLocation();
  if (me.isPending) {
    return (
      <Bullseye>
        <Spinner aria-label="Checking your session" />
      </Bullseye>
    );
  }
  if (me.isError) {
    return (
      <EmptyState titleText="Cannot reach the Cockpit API" headingLevel="h1" status="danger">
        <EmptyStateBody>{me.error.message}</EmptyStateBody>
      </EmptyState>
    );
  }
  if (!me.data) return <Navigate to={`/login?next=${encodeURIComponent(location.pathname + location.search)}`} replace />;
  // A role requires a second factor this user has not enrolled yet: that comes first.
  if (me.data.mustEnrollTotp && location.pathname !== '/account') return <Navigate to="/account" replace />;
  return <>{children}</>;
}

/** Shows the page only with the permission; otherwise says which one is missing. */
export function RequirePermission({ permission, children }: { permission: Permission; children: ReactNode }) {
  const me = useQuery(meQuery());
  if (!can(me.data, permission)) {
    return (
      <EmptyState titleText="Not allowed" headingLevel="h1" status="warning">
        <EmptyStateBody>This page needs the {permission} permission, which your roles do not give you.</EmptyStateBody>
      </EmptyState>
    );
  }
  return <>{children}</>;
}
