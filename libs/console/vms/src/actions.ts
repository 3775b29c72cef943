import { VM_ACTION_LABEL, type VmAction, type VmState } from '@cockpit/contracts';

/** Power actions in the order the console offers them. */
export const VM_ACTIONS: readonly VmAction[] = ['start', 'shutdown', 'poweroff', 'reboot', 'reset', 'pause', 'resume'];

export const ACTION_LABEL = VM_ACTION_LABEL;

/** What each action does, in a sentence for its confirmation or tooltip. */
export const ACTION_MEANS: Record<VmAction, string> = {
  start: 'Boots the VM; staged changes (applies at next boot) take effect.',
  shutdown: 'Asks the guest to shut down (ACPI) and waits for it; a guest that ignores it keeps running.',
  poweroff: 'Pulls the plug at once: what the guest has not written to disk is lost.',
  reboot: 'Asks the guest to restart. Staged changes wait for the next start from shut off.',
  reset: 'Presses the reset button: the guest restarts at once, without shutting down.',
  pause: 'Freezes the VM in memory; resume carries on where it stopped.',
  resume: 'Lets a paused VM run on.',
};

/** Actions that stop or restart a guest without asking it: confirmed before they are sent. */
export const DESTRUCTIVE_ACTIONS: ReadonlySet<VmAction> = new Set(['poweroff', 'reset']);

/**
 * The actions a VM in `state` takes: running ones shut down, power off, reboot, reset or pause;
 * paused ones resume, power off or reset; shut-off and crashed ones start; a migrating one none.
 */
export function actionsFor(state: VmState): readonly VmAction[] {
  switch (state) {
    case 'running':
      return ['shutdown', 'poweroff', 'reboot', 'reset', 'pause'];
    case 'paused':
      return ['resume', 'poweroff', 'reset'];
    case 'shutoff':
    case 'crashed':
      return ['start'];
    case 'migrating':
      return [];
  }
}
