import { z } from 'zod';
import { VmAction, VmCreate, VmDeleteQuery, VmState, VmUpdate } from '../vapor/vm.js';
import { JobSummary } from './jobs.js';
import { NameContains } from './paging.js';
import { defineRoute } from './route.js';
import { FleetVm } from './vms.js';

const VmParams = z.object({ vmId: z.uuid() });

const IF_MATCH =
  'Send the VM’s `generation` (from its last read) in `If-Match` (`"12"` or `12`): if the VM changed since, nothing is done and the answer is 412 with the VM’s current generation.';

/** Why Cockpit put a new VM where it did. */
export const Placement = z.object({
  hostId: z.uuid(),
  hostName: z.string(),
  chosen: z.enum(['asked', 'placed']).meta({ description: '`asked`: the request named the host; `placed`: Cockpit chose it' }),
  reason: z.string().meta({ description: 'Why this host, in a sentence' }),
  rejected: z
    .array(z.object({ hostId: z.uuid(), hostName: z.string(), reasons: z.array(z.string()) }))
    .max(20)
    .meta({ description: 'Hosts that could not take it and why (at most 20)' }),
});
export type Placement = z.infer<typeof Placement>;

export const CreateVmBody = VmCreate.extend({
  hostId: z
    .uuid()
    .optional()
    .meta({ description: 'The host to create it on; without it, Cockpit places it on a host with room that passes every check' }),
});
export type CreateVmBody = z.input<typeof CreateVmBody>;

export const createVm = defineRoute({
  id: 'createVm',
  method: 'post',
  path: '/api/vms',
  summary: 'Create a VM on a host, or let Cockpit place it',
  description:
    'Needs `vm.create` on the host (checked on the named host, or on each candidate when Cockpit places it). Placement checks what migration pre-flight checks: the host is connected, has the memory free (when starting it), every pool named with room for the disks, every bridge, and the CPU features. The answer says which host and why. A refusal by the host (name taken, no room) is a 409 with its reason, and nothing is left half-created.',
  tag: 'VMs',
  access: { permission: 'vm.create', scope: 'visible' },
  body: CreateVmBody,
  status: 201,
  response: z.object({ vm: FleetVm, placement: Placement }),
  errors: [404, 409, 422, 502, 504],
});

export const updateVm = defineRoute({
  id: 'updateVm',
  method: 'patch',
  path: '/api/vms/{vmId}',
  summary: 'Edit a VM: what the hypervisor can change live applies at once, the rest at next boot',
  description: `A running or paused VM takes name, memory, autostart and hot-plugged NICs and disks at once; vCPUs, CPU model, boot order and removed disks wait for its next cold start (listed in \`appliesAtNextBoot\` and kept in the VM's \`pendingChanges\`). ${IF_MATCH}`,
  tag: 'VMs',
  access: { permission: 'vm.edit', scope: { kind: 'vm', param: 'vmId' } },
  params: VmParams,
  body: VmUpdate,
  response: z.object({
    vm: FleetVm,
    appliedNow: z.array(z.string()),
    appliesAtNextBoot: z.array(z.string()),
  }),
  errors: [404, 409, 412, 502, 504],
});

export const deleteVm = defineRoute({
  id: 'deleteVm',
  method: 'delete',
  path: '/api/vms/{vmId}',
  summary: 'Delete a VM, keeping or removing its disks',
  description: `The VM must be shut off. \`keepDisks=true\` leaves its disk images in their pools. ${IF_MATCH}`,
  tag: 'VMs',
  access: { permission: 'vm.delete', scope: { kind: 'vm', param: 'vmId' } },
  params: VmParams,
  query: VmDeleteQuery,
  response: z.object({ deleted: z.literal(true), keptDisks: z.boolean() }),
  errors: [404, 409, 412, 502, 504],
});

/** Each action as a person names it (buttons, job titles). */
export const VM_ACTION_LABEL: Record<VmAction, string> = {
  start: 'Start',
  shutdown: 'Shut down',
  poweroff: 'Power off',
  reboot: 'Reboot',
  reset: 'Reset',
  pause: 'Pause',
  resume: 'Resume',
};

export const DEFAULT_SHUTDOWN_SECONDS = 120;

export const VmActionBody = z.object({
  action: VmAction,
  timeoutSeconds: z.number().int().min(1).max(3600).default(DEFAULT_SHUTDOWN_SECONDS).meta({
    description: '`shutdown` only: how long the guest has to turn itself off before the action fails (the VM keeps running)',
  }),
});

export const actOnVm = defineRoute({
  id: 'actOnVm',
  method: 'post',
  path: '/api/vms/{vmId}/actions',
  summary: 'Start, shut down, power off, reboot, reset, pause or resume a VM',
  description: `Cockpit asks the VM’s host and answers with the VM as the host then reports it; the change reaches every client as a \`vm.state\` event. \`shutdown\` asks the guest (ACPI) and waits until it is off, failing with 504 after \`timeoutSeconds\` (the VM still runs: power it off if you must). A host that refuses (say, starting a running VM) answers 409 with its reason; a host that goes away mid-action fails it with 502/504, and the VM's state is then read again, never guessed. ${IF_MATCH}`,
  tag: 'VMs',
  access: { permission: 'vm.power', scope: { kind: 'vm', param: 'vmId' } },
  params: VmParams,
  body: VmActionBody,
  response: z.object({ vmId: z.uuid(), state: VmState, generation: z.number().int(), vm: FleetVm }),
  errors: [404, 409, 412, 422, 502, 504],
});

export const MAX_BULK_VMS = 10_000;

export const BulkVmFilter = z.object({
  hostId: z.uuid().optional(),
  state: VmState.optional(),
  name: NameContains.optional(),
});

export const BulkVmActionBody = z
  .object({
    action: VmAction,
    vmIds: z.array(z.uuid()).min(1).max(MAX_BULK_VMS).optional().meta({ description: 'These VMs (or give `filter`)' }),
    filter: BulkVmFilter.optional().meta({
      description: 'The VMs the list shows with this filter (host, state, name contains) on which you hold vm.power',
    }),
    perHost: z.number().int().min(1).max(64).default(4).meta({ description: 'At most this many actions at once on one host' }),
    timeoutSeconds: z.number().int().min(1).max(3600).default(DEFAULT_SHUTDOWN_SECONDS).meta({ description: '`shutdown` only' }),
  })
  .refine((body) => (body.vmIds === undefined) !== (body.filter === undefined), 'give either vmIds or filter');
export type BulkVmActionBody = z.input<typeof BulkVmActionBody>;

export const bulkVmActions = defineRoute({
  id: 'bulkVmActions',
  method: 'post',
  path: '/api/vms/bulk-actions',
  summary: 'One action on up to 10,000 VMs, as a job',
  description:
    'Selected by ids (every one must exist and carry your `vm.power`, or nothing runs and the answer names those that do not) or by the list’s filter (only the VMs on which you hold `vm.power`). Runs as a durable job: per-VM results, `job.progress` events, at most `perHost` at once on one host; watch it at `/api/jobs/{id}`, cancel it there. VMs already in the wanted state succeed as such.',
  tag: 'VMs',
  access: { permission: 'vm.power', scope: 'visible' },
  body: BulkVmActionBody,
  status: 202,
  response: JobSummary,
  errors: [403, 404, 409, 422],
});

export const vmLifecycleRoutes = [createVm, updateVm, deleteVm, actOnVm, bulkVmActions] as const;
