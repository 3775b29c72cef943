import { z } from 'zod';
import { Bytes, Measure, Slug, Timestamp } from './common.js';
import { VaporSnapshot, Vm } from './vm.js';

/** How to reach and trust a peer agent (the source drives the destination directly). */
export const PeerRef = z.object({
  url: z.url({ protocol: /^https$/ }),
  token: z.string().min(16),
  fingerprint: z.string().regex(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/, 'SHA-256 fingerprint as AA:BB:... (32 upper-case hex pairs)'),
});
export type PeerRef = z.infer<typeof PeerRef>;

/** MiB/s (2^20 bytes a second, as libvirt counts) a transfer may use (with `.nullable()`: null is as fast as the link goes). */
export const BandwidthMBps = z.number().positive().max(100_000);

/** QEMU's migration parameters, as Cockpit exposes them. */
export const MigrationOptions = z.object({
  live: z.boolean().default(true),
  persistent: z.boolean().default(true),
  undefineSource: z.boolean().default(true),
  autoConverge: z.boolean().default(false),
  maxBandwidthMBps: BandwidthMBps.nullable().default(null),
  downtimeLimitMs: z.number().int().min(1).max(60_000).default(300),
  copyStorage: z.boolean().default(false).meta({ description: 'Shared-nothing: copy local disks block by block first' }),
});
export type MigrationOptions = z.infer<typeof MigrationOptions>;

export const MigrationRequest = z.object({
  vmId: z.uuid(),
  destination: PeerRef,
  options: MigrationOptions.default(MigrationOptions.parse({})),
});
export type MigrationRequest = z.input<typeof MigrationRequest>;

export const StorageMigrationRequest = z.object({
  vmId: z.uuid(),
  diskId: Slug,
  targetPoolId: Slug,
  maxBandwidthMBps: BandwidthMBps.nullable().default(null),
  deleteSource: z.boolean().default(true),
});
export type StorageMigrationRequest = z.input<typeof StorageMigrationRequest>;

export const JobPhase = z.enum([
  'setup',
  'copying-disks',
  'copying-ram',
  'iterating',
  'stop-and-copy',
  'pivot',
  'completed',
  'failed',
  'cancelled',
]);

/** Mirrors QEMU's `query-migrate` (ram) and `query-block-jobs` figures. */
export const JobProgress = z.object({
  phase: JobPhase,
  transferredBytes: Bytes,
  remainingBytes: Bytes,
  totalBytes: Bytes,
  dirtyPagesRate: Measure.meta({ description: 'Pages dirtied per second (4 KiB pages)' }),
  throughputMBps: Measure,
  expectedDowntimeMs: Measure,
  iteration: z.number().int().nonnegative(),
  cpuThrottlePercent: z.number().min(0).max(99),
});
export type JobProgress = z.infer<typeof JobProgress>;

export const Job = z.object({
  id: z.uuid(),
  type: z.enum(['migration', 'storage-migration', 'incoming-migration']),
  vmId: z.uuid(),
  state: z.enum(['running', 'completed', 'failed', 'cancelled']),
  progress: JobProgress,
  maxBandwidthMBps: BandwidthMBps.nullable()
    .optional()
    .meta({ description: 'The bandwidth limit in force now, MiB/s (null: unlimited); changed with PATCH /v1/jobs/{jobId}' }),
  startedAt: Timestamp,
  finishedAt: Timestamp.nullable(),
  result: z
    .object({
      downtimeMs: Measure.nullable(),
      durationMs: Measure,
      error: z.string().nullable(),
    })
    .nullable(),
});
export type Job = z.infer<typeof Job>;

/** A running migration's (or storage migration's) new bandwidth limit, used from the next step of its copy. */
export const JobBandwidthUpdate = z.object({
  maxBandwidthMBps: BandwidthMBps.nullable().meta({ description: 'MiB/s; null: as fast as the link goes' }),
});
export type JobBandwidthUpdate = z.infer<typeof JobBandwidthUpdate>;

/** The source host's CPU, as its HostInfo gives it: a host-passthrough guest runs on exactly that. */
export const MigrationSourceCpu = z.object({
  model: z.string().min(1).max(256),
  features: z.array(z.string().max(64)).max(2048),
});
export type MigrationSourceCpu = z.infer<typeof MigrationSourceCpu>;

/** Source → destination: reserve room for an incoming VM and check that it can run here. */
export const IncomingMigrationRequest = z.object({
  vm: Vm,
  options: MigrationOptions,
  sourceHostUuid: z.uuid(),
  sourceCpu: MigrationSourceCpu.optional().meta({
    description:
      'The source host’s CPU model and flags: a VM with CPU model host-passthrough may only move to a host whose CPU is the same (refused without it)',
  }),
  snapshots: z
    .array(VaporSnapshot)
    .max(10_000)
    .default([])
    .meta({ description: 'The VM’s snapshots: they move with it (the destination reserves room for those on copied disks)' }),
});
export type IncomingMigrationRequest = z.infer<typeof IncomingMigrationRequest>;

export const IncomingMigration = z.object({
  id: z.uuid(),
  vmId: z.uuid(),
  /** The destination's hostname, for what the source says about the migration. */
  hostname: z.string().min(1).max(253).optional(),
  /** The reservation lapses unless the source keeps the migration alive before this. */
  expiresAt: Timestamp,
});
export type IncomingMigration = z.infer<typeof IncomingMigration>;

/** Source → destination at switch-over: the VM as it must run there. */
export const IncomingMigrationComplete = z.object({ vm: Vm });
