import { z } from 'zod';
import { VaporSnapshot, VaporSnapshotCreate } from '../vapor/vm.js';
import { defineRoute } from './route.js';
import { FleetVm } from './vms.js';

const VmParams = z.object({ vmId: z.uuid() });
const SnapshotParams = z.object({ vmId: z.uuid(), snapshotId: z.uuid() });

/** A snapshot as the VM's host keeps it (a tree: `parentId`, one `current`). */
export const VmSnapshot = VaporSnapshot.meta({ id: 'VmSnapshot' });
export type VmSnapshot = z.infer<typeof VmSnapshot>;

export const listVmSnapshots = defineRoute({
  id: 'listVmSnapshots',
  method: 'get',
  path: '/api/vms/{vmId}/snapshots',
  summary: 'A VM’s snapshots, oldest first, as its host reports them now',
  tag: 'VMs',
  access: { permission: 'vm.view', scope: { kind: 'vm', param: 'vmId' } },
  params: VmParams,
  response: z.object({
    items: z.array(VmSnapshot),
    total: z.number().int().nonnegative(),
    nextCursor: z.null().meta({ description: 'Always null: a VM’s snapshots come in one page' }),
  }),
  errors: [404, 502, 504],
});

export const createVmSnapshot = defineRoute({
  id: 'createVmSnapshot',
  method: 'post',
  path: '/api/vms/{vmId}/snapshots',
  summary: 'Take a snapshot (disks and definition, and with `memory` the running state)',
  description: 'A memory snapshot needs a running or paused VM. The name is unique per VM (409). Honours If-Match.',
  tag: 'VMs',
  access: { permission: 'vm.snapshot', scope: { kind: 'vm', param: 'vmId' } },
  params: VmParams,
  body: VaporSnapshotCreate,
  status: 201,
  response: z.object({ snapshot: VmSnapshot, vm: FleetVm }),
  errors: [404, 409, 412, 502, 504],
});

export const revertVmSnapshot = defineRoute({
  id: 'revertVmSnapshot',
  method: 'post',
  path: '/api/vms/{vmId}/snapshots/{snapshotId}/revert',
  summary: 'Revert a VM to a snapshot',
  description:
    'Restores the definition and disks; a memory snapshot resumes the VM as it was (running or paused), a disk-only one leaves it shut off. What changed since is lost. Honours If-Match.',
  tag: 'VMs',
  access: { permission: 'vm.snapshot', scope: { kind: 'vm', param: 'vmId' } },
  params: SnapshotParams,
  response: FleetVm,
  errors: [404, 409, 412, 502, 504],
});

export const deleteVmSnapshot = defineRoute({
  id: 'deleteVmSnapshot',
  method: 'delete',
  path: '/api/vms/{vmId}/snapshots/{snapshotId}',
  summary: 'Delete a snapshot (its children move up to its parent)',
  tag: 'VMs',
  access: { permission: 'vm.snapshot', scope: { kind: 'vm', param: 'vmId' } },
  params: SnapshotParams,
  response: FleetVm,
  errors: [404, 409, 412, 502, 504],
});

export const vmSnapshotRoutes = [listVmSnapshots, createVmSnapshot, revertVmSnapshot, deleteVmSnapshot] as const;
