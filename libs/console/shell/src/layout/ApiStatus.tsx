import { Label } from '@patternfly/react-core';
import { useQuery } from '@tanstack/react-query';
import { readinessQuery } from '@cockpit/console-api';

/** Masthead badge: can the console reach an api whose database answers? */
export function ApiStatus() {
  const ready = useQuery(readinessQuery());
  if (ready.isPending) return <Label color="grey">Connecting…</Label>;
  if (ready.isError) return <Label color="red">API unreachable</Label>;
  return <Label color="green">Connected</Label>;
}
