import { z } from 'zod';

/**
 * Every live event the api emits is wrapped in this envelope. `seq` is global and monotonically
 * increasing so a client that reconnects can ask for what it missed.
 */
export const EventEnvelope = <T extends z.ZodType>(type: string, payload: T) =>
  z.object({
    seq: z.number().int().nonnegative(),
    ts: z.iso.datetime(),
    type: z.literal(type),
    payload,
  });
