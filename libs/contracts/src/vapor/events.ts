import { z } from 'zod';
import { Job } from './jobs.js';
import { StatsFrame } from './stats.js';
import { Vm, VmState } from './vm.js';

export * from './stats.js';

/** Generations fit the PostgreSQL integer column the api keeps them in. */
const Generation = z
  .number()
  .int()
  .positive()
  .max(2 ** 31 - 1);

const event = <T extends string, D extends z.ZodType>(type: T, data: D) =>
  z.object({ seq: z.number().int().positive(), ts: z.iso.datetime(), type: z.literal(type), data });

/** Everything a Vapor agent streams. `seq` increases by one per event, per host. */
export const VaporEvent = z.discriminatedUnion('type', [
  event(
    'vm.state',
    z.object({ vmId: z.uuid(), state: VmState, previous: VmState, generation: Generation, reason: z.string().max(1000) }),
  ),
  event('vm.created', z.object({ vm: Vm })),
  event('vm.updated', z.object({ vm: Vm })),
  event('vm.deleted', z.object({ vmId: z.uuid() })),
  event('job.progress', z.object({ job: Job })),
  event('job.finished', z.object({ job: Job })),
  event(
    'host.changed',
    z.object({ reason: z.string().max(1000) }).meta({ description: 'Re-read /v1/host (pools, networks changed)' }),
  ),
  event('stats', StatsFrame),
]);
export type VaporEvent = z.infer<typeof VaporEvent>;
export type VaporEventType = VaporEvent['type'];

/**
 * Control frames on the event stream. After connecting with `?since=N&stream=ID` the agent answers `resumed`
 * and replays what followed N, or `gap` when N is older than its buffer: the client must re-read
 * the full state, then follow from `currentSeq`.
 */
const streamId = z
  .string()
  .min(1)
  .meta({ description: 'Changes when the agent restarts: a seq from another stream means a gap' });
export const VaporStreamControl = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('resumed'),
    streamId,
    fromSeq: z.number().int().nonnegative(),
    currentSeq: z.number().int().nonnegative(),
  }),
  z.object({
    type: z.literal('gap'),
    streamId,
    oldestSeq: z.number().int().nonnegative(),
    currentSeq: z.number().int().nonnegative(),
  }),
]);
export type VaporStreamControl = z.infer<typeof VaporStreamControl>;
