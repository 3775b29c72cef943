import type { ValueTransformer } from 'typeorm';

/** pg returns bigint as a string; byte counts fit a JS number exactly up to 8 PiB. */
export const bigintAsNumber: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | null) => (value === null ? null : Number(value)),
};
