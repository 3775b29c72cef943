/** Display formats shared by the console's pages. A missing value shows as an em dash. */

export const NONE = '—';

const BINARY_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

function scaled(value: number, units: readonly string[], step = 1024): string {
  let index = 0;
  let scaledValue = value;
  while (Math.abs(scaledValue) >= step && index < units.length - 1) {
    scaledValue /= step;
    index += 1;
  }
  // Whole numbers for the base unit and for big values; one decimal where it tells something.
  const digits = index === 0 || Math.abs(scaledValue) >= 100 ? 0 : 1;
  return `${scaledValue.toFixed(digits)} ${units[index]}`;
}

export function formatBytes(bytes: number | null | undefined): string {
  return bytes === null || bytes === undefined ? NONE : scaled(bytes, BINARY_UNITS);
}

export function formatMiB(mib: number | null | undefined): string {
  return mib === null || mib === undefined ? NONE : scaled(mib, BINARY_UNITS.slice(2));
}

export function formatRate(bytesPerSecond: number | null | undefined): string {
  return bytesPerSecond === null || bytesPerSecond === undefined ? NONE : `${scaled(bytesPerSecond, BINARY_UNITS)}/s`;
}

export function formatPercent(percent: number | null | undefined): string {
  return percent === null || percent === undefined ? NONE : `${percent.toFixed(1)}%`;
}

export function formatDateTime(iso: string | null | undefined): string {
  return iso ? new Date(iso).toLocaleString() : NONE;
}

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto', style: 'short' });

/** "12 sec. ago", "5 min. ago"…; older than a day, the date. */
export function formatAgo(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return NONE;
  const seconds = Math.round((Date.parse(iso) - now) / 1000);
  if (Math.abs(seconds) < 60) return relative.format(seconds, 'second');
  if (Math.abs(seconds) < 3600) return relative.format(Math.round(seconds / 60), 'minute');
  if (Math.abs(seconds) < 86_400) return relative.format(Math.round(seconds / 3600), 'hour');
  return new Date(iso).toLocaleDateString();
}

/** CPU lists as ranges, the way `lscpu` shows NUMA nodes: [0,1,2,3,8,9] → "0-3,8-9". */
export function formatCpuList(cpus: readonly number[]): string {
  const sorted = [...cpus].sort((a, b) => a - b);
  const ranges: string[] = [];
  for (let start = 0; start < sorted.length;) {
    let end = start;
    while (end + 1 < sorted.length && sorted[end + 1] === (sorted[end] ?? 0) + 1) end += 1;
    ranges.push(start === end ? `${sorted[start]}` : `${sorted[start]}-${sorted[end]}`);
    start = end + 1;
  }
  return ranges.join(',') || NONE;
}

export type MetricUnit = 'percent' | 'MiB' | 'bytesPerSecond';

export function formatMetric(unit: MetricUnit, value: number | null | undefined): string {
  if (unit === 'percent') return formatPercent(value);
  if (unit === 'MiB') return formatMiB(value);
  return formatRate(value);
}
