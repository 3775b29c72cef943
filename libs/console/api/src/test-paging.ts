import type { Page } from '@cockpit/contracts';

// A fake of the api's paged lists and live frames, for the console's component tests.

/** Every list request the pages sent (path and query), oldest first; tests clear it. */
export const listRequests: { path: string; query: Record<string, string> }[] = [];

type Row = { id: string; name: string; state: string; createdAt: string; hostId?: string; hostName?: string };
const collator = new Intl.Collator('en', { numeric: true });

/**
 * One page of `rows` as the api answers GET /api/hosts or /api/vms: filtered (name contains, any
 * case; state; host), sorted (`-field` descending, then by id), `limit` at a time from `cursor`
 * (here simply the offset: `o<n>`).
 */
export function pageOf<T extends Row>(rows: readonly T[], url: URL): Page<T> {
  const query = url.searchParams;
  listRequests.push({ path: url.pathname, query: Object.fromEntries(query) });
  const name = query.get('name')?.toLowerCase();
  const sort = query.get('sort') ?? 'name';
  const field = sort.replace(/^-/, '') as keyof Row;
  const sign = sort.startsWith('-') ? -1 : 1;
  const matching = rows
    .filter(
      (row) =>
        (!name || row.name.toLowerCase().includes(name)) &&
        (!query.get('state') || row.state === query.get('state')) &&
        (!query.get('hostId') || row.hostId === query.get('hostId')),
    )
    .sort((a, b) => sign * collator.compare(String(a[field]), String(b[field])) || (a.id < b.id ? -1 : 1));
  const start = Number(query.get('cursor')?.slice(1) ?? 0);
  const limit = Number(query.get('limit') ?? 100);
  const end = start + limit;
  return { items: matching.slice(start, end), total: matching.length, nextCursor: end < matching.length ? `o${end}` : null };
}

let seq = 0;

/** A stats frame from the host, as the event hub sends it: the host's CPU and memory, and its VMs' CPU. */
export function statsFrame(hostId: string, at: number, cpuPercent: number, vms: [vmId: string, cpuPercent: number][] = []) {
  return {
    seq: ++seq,
    ts: new Date(at).toISOString(),
    type: 'stats',
    data: { hostId, at, host: [cpuPercent, 4096, 0, 0, 0, 0], vms: vms.map(([vmId, cpu]) => [vmId, cpu, 512, 0, 0, 0, 0]) },
  };
}
