import { z } from 'zod';

/** A command as an argv array: never a shell string, so nothing in it is ever interpreted. */
export const ExecRequest = z.object({
  argv: z.array(z.string().max(4096)).min(1).max(256),
  timeoutMs: z.number().int().min(100).max(300_000).default(10_000),
});
export type ExecRequest = z.input<typeof ExecRequest>;

export const ExecResult = z.object({
  exitCode: z
    .number()
    .int()
    .min(-(2 ** 31))
    .max(2 ** 31 - 1)
    .nullable()
    .meta({ description: 'null when killed by the timeout' }),
  stdout: z.string(),
  stderr: z.string(),
  durationMs: z.number().nonnegative().max(Number.MAX_SAFE_INTEGER),
  timedOut: z.boolean(),
});
export type ExecResult = z.infer<typeof ExecResult>;
