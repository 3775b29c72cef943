import type { InvalidateQueryFilters, QueryClient } from '@tanstack/react-query';
import type { CockpitEventData, Migration, Page } from '@cockpit/contracts';
import { MIGRATION_LISTS_KEY, migrationKey } from './migrations.queries.js';

/** The migration part of a job.progress event: its state, reason and latest progress. */
export type MigrationUpdate = NonNullable<CockpitEventData<'job.progress'>['migration']>;

/** The migration with what the update says; undefined (leave it) when nothing it shows changed. */
function withUpdate(migration: Migration, update: MigrationUpdate): Migration | undefined {
  const progress = update.progress ?? migration.progress;
  if (migration.state === update.state && migration.reason === update.reason && progress === migration.progress) return undefined;
  // A sample older than the one held is not applied (a refetch may have brought a newer one).
  if (progress && migration.progress && Date.parse(progress.at) < Date.parse(migration.progress.at)) return undefined;
  return {
    ...migration,
    state: update.state,
    reason: update.reason,
    progress,
    ...(progress ? { transferredBytes: Math.round(progress.transferredBytes), iterations: progress.iteration } : {}),
  };
}

/**
 * A running migration reports about every 500 ms. Its progress is written into the cached
 * migration and the list rows that show it, without a refetch; a change of state refetches the
 * migration (its record: timings, downtime, result) and the lists (it may join or leave a filter).
 * Updates are held for `delayMs` (the live cache's batch), the newest per migration.
 */
export class MigrationUpdateBatch {
  private readonly updates = new Map<string, MigrationUpdate>();
  /** The state each migration was last seen in, to notice it changing (or a new one). */
  private readonly states = new Map<string, string>();
  private timer?: ReturnType<typeof setTimeout>;

  constructor(
    private readonly queryClient: QueryClient,
    private readonly invalidate: (filters: InvalidateQueryFilters) => void,
    private readonly delayMs: number,
  ) {}

  add(update: MigrationUpdate): void {
    this.updates.set(update.migrationId, update);
    this.timer ??= setTimeout(() => this.flush(), this.delayMs);
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.updates.clear();
    this.states.clear();
  }

  private flush(): void {
    this.timer = undefined;
    const updates = new Map(this.updates);
    this.updates.clear();
    let listsStale = false;
    for (const [id, update] of updates) {
      const key = migrationKey(id);
      const cached = this.queryClient.getQueryData<Migration>(key);
      const changedState = (cached?.state ?? this.states.get(id) ?? this.stateInLists(id)) !== update.state;
      this.states.set(id, update.state);
      if (cached) {
        const next = withUpdate(cached, update);
        if (next) this.queryClient.setQueryData<Migration>(key, next);
      }
      if (changedState) {
        listsStale = true;
        this.invalidate({ queryKey: key, exact: true });
      }
    }
    this.queryClient.setQueriesData<Page<Migration>>({ queryKey: MIGRATION_LISTS_KEY }, (page) => {
      if (!page) return undefined;
      let changed = false;
      const items = page.items.map((row) => {
        const update = updates.get(row.id);
        const next = update && withUpdate(row, update);
        if (!next) return row;
        changed = true;
        return next;
      });
      return changed ? { ...page, items } : undefined;
    });
    if (listsStale) this.invalidate({ queryKey: MIGRATION_LISTS_KEY });
  }

  /** The state a cached list page shows the migration in, if one does. */
  private stateInLists(id: string): string | undefined {
    for (const [, page] of this.queryClient.getQueriesData<Page<Migration>>({ queryKey: MIGRATION_LISTS_KEY })) {
      const row = page?.items.find((item) => item.id === id);
      if (row) return row.state;
    }
    return undefined;
  }
}
