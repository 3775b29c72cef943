import { z } from 'zod';
import { ScopePath } from '../auth/permissions.js';
import { JobPhase } from '../vapor/jobs.js';
import { VmState } from '../vapor/vm.js';
import { HostState } from '../rest/hosts.js';
import { JobCounts, JobState } from '../rest/jobs.js';
import { MigrationProgress, MigrationState } from '../rest/migrations.js';

/**
 * Live events, as the event hub delivers them over socket.io (`event`) and `GET /api/events`.
 * Payloads are small on purpose (ids and states, a compact stats frame): a client that needs the
 * whole object reads it over REST. `seq` is global and increases across every api instance; `ts`
 * is when Cockpit learned of the change.
 */
const base = <T extends string, D extends z.ZodType>(type: T, data: D) =>
  z.object({ seq: z.number().int().nonnegative(), ts: z.iso.datetime(), type: z.literal(type), data });

/** [cpuPercent, memoryUsedMiB, diskReadBps, diskWriteBps, netRxBps, netTxBps] */
export const StatsTuple = z.tuple([z.number(), z.number(), z.number(), z.number(), z.number(), z.number()]);
export type StatsTuple = z.infer<typeof StatsTuple>;

export const CockpitEvent = z.discriminatedUnion('type', [
  base(
    'host.status',
    z.object({ hostId: z.uuid(), state: HostState, stateReason: z.string().nullable(), ownerInstance: z.string().nullable() }),
  ),
  base('host.changed', z.object({ hostId: z.uuid(), reason: z.enum(['inventory', 'enrolled', 'edited', 'removed']) })),
  base(
    'vm.state',
    z.object({
      vmId: z.uuid(),
      hostId: z.uuid(),
      state: VmState,
      previous: VmState.nullable(),
      at: z.number().int().meta({ description: 'When the host says it happened, Unix ms' }),
    }),
  ),
  base('vm.created', z.object({ vmId: z.uuid(), hostId: z.uuid(), name: z.string() })),
  base('vm.updated', z.object({ vmId: z.uuid(), hostId: z.uuid() })),
  base('vm.deleted', z.object({ vmId: z.uuid(), hostId: z.uuid() })),
  base(
    'stats',
    z.object({
      hostId: z.uuid(),
      at: z.number().int().meta({ description: 'Sample time, Unix ms' }),
      host: StatsTuple,
      vms: z.array(z.tuple([z.uuid(), ...StatsTuple.def.items])).meta({ description: '[vmId, ...StatsTuple] per running VM' }),
    }),
  ),
  base(
    'vm.job',
    z
      .object({
        jobId: z.uuid(),
        hostId: z.uuid(),
        vmId: z.uuid(),
        kind: z.string(),
        state: z.enum(['running', 'completed', 'failed', 'cancelled']),
        phase: JobPhase,
        percent: z.number().min(0).max(100),
      })
      .meta({ description: 'Progress of work a host does on a VM (a migration, a disk move), as the host reports it' }),
  ),
  base(
    'job.progress',
    z
      .object({
        jobId: z.uuid(),
        kind: z.string(),
        title: z.string(),
        scopeChain: z.array(ScopePath).meta({ description: 'Where the job sits: its scope, then each ancestor' }),
        actorId: z.uuid().nullable(),
        state: JobState,
        progress: JobCounts,
        migration: z
          .object({
            migrationId: z.uuid(),
            vmId: z.uuid(),
            state: MigrationState,
            reason: z.string().nullable(),
            progress: MigrationProgress.nullable(),
          })
          .optional()
          .meta({ description: 'A migration job: the migration that moved on (at least every second while it runs)' }),
      })
      .meta({ description: 'A durable Cockpit job (bulk action, migration, …) moved on' }),
  ),
  base('audit.created', z.object({ id: z.string(), action: z.string(), actor: z.string().nullable(), outcome: z.string() })),
]);
export type CockpitEvent = z.infer<typeof CockpitEvent>;
export type CockpitEventType = CockpitEvent['type'];
export type CockpitEventData<T extends CockpitEventType> = Extract<CockpitEvent, { type: T }>['data'];

/** Client → server: what to receive. Scopes the client may not view are refused with an `error`. */
export const SubscribeMessage = z.object({
  scopes: z.array(ScopePath).min(1).max(100),
  /** Resume after this sequence: missed events are replayed first, or `resync` is sent when too old. */
  since: z.number().int().nonnegative().optional(),
});
export type SubscribeMessage = z.infer<typeof SubscribeMessage>;

/** Server → client after `subscribe`. */
export const Subscribed = z.object({
  scopes: z.array(ScopePath),
  /** The newest sequence at subscription time (after any replay). */
  seq: z.number().int().nonnegative(),
  replayed: z.number().int().nonnegative(),
});
export type Subscribed = z.infer<typeof Subscribed>;

/** Server → client: the events since `since` are gone (older than the replay window): reload state over REST. */
export const ResyncMessage = z.object({ reason: z.string(), seq: z.number().int().nonnegative() });
export type ResyncMessage = z.infer<typeof ResyncMessage>;

/** Server → client: a message was refused; nothing changed. */
export const EventErrorMessage = z.object({ message: z.string() });
export type EventErrorMessage = z.infer<typeof EventErrorMessage>;

/** How long events stay replayable. */
export const EVENT_REPLAY_WINDOW_MS = 60 * 60 * 1000;
