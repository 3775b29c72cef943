import { z } from 'zod';
import { Bytes, MiB, Slug, Timestamp } from './common.js';

export const VmState = z.enum(['running', 'paused', 'shutoff', 'crashed', 'migrating']);
export type VmState = z.infer<typeof VmState>;

export const VmDisk = z.object({
  id: Slug.meta({ description: 'Device name inside the VM, e.g. "vda"' }),
  poolId: Slug,
  sizeBytes: Bytes,
  allocatedBytes: Bytes,
  format: z.enum(['qcow2', 'raw']),
  bus: z.enum(['virtio', 'scsi', 'sata']),
});
export type VmDisk = z.infer<typeof VmDisk>;

export const MacAddress = z.string().regex(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/, 'a lower-case MAC address like 52:54:00:12:34:56');

export const VmNic = z.object({
  id: Slug.meta({ description: 'e.g. "net0"' }),
  networkId: Slug,
  mac: MacAddress,
  model: z.enum(['virtio', 'e1000']),
});
export type VmNic = z.infer<typeof VmNic>;

export const VmCpu = z.object({
  model: z.string().meta({ description: 'QEMU CPU model the guest sees; "host-passthrough" pins it to one CPU type' }),
  features: z.array(z.string()).meta({ description: 'Features the guest needs on top of the model' }),
});

export const Vcpus = z.number().int().min(1).max(512);

export const BootDevice = z.enum(['disk', 'network', 'cdrom']);
export type BootDevice = z.infer<typeof BootDevice>;
export const DEFAULT_BOOT_ORDER: readonly BootDevice[] = Object.freeze(['disk', 'network']);

/** The firmware's boot order: each device at most once, first tried first. */
export const BootOrder = z
  .array(BootDevice)
  .min(1)
  .max(3)
  .refine((order) => new Set(order).size === order.length, 'name each boot device at most once');

/**
 * What a running (or paused) VM was asked to change and will only take at its next cold start:
 * a start from shut off (after a shutdown or power off too), never a reboot or reset. Empty when
 * nothing waits. The VM's own fields still say what the guest runs with now.
 */
export const VmPendingChanges = z
  .object({
    vcpus: Vcpus.optional(),
    cpu: VmCpu.optional(),
    bootOrder: BootOrder.optional(),
    removeDisks: z.array(Slug).max(256).optional().meta({ description: 'Disks detached at the next cold start' }),
  })
  .meta({ description: 'Staged changes: applied at the next cold start (not on reboot or reset)' });
export type VmPendingChanges = z.infer<typeof VmPendingChanges>;

export const Vm = z
  .object({
    id: z.uuid(),
    name: Slug,
    state: VmState,
    vcpus: Vcpus,
    memoryMiB: MiB,
    cpu: VmCpu,
    disks: z.array(VmDisk).max(256),
    nics: z.array(VmNic).max(256),
    // The four fields below came with issue 12; their defaults let older agents' VMs validate.
    autostart: z.boolean().default(false).meta({ description: 'Started when its host boots' }),
    bootOrder: BootOrder.default([...DEFAULT_BOOT_ORDER]),
    pendingChanges: VmPendingChanges.default({}),
    snapshotCount: z
      .number()
      .int()
      .nonnegative()
      .max(100_000)
      .default(0)
      .meta({ description: 'Snapshots the VM has (GET /v1/vms/{vmId}/snapshots lists them)' }),
    generation: z
      .number()
      .int()
      .positive()
      .max(2 ** 31 - 1)
      .meta({ description: 'Changes on every change; send it back in If-Match' }),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: 'VaporVm' });
export type Vm = z.infer<typeof Vm>;

export const VmDiskSpec = z.object({
  poolId: Slug,
  sizeBytes: Bytes.min(1024 * 1024)
    .optional()
    .meta({ description: 'Empty disk of this size; or give imageId' }),
  imageId: Slug.optional().meta({ description: 'Copy this image (its size unless sizeBytes is larger)' }),
  format: z.enum(['qcow2', 'raw']).default('qcow2'),
  bus: z.enum(['virtio', 'scsi', 'sata']).default('virtio'),
});

export const VmNicSpec = z.object({
  networkId: Slug,
  mac: MacAddress.optional(),
  model: z.enum(['virtio', 'e1000']).default('virtio'),
});

export const VmCreate = z.object({
  name: Slug,
  vcpus: Vcpus,
  memoryMiB: MiB.max(4 * 1024 * 1024),
  cpu: VmCpu.default({ model: 'host-model', features: [] }),
  disks: z.array(VmDiskSpec).max(16).default([]),
  nics: z.array(VmNicSpec).max(16).default([]),
  autostart: z.boolean().default(false),
  bootOrder: BootOrder.default([...DEFAULT_BOOT_ORDER]),
  start: z.boolean().default(false),
});
export type VmCreate = z.input<typeof VmCreate>;

export const VmUpdate = z
  .object({
    name: Slug.optional(),
    vcpus: Vcpus.optional(),
    memoryMiB: MiB.max(4 * 1024 * 1024).optional(),
    cpu: VmCpu.optional(),
    autostart: z.boolean().optional(),
    bootOrder: BootOrder.optional(),
    addDisks: z.array(VmDiskSpec).max(16).optional(),
    removeDisks: z.array(Slug).max(256).optional(),
    addNics: z.array(VmNicSpec).max(16).optional(),
    removeNics: z.array(Slug).max(256).optional(),
    discardPendingChanges: z
      .literal(true)
      .optional()
      .meta({ description: 'Drop every staged change (pendingChanges) before applying the rest of this update' }),
  })
  .refine((update) => Object.values(update).some((value) => value !== undefined), 'give at least one field to change');
export type VmUpdate = z.input<typeof VmUpdate>;
export type VmUpdateField = keyof z.output<typeof VmUpdate>;

/**
 * Fields a running or paused VM takes at once: name, memory (balloon), autostart (a host setting),
 * hot-plugging NICs and disks and unplugging NICs, dropping staged changes.
 */
export const VM_LIVE_UPDATABLE = [
  'name',
  'memoryMiB',
  'autostart',
  'addNics',
  'removeNics',
  'addDisks',
  'discardPendingChanges',
] as const satisfies readonly VmUpdateField[];

/**
 * Fields a running or paused VM stages in `pendingChanges` (the answer to the PATCH shows them):
 * they apply at its next cold start. A shut-off (or crashed) VM takes every field at once.
 */
export const VM_NEXT_BOOT = ['vcpus', 'cpu', 'bootOrder', 'removeDisks'] as const satisfies readonly VmUpdateField[];

/**
 * Which fields of `update` a VM in `state` applies now and which at its next cold start: what
 * Cockpit shows as "applies at next boot". A migrating VM takes no change (the host answers 409).
 */
export function planVmUpdate(
  update: VmUpdate | z.output<typeof VmUpdate>,
  state: VmState,
): { now: VmUpdateField[]; nextBoot: VmUpdateField[] } {
  const given = (Object.keys(update) as VmUpdateField[]).filter((field) => update[field] !== undefined);
  if (state !== 'running' && state !== 'paused') return { now: given, nextBoot: [] };
  const staged = new Set<VmUpdateField>(VM_NEXT_BOOT);
  return { now: given.filter((field) => !staged.has(field)), nextBoot: given.filter((field) => staged.has(field)) };
}

/**
 * `shutdown` asks the guest (ACPI) and is answered at once: the VM turns `shutoff` when the guest
 * obeys, or never (Cockpit times out); `poweroff` pulls the plug; `reboot` asks the guest to
 * restart; `reset` is the reset button (running or paused VMs; state unchanged). Neither reboot
 * nor reset applies `pendingChanges`: only a start from shut off does.
 */
export const VmAction = z.enum(['start', 'shutdown', 'poweroff', 'reboot', 'reset', 'pause', 'resume']);
export type VmAction = z.infer<typeof VmAction>;

export const VmDeleteQuery = z.object({
  keepDisks: z
    .enum(['true', 'false'])
    .default('false')
    .transform((value) => value === 'true'),
});

// ---- snapshots ---------------------------------------------------------------------------------

/** The definition a snapshot keeps, and restores on revert. */
export const VaporSnapshotConfig = z.object({
  vcpus: Vcpus,
  memoryMiB: MiB,
  cpu: VmCpu,
  bootOrder: BootOrder,
  disks: z.array(VmDisk).max(256),
  nics: z.array(VmNic).max(256),
});
export type VaporSnapshotConfig = z.infer<typeof VaporSnapshotConfig>;

/**
 * A snapshot of one VM, shaped on libvirt's: the snapshots of a VM form a tree (`parentId` is the
 * snapshot that was current when it was taken), and one of them is `current` (the last taken or
 * reverted to). A `memory` snapshot also keeps the RAM and device state of a running or paused VM.
 */
export const VaporSnapshot = z
  .object({
    id: z.uuid(),
    vmId: z.uuid(),
    name: Slug.meta({ description: 'Unique among the VM’s snapshots' }),
    description: z.string().max(1000),
    createdAt: Timestamp,
    memory: z.boolean().meta({ description: 'Keeps RAM state: a revert resumes the VM as it was (running or paused)' }),
    vmState: VmState.meta({ description: 'The VM’s state when the snapshot was taken' }),
    parentId: z.uuid().nullable(),
    current: z.boolean(),
    sizeBytes: Bytes.meta({ description: 'Pool space the snapshot takes (sum of `storage`)' }),
    storage: z
      .array(z.object({ poolId: Slug, bytes: Bytes }))
      .max(256)
      .meta({ description: 'Where that space is taken' }),
    config: VaporSnapshotConfig,
  })
  .meta({ id: 'VaporSnapshot' });
export type VaporSnapshot = z.infer<typeof VaporSnapshot>;

export const VaporSnapshotCreate = z.object({
  name: Slug,
  description: z.string().max(1000).default(''),
  memory: z.boolean().meta({
    description: 'Keep RAM state too (only for a running or paused VM); false takes the disks and definition only',
  }),
});
export type VaporSnapshotCreate = z.input<typeof VaporSnapshotCreate>;

/** The answer to taking a snapshot: it, and the VM it changed (new generation, snapshotCount). */
export const VaporSnapshotCreated = z.object({ snapshot: VaporSnapshot, vm: Vm });
export type VaporSnapshotCreated = z.infer<typeof VaporSnapshotCreated>;
