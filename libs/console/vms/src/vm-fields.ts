import type { BootDevice, FleetVm, VmUpdateField } from '@cockpit/contracts';
import { formatMiB } from '@cockpit/console-ui';

/** What each field of an edit is called on screen. */
export const FIELD_LABEL: Record<VmUpdateField, string> = {
  name: 'Name',
  vcpus: 'vCPUs',
  memoryMiB: 'Memory',
  cpu: 'CPU model',
  autostart: 'Autostart',
  bootOrder: 'Boot order',
  addDisks: 'Added disks',
  removeDisks: 'Removed disks',
  addNics: 'Added network interfaces',
  removeNics: 'Removed network interfaces',
  discardPendingChanges: 'Dropping the staged changes',
};

/** The api answers with field names (appliedNow, appliesAtNextBoot): their labels, in a sentence. */
export function fieldList(fields: readonly string[]): string {
  return fields.map((field) => FIELD_LABEL[field as VmUpdateField] ?? field).join(', ');
}

export const BOOT_DEVICE_LABEL: Record<BootDevice, string> = { disk: 'Disk', network: 'Network (PXE)', cdrom: 'CD-ROM' };

export const formatBootOrder = (order: readonly BootDevice[]) => order.map((device) => BOOT_DEVICE_LABEL[device]).join(' → ');

/** A VM's staged changes, each as what it is called and what it will be: for "applies at next boot". */
export function pendingOf(vm: Pick<FleetVm, 'pendingChanges'>): { field: string; value: string }[] {
  const pending = vm.pendingChanges;
  const list: { field: string; value: string }[] = [];
  if (pending.vcpus !== undefined) list.push({ field: 'vCPUs', value: String(pending.vcpus) });
  if (pending.cpu) list.push({ field: 'CPU model', value: pending.cpu.model });
  if (pending.bootOrder) list.push({ field: 'Boot order', value: formatBootOrder(pending.bootOrder) });
  if (pending.removeDisks?.length) list.push({ field: 'Removed disks', value: pending.removeDisks.join(', ') });
  return list;
}

/** "4 GiB" from MiB, for the forms' summaries. */
export const memoryText = (mib: number) => formatMiB(mib);

/** GiB as typed in a form, in bytes (disk sizes are whole bytes). */
export const gibToBytes = (gib: number) => Math.round(gib * 1024 ** 3);
