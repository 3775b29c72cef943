import { z } from 'zod';
import { Slug } from '../vapor/common.js';
import { JobPhase } from '../vapor/jobs.js';
import { JobSummary } from './jobs.js';
import { pageOf, pageQuery } from './paging.js';
import { defineRoute } from './route.js';

/**
 * Moving VMs: pre-flight checks, live / shared-nothing / offline compute migration, storage
 * migration, evacuation and rebalancing. Each migration is a durable job (`/api/jobs`) with a
 * record of its own here: options, pre-flight answers, timings, bytes and result.
 */

/** What Cockpit uses when a request leaves an option out (shown in the console's wizard). */
export const MIGRATION_DEFAULTS = {
  live: true,
  persistent: true,
  undefineSource: true,
  autoConverge: false,
  maxBandwidthMBps: null,
  downtimeLimitMs: 300,
} as const;

const Bandwidth = z
  .number()
  .positive('maxBandwidthMBps must be more than 0 (null: unlimited)')
  .max(100_000)
  .nullable()
  .meta({ description: 'MiB/s the transfer may use (libvirt’s and QEMU’s "MB" is 2^20 bytes); null: as fast as the link goes' });

export const MigrateOptions = z
  .object({
    live: z
      .boolean()
      .optional()
      .meta({
        description: `Keep the guest running while its memory moves (default ${MIGRATION_DEFAULTS.live}); a stopped VM always moves offline`,
      }),
    persistent: z.boolean().optional().meta({ description: 'Define the VM on the destination (default true)' }),
    undefineSource: z
      .boolean()
      .optional()
      .meta({ description: 'Remove its definition from the source afterwards (default true)' }),
    autoConverge: z
      .boolean()
      .optional()
      .meta({ description: 'Throttle the guest’s CPU when memory is dirtied faster than it moves (default false)' }),
    maxBandwidthMBps: Bandwidth.optional(),
    downtimeLimitMs: z
      .number()
      .int()
      .min(1)
      .max(60_000)
      .optional()
      .meta({ description: `The pause the switch-over may take (default ${MIGRATION_DEFAULTS.downtimeLimitMs} ms)` }),
    copyStorage: z.boolean().optional().meta({
      description:
        'Copy the disks block by block (shared-nothing). Left out, Cockpit decides: copied when a disk is on a pool the destination does not share',
    }),
  })
  .strict();
export type MigrateOptions = z.infer<typeof MigrateOptions>;

/** The options a migration runs with, every one decided. */
export const ResolvedMigrateOptions = z.object({
  live: z.boolean(),
  persistent: z.boolean(),
  undefineSource: z.boolean(),
  autoConverge: z.boolean(),
  maxBandwidthMBps: z.number().nullable(),
  downtimeLimitMs: z.number().int(),
  copyStorage: z.boolean(),
});
export type ResolvedMigrateOptions = z.infer<typeof ResolvedMigrateOptions>;

export const MigrationType = z.enum(['shared-storage', 'shared-nothing', 'offline', 'storage']).meta({
  description:
    '`shared-storage`: only CPU and memory state move; `shared-nothing`: the disks are copied too; `offline`: a stopped (or paused for the whole copy) VM; `storage`: disks move to another pool on the same host',
});
export type MigrationType = z.infer<typeof MigrationType>;

export const MigrationState = z.enum(['queued', 'preflight', 'running', 'completing', 'succeeded', 'failed', 'cancelled']);
export type MigrationState = z.infer<typeof MigrationState>;
export const FINISHED_MIGRATION_STATES: readonly MigrationState[] = ['succeeded', 'failed', 'cancelled'];
export const ACTIVE_MIGRATION_STATES: readonly MigrationState[] = ['preflight', 'running', 'completing'];

export const PreflightCheckName = z.enum([
  'state',
  'permissions',
  'target',
  'storage',
  'network',
  'cpu',
  'memory',
  'concurrency',
]);
export type PreflightCheckName = z.infer<typeof PreflightCheckName>;

export const PreflightCheck = z.object({
  check: PreflightCheckName,
  outcome: z.enum(['pass', 'warn', 'fail']),
  message: z.string().meta({ description: 'What was found, in a sentence' }),
});
export type PreflightCheck = z.infer<typeof PreflightCheck>;

const HostRef = z.object({ id: z.uuid(), name: z.string() });

export const Preflight = z
  .object({
    vmId: z.uuid(),
    vmName: z.string(),
    source: HostRef,
    target: HostRef,
    type: MigrationType,
    typeReason: z.string().meta({ description: 'Why this type (which pools are shared, whether the VM runs)' }),
    options: ResolvedMigrateOptions,
    verdict: z.enum(['pass', 'warn', 'fail']).meta({ description: 'fail if any check fails; warn if any warns' }),
    checks: z.array(PreflightCheck),
  })
  .meta({ id: 'MigrationPreflight' });
export type Preflight = z.infer<typeof Preflight>;

export const MigrationProgress = z
  .object({
    phase: JobPhase,
    iteration: z.number().int().nonnegative(),
    transferredBytes: z.number().nonnegative(),
    remainingBytes: z.number().nonnegative(),
    totalBytes: z.number().nonnegative(),
    dirtyPagesRate: z.number().nonnegative().meta({ description: '4 KiB pages dirtied per second' }),
    throughputMBps: z.number().nonnegative().meta({ description: 'MiB/s' }),
    expectedDowntimeMs: z.number().nonnegative(),
    etaSeconds: z.number().nonnegative().nullable().meta({ description: 'At the current throughput; null while unknown' }),
    cpuThrottlePercent: z.number().min(0).max(100),
    maxBandwidthMBps: z.number().nullable().meta({ description: 'The limit in force now' }),
    at: z.iso.datetime(),
  })
  .meta({ id: 'MigrationProgress' });
export type MigrationProgress = z.infer<typeof MigrationProgress>;

export const StorageMove = z.object({
  diskId: Slug,
  fromPoolId: z.string(),
  toPoolId: Slug,
  state: z.enum(['pending', 'running', 'done', 'failed', 'cancelled']),
});
export type StorageMove = z.infer<typeof StorageMove>;

export const Migration = z
  .object({
    id: z.uuid(),
    jobId: z.uuid(),
    type: MigrationType,
    vmId: z.uuid(),
    vmName: z.string(),
    source: HostRef,
    target: HostRef.meta({ description: 'For a storage migration, the VM’s own host' }),
    options: ResolvedMigrateOptions,
    storage: z.array(StorageMove).meta({ description: 'Storage migration: each disk and where it goes' }),
    deleteSource: z
      .boolean()
      .meta({ description: 'Storage migration: the source volume is deleted once the switch is confirmed' }),
    state: MigrationState,
    cancelRequested: z.boolean().meta({ description: 'A cancel was asked for and is on its way to the host' }),
    reason: z.string().nullable().meta({ description: 'Why it failed or was cancelled, or what is being waited for' }),
    preflight: z.array(PreflightCheck).meta({ description: 'The checks as they were when it started' }),
    progress: MigrationProgress.nullable(),
    transferredBytes: z.number().nonnegative(),
    iterations: z.number().int().nonnegative(),
    downtimeMs: z.number().nonnegative().nullable().meta({ description: 'The pause the switch-over took' }),
    origin: z.enum(['single', 'evacuation', 'rebalance']),
    actor: z.object({ id: z.uuid().nullable(), name: z.string() }),
    createdAt: z.iso.datetime(),
    startedAt: z.iso.datetime().nullable(),
    finishedAt: z.iso.datetime().nullable(),
    durationMs: z.number().nonnegative().nullable(),
  })
  .meta({ id: 'Migration' });
export type Migration = z.infer<typeof Migration>;

const MigrationParams = z.object({ migrationId: z.uuid() });

export const PreflightBody = z.object({ vmId: z.uuid(), targetHostId: z.uuid(), options: MigrateOptions.default({}) });
export type PreflightBody = z.input<typeof PreflightBody>;

export const preflightMigration = defineRoute({
  id: 'preflightMigration',
  method: 'post',
  path: '/api/migrations/preflight',
  summary: 'Check whether a VM can move to a host, each check answered in a sentence',
  description:
    'Runs every check a migration runs when it starts (state, permissions, storage, network, CPU features, memory counting migrations already heading there, concurrency limits) without moving anything. A failing check is an answer (`verdict: fail`), not an error.',
  tag: 'Migrations',
  access: { permission: 'vm.view', scope: { kind: 'vm', param: 'vmId', in: 'body' } },
  body: PreflightBody,
  response: Preflight,
  errors: [404],
});

export const PreflightMatrixBody = z
  .object({
    vmIds: z.array(z.uuid()).min(1).max(500),
    targetHostIds: z
      .array(z.uuid())
      .min(1)
      .max(5000)
      .optional()
      .meta({ description: 'Left out: every host you may view (one VM against the fleet)' }),
    options: MigrateOptions.default({}),
  })
  .refine((body) => body.vmIds.length * (body.targetHostIds?.length ?? 1) <= 50_000, {
    message: 'At most 50,000 VM × host pairs at once',
  });

export const preflightMatrix = defineRoute({
  id: 'preflightMatrix',
  method: 'post',
  path: '/api/migrations/preflight/matrix',
  summary: 'Pre-flight of many VMs against one host, or one VM against every host',
  tag: 'Migrations',
  access: { permission: 'vm.view', scope: 'visible' },
  body: PreflightMatrixBody,
  response: z.object({ results: z.array(Preflight) }),
  errors: [404],
});

export const StartMigrationBody = PreflightBody;
export type StartMigrationBody = PreflightBody;

export const startMigration = defineRoute({
  id: 'startMigration',
  method: 'post',
  path: '/api/migrations',
  summary: 'Move a VM to another host (live, shared-nothing or offline)',
  description:
    'Needs `vm.migrate` on the VM and on the target host. The pre-flight checks run first: any failure is a 409 with every reason, and nothing starts. The migration then waits for a slot (per-host and fleet-wide limits), the checks run again, and it moves; a change in between fails it with the new reason. Progress arrives as `job.progress` events (with a `migration` part) at least every second.',
  tag: 'Migrations',
  access: { permission: 'vm.migrate', scope: { kind: 'vm', param: 'vmId', in: 'body' } },
  body: StartMigrationBody,
  status: 202,
  response: Migration,
  errors: [404, 409],
});

export const StorageMigrationBody = z.object({
  vmId: z.uuid(),
  disks: z
    .array(z.object({ diskId: Slug, targetPoolId: Slug }))
    .min(1)
    .max(64)
    .refine((disks) => new Set(disks.map((disk) => disk.diskId)).size === disks.length, 'Each disk at most once'),
  maxBandwidthMBps: Bandwidth.default(null),
  deleteSource: z.boolean().default(true).meta({ description: 'Delete the source volume once the switch is confirmed' }),
});
export type StorageMigrationBody = z.input<typeof StorageMigrationBody>;

export const startStorageMigration = defineRoute({
  id: 'startStorageMigration',
  method: 'post',
  path: '/api/migrations/storage',
  summary: 'Move disks of a VM to other pools on its host while it runs',
  description:
    'Each disk is mirrored to its target pool while the guest keeps writing, pivoted once in sync, and its source deleted after the switch is confirmed (unless `deleteSource` is false). Disks move one after another.',
  tag: 'Migrations',
  access: { permission: 'vm.migrate', scope: { kind: 'vm', param: 'vmId', in: 'body' } },
  body: StorageMigrationBody,
  status: 202,
  response: Migration,
  errors: [404, 409],
});

export const listMigrations = defineRoute({
  id: 'listMigrations',
  method: 'get',
  path: '/api/migrations',
  summary: 'Migrations running and done, newest first, a page at a time',
  tag: 'Migrations',
  access: { permission: 'vm.view', scope: 'visible' },
  query: pageQuery(['createdAt', 'state', 'vmName'], '-createdAt').extend({
    vmId: z.uuid().optional(),
    hostId: z.uuid().optional().meta({ description: 'Migrations from or to this host' }),
    state: MigrationState.optional(),
    active: z
      .enum(['true', 'false'])
      .transform((value) => value === 'true')
      .optional()
      .meta({ description: 'true: only those not finished; false: only finished ones' }),
    since: z.iso.datetime().optional().meta({ description: 'Created at or after' }),
    until: z.iso.datetime().optional().meta({ description: 'Created before' }),
  }),
  response: pageOf(Migration),
});

export const getMigration = defineRoute({
  id: 'getMigration',
  method: 'get',
  path: '/api/migrations/{migrationId}',
  summary: 'One migration with its progress, options, pre-flight answers and result',
  tag: 'Migrations',
  access: { permission: 'vm.view', scope: { kind: 'migration', param: 'migrationId' } },
  params: MigrationParams,
  response: Migration,
  errors: [404],
});

export const cancelMigration = defineRoute({
  id: 'cancelMigration',
  method: 'post',
  path: '/api/migrations/{migrationId}/cancel',
  summary: 'Cancel a migration: the VM keeps running on its source',
  description:
    'A queued migration is cancelled at once; a running one is stopped on its host and Cockpit checks that the VM still runs on the source. During the switch-over it can no longer be stopped (409).',
  tag: 'Migrations',
  access: { permission: 'vm.migrate', scope: { kind: 'migration', param: 'migrationId' } },
  params: MigrationParams,
  status: 202,
  response: Migration,
  errors: [404, 409],
});

export const updateMigration = defineRoute({
  id: 'updateMigration',
  method: 'patch',
  path: '/api/migrations/{migrationId}',
  summary: 'Change the bandwidth limit of a migration while it runs',
  tag: 'Migrations',
  access: { permission: 'vm.migrate', scope: { kind: 'migration', param: 'migrationId' } },
  params: MigrationParams,
  body: z.object({ maxBandwidthMBps: Bandwidth }).strict(),
  response: Migration,
  errors: [404, 409],
});

/** A move in a plan (evacuation or rebalance). */
export const PlannedMove = z.object({
  vmId: z.uuid(),
  vmName: z.string(),
  source: HostRef,
  target: HostRef,
  type: MigrationType,
  memoryMiB: z.number().int(),
  reason: z.string().meta({ description: 'Why this host' }),
});
export type PlannedMove = z.infer<typeof PlannedMove>;

export const HostLoad = z.object({
  hostId: z.uuid(),
  name: z.string(),
  memoryPercent: z.number().meta({ description: 'Memory of its running VMs over the host’s memory' }),
  cpuPercent: z.number().meta({ description: 'Latest CPU use of its running VMs over the host’s threads' }),
});
export type HostLoad = z.infer<typeof HostLoad>;

export const LoadSpread = z.object({
  hosts: z.array(HostLoad),
  memorySpread: z.number().meta({ description: 'Highest minus lowest memoryPercent' }),
  cpuSpread: z.number().meta({ description: 'Highest minus lowest cpuPercent' }),
});
export type LoadSpread = z.infer<typeof LoadSpread>;

export const MovePlan = z
  .object({
    moves: z.array(PlannedMove),
    unmovable: z.array(z.object({ vmId: z.uuid(), vmName: z.string(), reasons: z.array(z.string()) })),
    before: LoadSpread,
    after: LoadSpread,
  })
  .meta({ id: 'MovePlan' });
export type MovePlan = z.infer<typeof MovePlan>;

const PlanAnswer = z.object({
  plan: MovePlan,
  job: JobSummary.nullable().meta({ description: 'The job moving the VMs; null for a dry run (or nothing to move)' }),
  migrations: z.array(z.uuid()),
});

export const EvacuationBody = z.object({
  dryRun: z.boolean().default(true).meta({ description: 'true (default): answer the plan only' }),
  targetHostIds: z.array(z.uuid()).min(1).max(5000).optional().meta({ description: 'Only onto these hosts' }),
  options: MigrateOptions.default({}),
});

export const evacuateHost = defineRoute({
  id: 'evacuateHost',
  method: 'post',
  path: '/api/hosts/{hostId}/evacuation',
  summary: 'Plan (dry run) or run moving every VM off a host',
  description:
    'Each VM goes to a host that passes its pre-flight checks, the largest VMs first onto the host with the most free memory (then the least CPU load), counting what the plan already sent there. VMs that cannot move are listed with every reason. Running it queues one migration per move, within the limits; cancel the job to stop.',
  tag: 'Migrations',
  access: { permission: 'vm.migrate', scope: { kind: 'host', param: 'hostId' } },
  params: z.object({ hostId: z.uuid() }),
  body: EvacuationBody,
  response: PlanAnswer,
  errors: [404, 409],
});

export const RebalanceBody = z.object({
  hostIds: z.array(z.uuid()).min(2).max(5000),
  dryRun: z.boolean().default(true),
  maxMoves: z.number().int().min(1).max(500).default(10),
  options: MigrateOptions.default({}),
});

export const rebalanceHosts = defineRoute({
  id: 'rebalanceHosts',
  method: 'post',
  path: '/api/migrations/rebalance',
  summary: 'Plan (dry run) or run moves that even out memory and CPU load across hosts',
  description:
    'Greedy: each move takes a running VM from the busiest host to the one it narrows the spread most on, while every pre-flight check passes; at most `maxMoves`. The answer gives the spread before and after.',
  tag: 'Migrations',
  access: { permission: 'vm.migrate', scope: 'visible' },
  body: RebalanceBody,
  response: PlanAnswer,
  errors: [404, 409],
});

export const migrationRoutes = [
  preflightMigration,
  preflightMatrix,
  startMigration,
  startStorageMigration,
  listMigrations,
  getMigration,
  cancelMigration,
  updateMigration,
  evacuateHost,
  rebalanceHosts,
] as const;
