import { z } from 'zod';

/** Identifiers chosen by people (pool, bridge, VM names): safe in URLs, logs and file names. */
export const Slug = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'use letters, digits, ".", "_" or "-", starting with a letter or digit');

/** Whole bytes; `int()` keeps them below 2^53 (exact in a double). */
export const Bytes = z.number().int().nonnegative();
/** A size in MiB: up to 2^31 - 1 (2 PiB), what the api's integer columns hold. */
export const MiB = z
  .number()
  .int()
  .positive()
  .max(2 ** 31 - 1);
/** A non-negative duration or figure a host measures: finite and below 2^53. */
export const Measure = z.number().nonnegative().max(Number.MAX_SAFE_INTEGER);
export const Timestamp = z.iso.datetime();
