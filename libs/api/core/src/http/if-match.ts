import { InvalidInputError } from '../errors/domain-errors.js';

/**
 * `If-Match: "12"` (or `12`, or a weak `W/"12"`) → 12; absent → undefined. Objects carry a
 * `generation`; that number is their entity tag. Anything else is a 400, never ignored.
 */
export function parseIfMatch(header: string | string[] | undefined): number | undefined {
  if (header === undefined) return undefined;
  const value = Array.isArray(header) ? header.join(',') : header;
  const match = /^\s*(?:W\/)?"?(\d{1,10})"?\s*$/.exec(value);
  const generation = match?.[1] ? Number(match[1]) : NaN;
  if (!Number.isSafeInteger(generation) || generation < 1 || generation > 2 ** 31 - 1)
    throw new InvalidInputError('If-Match must be the generation you last read, e.g. "12"', [
      { path: 'headers.if-match', message: 'expected a generation like "12"' },
    ]);
  return generation;
}
