import { Label } from '@patternfly/react-core';
import type { VmState } from '@cockpit/contracts';

type LabelColor = 'green' | 'orange' | 'red' | 'grey' | 'blue' | 'purple';

export const VM_STATES: readonly VmState[] = ['running', 'migrating', 'paused', 'crashed', 'shutoff'];

export const VM_STATE_COLOR: Record<VmState, LabelColor> = {
  running: 'green',
  migrating: 'blue',
  paused: 'orange',
  crashed: 'red',
  shutoff: 'grey',
};

export function VmStateLabel({ state }: { state: VmState }) {
  return (
    <Label color={VM_STATE_COLOR[state]} isCompact>
      {state}
    </Label>
  );
}
