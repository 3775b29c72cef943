import { z } from 'zod';

/** Every permission Cockpit knows. Roles are sets of these; routes declare which one they need. */
export const PERMISSIONS = [
  'host.view',
  'host.manage',
  'host.exec',
  'vm.view',
  'vm.power',
  'vm.create',
  'vm.edit',
  'vm.delete',
  'vm.console',
  'vm.migrate',
  'vm.snapshot',
  'cluster.view',
  'cluster.manage',
  'operation.run',
  'trigger.manage',
  'image.manage',
  'user.admin',
  'audit.view',
  'job.view',
  'job.cancel',
] as const;
export const Permission = z.enum(PERMISSIONS);
export type Permission = z.infer<typeof Permission>;

/**
 * Where a role binding applies, Proxmox-style paths inherited downwards: `/` is everything,
 * `/clusters/<id>` a cluster and what is in it, `/hosts/<id>` a host and its VMs, `/vms/<id>` one VM.
 */
export const ScopePath = z
  .string()
  .regex(/^\/$|^\/(clusters|hosts|vms)\/[A-Za-z0-9._-]{1,64}$/, 'a scope is "/", "/clusters/<id>", "/hosts/<id>" or "/vms/<id>"');
export type ScopePath = z.infer<typeof ScopePath>;

export const BUILT_IN_ROLES = {
  Administrator: [...PERMISSIONS],
  Operator: [
    'host.view',
    'host.exec',
    'vm.view',
    'vm.power',
    'vm.create',
    'vm.edit',
    'vm.delete',
    'vm.console',
    'vm.migrate',
    'vm.snapshot',
    'cluster.view',
    'operation.run',
    'image.manage',
    'job.view',
    'job.cancel',
  ],
  Auditor: ['host.view', 'vm.view', 'cluster.view', 'audit.view', 'job.view'],
  Viewer: ['host.view', 'vm.view', 'cluster.view', 'job.view'],
} as const satisfies Record<string, readonly Permission[]>;
export type BuiltInRole = keyof typeof BUILT_IN_ROLES;
