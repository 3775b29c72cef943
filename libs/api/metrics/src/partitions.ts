/**
 * Stats tables and their time partitions. Raw samples are partitioned by hour, 1-minute rollups by
 * day, 1-hour rollups by month, so retention is a DROP of whole partitions (no DELETE, no vacuum).
 */
export type SeriesKind = 'host' | 'vm';
export type Resolution = 'raw' | '1m' | '1h';

export const RESOLUTIONS: readonly Resolution[] = ['raw', '1m', '1h'];
export const SERIES_KINDS: readonly SeriesKind[] = ['host', 'vm'];

/** Seconds one stored point covers (raw samples come every few seconds). */
export const RESOLUTION_SECONDS: Record<Resolution, number> = { raw: 1, '1m': 60, '1h': 3600 };

export function tableName(kind: SeriesKind, resolution: Resolution): string {
  return `${kind}_samples${resolution === 'raw' ? '' : `_${resolution}`}`;
}

export function keyColumn(kind: SeriesKind): 'host_id' | 'vm_id' {
  return kind === 'host' ? 'host_id' : 'vm_id';
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** The partition a timestamp falls in: its name and [from, to) bounds. */
export function partitionFor(kind: SeriesKind, resolution: Resolution, at: Date): { name: string; from: Date; to: Date } {
  const y = at.getUTCFullYear();
  const m = at.getUTCMonth();
  const d = at.getUTCDate();
  const table = tableName(kind, resolution);
  if (resolution === 'raw') {
    const from = new Date(Date.UTC(y, m, d, at.getUTCHours()));
    return {
      name: `${table}_p${y}${pad(m + 1)}${pad(d)}${pad(at.getUTCHours())}`,
      from,
      to: new Date(from.getTime() + 3_600_000),
    };
  }
  if (resolution === '1m') {
    return {
      name: `${table}_p${y}${pad(m + 1)}${pad(d)}`,
      from: new Date(Date.UTC(y, m, d)),
      to: new Date(Date.UTC(y, m, d + 1)),
    };
  }
  return { name: `${table}_p${y}${pad(m + 1)}`, from: new Date(Date.UTC(y, m, 1)), to: new Date(Date.UTC(y, m + 1, 1)) };
}

/** The end of a partition from its name (what retention compares with), or undefined if not ours. */
export function partitionEnd(kind: SeriesKind, resolution: Resolution, name: string): Date | undefined {
  const prefix = `${tableName(kind, resolution)}_p`;
  if (!name.startsWith(prefix)) return undefined;
  const digits = name.slice(prefix.length);
  const expected = { raw: 10, '1m': 8, '1h': 6 }[resolution];
  if (!/^\d+$/.test(digits) || digits.length !== expected) return undefined;
  const y = Number(digits.slice(0, 4));
  const m = Number(digits.slice(4, 6)) - 1;
  const d = Number(digits.slice(6, 8) || 1);
  const h = Number(digits.slice(8, 10) || 0);
  return partitionFor(kind, resolution, new Date(Date.UTC(y, m, d, h))).to;
}

/** Every partition touching [from, to]. */
export function partitionsBetween(
  kind: SeriesKind,
  resolution: Resolution,
  from: Date,
  to: Date,
): { name: string; from: Date; to: Date }[] {
  const result: { name: string; from: Date; to: Date }[] = [];
  let at = from;
  while (at.getTime() <= to.getTime()) {
    const partition = partitionFor(kind, resolution, at);
    result.push(partition);
    at = partition.to;
  }
  return result;
}
