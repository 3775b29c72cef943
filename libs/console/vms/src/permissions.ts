import { vmScopeChain, type FleetVm, type Me, type Permission } from '@cockpit/contracts';
import { canOn } from '@cockpit/console-access';

/** Held on the VM (itself, its host, or everything). */
export function canOnVm(me: Me | null | undefined, permission: Permission, vm: Pick<FleetVm, 'id' | 'hostId'>): boolean {
  return canOn(me, permission, vmScopeChain(vm.id, vm.hostId));
}

/** Why an action needing `permission` is not offered on the VM, or undefined when it is. */
export function refusalOnVm(
  me: Me | null | undefined,
  permission: Permission,
  vm: Pick<FleetVm, 'id' | 'hostId'>,
): string | undefined {
  return canOnVm(me, permission, vm) ? undefined : `You need the ${permission} permission on this VM`;
}
