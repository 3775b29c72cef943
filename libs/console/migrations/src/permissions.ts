import { hostScopeChain, vmScopeChain, type FleetVm, type Me, type VmState } from '@cockpit/contracts';
import { canOn } from '@cockpit/console-access';

/** Held on the VM (itself, its host, or everything): the api checks the target host too. */
export function mayMigrateVm(me: Me | null | undefined, vm: Pick<FleetVm, 'id' | 'hostId'>): boolean {
  return canOn(me, 'vm.migrate', vmScopeChain(vm.id, vm.hostId));
}

/** Held on the host: moving its VMs off it (evacuation). */
export function mayMigrateFromHost(me: Me | null | undefined, hostId: string): boolean {
  return canOn(me, 'vm.migrate', hostScopeChain(hostId));
}

/** The states a VM can be moved in: running or paused ones live (or offline), shut-off ones offline. */
export const MOVABLE_STATES: readonly VmState[] = ['running', 'paused', 'shutoff'];

/** Why the VM cannot be moved now, or undefined when it can. */
export function stateRefusal(vm: Pick<FleetVm, 'state'>): string | undefined {
  if (MOVABLE_STATES.includes(vm.state)) return undefined;
  return vm.state === 'migrating'
    ? 'The VM is migrating already'
    : `A ${vm.state} VM cannot be moved: start or shut it off first`;
}
