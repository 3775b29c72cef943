import { z } from 'zod';

export const MAX_PAGE = 1000;
export const DEFAULT_PAGE = 100;

/**
 * `limit` and an opaque keyset `cursor` (from the previous page's `nextCursor`) for every list;
 * `sort` is one of the list's fields, `-field` for descending.
 */
export function pageQuery<const F extends readonly [string, ...string[]]>(
  sortFields: F,
  defaultSort: F[number] | `-${F[number]}`,
) {
  const sorts = [...sortFields, ...sortFields.map((field) => `-${field}`)] as [string, ...string[]];
  return z.object({
    limit: z.coerce
      .number()
      .int()
      .min(1)
      .max(MAX_PAGE)
      .default(DEFAULT_PAGE)
      .meta({ description: `Items per page (at most ${MAX_PAGE})` }),
    cursor: z
      .string()
      .max(512)
      .regex(/^[A-Za-z0-9_-]+$/, 'a cursor is the nextCursor of a previous page')
      .optional()
      .meta({ description: 'The `nextCursor` of the previous page' }),
    sort: z
      .enum(sorts)
      .default(defaultSort)
      .meta({ description: `Sort field, \`-field\` for descending: ${sortFields.join(', ')}` }),
  });
}

/** One page of a list: the items, how many match in all, and the cursor of the next page (null on the last). */
export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    total: z.number().int().nonnegative().meta({ description: 'Items matching the filters, over all pages' }),
    nextCursor: z.string().nullable().meta({ description: 'Pass as `cursor` for the next page; null on the last page' }),
  });
}

export interface Page<T> {
  items: T[];
  total: number;
  nextCursor: string | null;
}

/** A name filter: case-insensitive "contains". */
export const NameContains = z.string().min(1).max(128).meta({ description: 'Only those whose name contains this (any case)' });
