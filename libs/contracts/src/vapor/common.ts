import { z } from 'zod';

/** Identifiers chosen by people (pool, bridge, VM names): safe in URLs, logs and file names. */
export const Slug = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'use letters, digits, ".", "_" or "-", starting with a letter or digit');

export const Bytes = z.number().int().nonnegative();
export const MiB = z.number().int().positive();
export const Timestamp = z.iso.datetime();
