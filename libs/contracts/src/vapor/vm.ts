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

export const Vm = z
  .object({
    id: z.uuid(),
    name: Slug,
    state: VmState,
    vcpus: z.number().int().min(1).max(512),
    memoryMiB: MiB,
    cpu: VmCpu,
    disks: z.array(VmDisk).max(256),
    nics: z.array(VmNic).max(256),
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
  vcpus: z.number().int().min(1).max(512),
  memoryMiB: MiB.max(4 * 1024 * 1024),
  cpu: VmCpu.default({ model: 'host-model', features: [] }),
  disks: z.array(VmDiskSpec).max(16).default([]),
  nics: z.array(VmNicSpec).max(16).default([]),
  start: z.boolean().default(false),
});
export type VmCreate = z.input<typeof VmCreate>;

/**
 * Fields a running VM accepts (hot-plug): name, memory (balloon within what it booted with),
 * adding NICs and disks. vCPU count and CPU model need the VM shut off.
 */
export const VM_LIVE_UPDATABLE = ['name', 'memoryMiB', 'addNics', 'removeNics', 'addDisks'] as const;

export const VmUpdate = z
  .object({
    name: Slug.optional(),
    vcpus: z.number().int().min(1).max(512).optional(),
    memoryMiB: MiB.max(4 * 1024 * 1024).optional(),
    cpu: VmCpu.optional(),
    addDisks: z.array(VmDiskSpec).max(16).optional(),
    removeDisks: z.array(Slug).optional(),
    addNics: z.array(VmNicSpec).max(16).optional(),
    removeNics: z.array(Slug).optional(),
  })
  .refine((update) => Object.values(update).some((value) => value !== undefined), 'give at least one field to change');
export type VmUpdate = z.input<typeof VmUpdate>;

export const VmAction = z.enum(['start', 'shutdown', 'poweroff', 'reboot', 'pause', 'resume']);
export type VmAction = z.infer<typeof VmAction>;

export const VmDeleteQuery = z.object({
  keepDisks: z
    .enum(['true', 'false'])
    .default('false')
    .transform((value) => value === 'true'),
});
