import { Label, Tooltip } from '@patternfly/react-core';
import type { HostState } from '@cockpit/contracts';

type LabelColor = 'green' | 'orange' | 'red' | 'grey' | 'blue' | 'purple';

/** Host states worst first: sorting by state brings the hosts needing a look to the top. */
export const HOST_STATES: readonly HostState[] = ['error', 'untrusted', 'unreachable', 'pending-trust', 'disabled', 'connected'];

export const HOST_STATE_COLOR: Record<HostState, LabelColor> = {
  connected: 'green',
  'pending-trust': 'orange',
  unreachable: 'red',
  untrusted: 'red',
  error: 'red',
  disabled: 'grey',
};

/** A host's state; why it is in it shows on hover and is read out by screen readers. */
export function HostStateLabel({ state, reason }: { state: HostState; reason?: string | null }) {
  const label = (
    <Label color={HOST_STATE_COLOR[state]} isCompact tabIndex={reason ? 0 : undefined}>
      {state}
      {reason && <span className="pf-v6-screen-reader">: {reason}</span>}
    </Label>
  );
  return reason ? <Tooltip content={reason}>{label}</Tooltip> : label;
}
