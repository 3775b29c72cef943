import { hashKey, type InvalidateQueryFilters, type QueryClient } from '@tanstack/react-query';
import type { CockpitEvent, CockpitEventData, FleetVm, Host, LiveStats, Page, VmState } from '@cockpit/contracts';
import { fleetSummaryQuery, HOST_LISTS_KEY, hostQuery } from './hosts.queries.js';
import { JOB_LISTS_KEY, jobKey } from './jobs.queries.js';
import type { LiveEvents, StatsFrame } from './live-events.js';
import { MigrationUpdateBatch } from './live-migrations.js';
import { VM_LISTS_KEY, vmQuery, vmSnapshotsQuery, type VmListQuery } from './vms.queries.js';

/**
 * Events are gathered this long before the cache is touched, so a burst of thousands of events a
 * second costs one refetch per query (and one table update for stats) every quarter of a second.
 */
export const LIVE_BATCH_MS = 250;

// Exact where a key is also the prefix of others: a host's detail must not refetch its hour of metrics.
/** Every cached page of the hosts list, whatever its filters. */
const hostLists: InvalidateQueryFilters = { queryKey: HOST_LISTS_KEY };
const hostDetail = (hostId: string): InvalidateQueryFilters => ({ queryKey: hostQuery(hostId).queryKey, exact: true });
const fleetSummary: InvalidateQueryFilters = { queryKey: fleetSummaryQuery().queryKey, exact: true };
/** Every cached page of a VM list, whatever its filters. */
const vmLists: InvalidateQueryFilters = { queryKey: VM_LISTS_KEY };
/**
 * The VM list pages a state change can reorder or add rows to or take rows from: those filtered
 * or sorted by state. The others only need the row patched.
 */
const vmListsByState: InvalidateQueryFilters = {
  queryKey: VM_LISTS_KEY,
  predicate: (query) => {
    const listQuery = query.queryKey[2] as VmListQuery | undefined;
    return !!listQuery && (listQuery.state !== undefined || /^-?state$/.test(String(listQuery.sort ?? '')));
  },
};
const vmDetail = (vmId: string): InvalidateQueryFilters => ({ queryKey: vmQuery(vmId).queryKey, exact: true });
/** A snapshot taken, reverted or deleted changes the VM (its generation, snapshotCount): vm.updated. */
const vmSnapshots = (vmId: string): InvalidateQueryFilters => ({ queryKey: vmSnapshotsQuery(vmId).queryKey, exact: true });
/** Every cached job list page; one job with its target pages. */
const jobLists: InvalidateQueryFilters = { queryKey: JOB_LISTS_KEY };
const jobDetail = (jobId: string): InvalidateQueryFilters => ({ queryKey: jobKey(jobId) });
/** Every page of the audit log, whatever its filter. */
const auditPages: InvalidateQueryFilters = { queryKey: ['audit'] };

/**
 * The cached answers an event makes out of date. A VM's new state is written into the cached pages
 * (see VmStateBatch) rather than refetching every VM list; events that add, remove or rename rows
 * refetch the lists.
 */
function staleAfter(event: CockpitEvent): InvalidateQueryFilters[] {
  switch (event.type) {
    case 'host.status':
      return [hostLists, hostDetail(event.data.hostId), fleetSummary];
    case 'host.changed':
      // A rename shows in VM rows (their host's name); a removal takes the host's VMs with it.
      return [hostLists, hostDetail(event.data.hostId), fleetSummary, vmLists];
    case 'vm.state':
      // Hosts show how many VMs they run.
      return [vmListsByState, vmDetail(event.data.vmId), hostLists, hostDetail(event.data.hostId), fleetSummary];
    case 'vm.created':
    case 'vm.updated':
    case 'vm.deleted':
      return [
        vmLists,
        vmDetail(event.data.vmId),
        vmSnapshots(event.data.vmId),
        hostLists,
        hostDetail(event.data.hostId),
        fleetSummary,
      ];
    case 'audit.created':
      return [auditPages];
    case 'stats':
    case 'vm.job':
      return [];
    case 'job.progress':
      return [jobLists, jobDetail(event.data.jobId)];
  }
}

/** Marks queries out of date at most every LIVE_BATCH_MS, each once however many events named it. */
class InvalidationBatch {
  private readonly pending = new Map<string, InvalidateQueryFilters>();
  private timer?: ReturnType<typeof setTimeout>;

  constructor(private readonly queryClient: QueryClient) {}

  add(filters: InvalidateQueryFilters): void {
    const kind = filters.exact ? 'exact' : filters.predicate ? 'some' : 'prefix';
    this.pending.set(`${kind} ${hashKey(filters.queryKey ?? [])}`, filters);
    this.timer ??= setTimeout(() => this.flush(), LIVE_BATCH_MS);
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pending.clear();
  }

  private flush(): void {
    this.timer = undefined;
    const due = [...this.pending.values()];
    this.pending.clear();
    for (const filters of due) {
      // Invalidating cancels a refetch under way, so under a steady stream of events none would
      // ever finish. Let it finish instead, and refetch once more after it: it may have read the
      // state from before these events.
      if (this.queryClient.isFetching(filters)) this.add(filters);
      else void this.queryClient.invalidateQueries(filters);
    }
  }
}

function sampleOf(at: number, [cpuPercent, memoryUsedMiB]: readonly number[]): LiveStats {
  return { cpuPercent: cpuPercent ?? 0, memoryUsedMiB: memoryUsedMiB ?? 0, at: new Date(at).toISOString() };
}

type WithStats = Pick<Host, 'id' | 'stats'>;

/** A host's sample is also when it was last heard from, as the api records it. */
const hostWithSample = <T extends Host>(host: T, stats: LiveStats): T => ({ ...host, stats, lastSeenAt: stats.at });
const vmWithSample = <T extends FleetVm>(vm: T, stats: LiveStats): T => ({ ...vm, stats });

/**
 * The rows with their new samples, or undefined (TanStack's "leave it as it is", no re-render)
 * when none changed. A sample older than the row's is not applied.
 */
function rowsWithSamples<T extends WithStats>(
  rows: readonly T[] | undefined,
  samples: ReadonlyMap<string, LiveStats>,
  withSample: (row: T, stats: LiveStats) => T,
): T[] | undefined {
  if (!rows) return undefined;
  let changed = false;
  const next = rows.map((row) => {
    const sample = samples.get(row.id);
    if (!sample || (row.stats && Date.parse(row.stats.at) > Date.parse(sample.at))) return row;
    changed = true;
    return withSample(row, sample);
  });
  return changed ? next : undefined;
}

/** The page with its rows replaced, or undefined (leave it) when no row changed. */
function pageWithRows<T>(page: Page<T> | undefined, items: T[] | undefined): Page<T> | undefined {
  return page && items ? { ...page, items } : undefined;
}

/**
 * Writes the latest samples of stats frames into the cached host and VM rows (lists and detail
 * pages), without a refetch: frames come every few seconds per host and carry what the rows show.
 */
function applyStatsFrames(queryClient: QueryClient, frames: Iterable<StatsFrame>): void {
  const hostSamples = new Map<string, LiveStats>();
  const vmSamples = new Map<string, LiveStats>();
  for (const frame of frames) {
    hostSamples.set(frame.hostId, sampleOf(frame.at, frame.host));
    for (const [vmId, ...stats] of frame.vms) vmSamples.set(vmId, sampleOf(frame.at, stats));
  }
  queryClient.setQueriesData<Page<Host>>(hostLists, (page) =>
    pageWithRows(page, rowsWithSamples(page?.items, hostSamples, hostWithSample)),
  );
  for (const hostId of hostSamples.keys()) {
    queryClient.setQueryData(
      hostQuery(hostId).queryKey,
      (host) => rowsWithSamples(host && [host], hostSamples, hostWithSample)?.[0],
    );
  }
  queryClient.setQueriesData<Page<FleetVm>>(vmLists, (page) =>
    pageWithRows(page, rowsWithSamples(page?.items, vmSamples, vmWithSample)),
  );
  for (const vmId of vmSamples.keys()) {
    queryClient.setQueryData(vmQuery(vmId).queryKey, (vm) => rowsWithSamples(vm && [vm], vmSamples, vmWithSample)?.[0]);
  }
}

/** Holds the newest stats frame of each host until the next batch. */
class StatsBatch {
  private readonly frames = new Map<string, StatsFrame>();
  private timer?: ReturnType<typeof setTimeout>;

  constructor(private readonly queryClient: QueryClient) {}

  add(frame: StatsFrame): void {
    const held = this.frames.get(frame.hostId);
    if (!held || held.at <= frame.at) this.frames.set(frame.hostId, frame);
    this.timer ??= setTimeout(() => this.flush(), LIVE_BATCH_MS);
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.frames.clear();
  }

  private flush(): void {
    this.timer = undefined;
    const frames = [...this.frames.values()];
    this.frames.clear();
    applyStatsFrames(this.queryClient, frames);
  }
}

type VmStateChange = CockpitEventData<'vm.state'>;

/**
 * Holds the newest state of each VM until the next batch, then writes it into every cached VM
 * list page the VM appears in: at 100,000 VMs a burst of state changes must not refetch every list.
 * A page being fetched meanwhile may have read the state from before: it is refetched once more.
 */
class VmStateBatch {
  private readonly changes = new Map<string, VmStateChange>();
  private timer?: ReturnType<typeof setTimeout>;

  constructor(
    private readonly queryClient: QueryClient,
    private readonly invalidations: InvalidationBatch,
  ) {}

  add(change: VmStateChange): void {
    const held = this.changes.get(change.vmId);
    if (!held || held.at <= change.at) this.changes.set(change.vmId, change);
    this.timer ??= setTimeout(() => this.flush(), LIVE_BATCH_MS);
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.changes.clear();
  }

  private flush(): void {
    this.timer = undefined;
    const states = new Map<string, VmState>([...this.changes.values()].map((change) => [change.vmId, change.state]));
    this.changes.clear();
    for (const query of this.queryClient.getQueryCache().findAll(vmLists)) {
      const page = query.state.data as Page<FleetVm> | undefined;
      const items = rowsWithStates(page?.items, states);
      if (page && items) this.queryClient.setQueryData<Page<FleetVm>>(query.queryKey, { ...page, items });
      if (query.state.fetchStatus === 'fetching') this.invalidations.add({ queryKey: query.queryKey, exact: true });
    }
  }
}

/** The rows with their new states, or undefined when none changed. */
function rowsWithStates(rows: readonly FleetVm[] | undefined, states: ReadonlyMap<string, VmState>): FleetVm[] | undefined {
  if (!rows) return undefined;
  let changed = false;
  const next = rows.map((row) => {
    const state = states.get(row.id);
    if (!state || state === row.state) return row;
    changed = true;
    return { ...row, state };
  });
  return changed ? next : undefined;
}

/**
 * Keeps TanStack Query's cache current from live events instead of polling: a change marks the
 * queries it affects out of date (those on screen refetch), stats frames are written into the rows,
 * and what could not be replayed is reloaded. Returns the function that stops it.
 */
export function keepQueryCacheCurrent(live: LiveEvents, queryClient: QueryClient): () => void {
  const invalidations = new InvalidationBatch(queryClient);
  const stats = new StatsBatch(queryClient);
  const vmStates = new VmStateBatch(queryClient, invalidations);
  const migrations = new MigrationUpdateBatch(queryClient, (filters) => invalidations.add(filters), LIVE_BATCH_MS);
  const stopListening = [
    live.onEvent((event) => {
      if (event.type === 'stats') stats.add(event.data);
      if (event.type === 'vm.state') vmStates.add(event.data);
      if (event.type === 'job.progress' && event.data.migration) migrations.add(event.data.migration);
      for (const filters of staleAfter(event)) invalidations.add(filters);
    }),
    live.onResync(() => {
      invalidations.stop();
      vmStates.stop();
      migrations.stop();
      void queryClient.invalidateQueries();
    }),
    // Replayed events cover what changed meanwhile, but not what failed to load while the api was
    // away (polling used to retry those).
    live.onResume(() => void queryClient.invalidateQueries({ predicate: (query) => query.state.status === 'error' })),
  ];
  return () => {
    for (const stop of stopListening) stop();
    invalidations.stop();
    stats.stop();
    vmStates.stop();
    migrations.stop();
  };
}
