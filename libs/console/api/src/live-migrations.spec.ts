import { describe, expect, it } from '@jest/globals';
import { QueryClient, type InvalidateQueryFilters } from '@tanstack/react-query';
import type { Host, Migration, Page } from '@cockpit/contracts';
import { MigrationUpdateBatch, type MigrationUpdate } from './live-migrations.js';
import { MIGRATION_LISTS_KEY, migrationKey } from './migrations.queries.js';
import { fleetOf, makeMigration, makeProgress, makeVm } from './testing.js';

const [source, target] = fleetOf(2) as [Host, Host];
const running = makeMigration(1, makeVm(1, source), target);
const other = makeMigration(2, makeVm(2, source), target, { state: 'queued', progress: null });
const listKey = [...MIGRATION_LISTS_KEY, { active: 'true' }];

function setUp() {
  const queryClient = new QueryClient();
  queryClient.setQueryData(migrationKey(running.id), running);
  queryClient.setQueryData<Page<Migration>>(listKey, { items: [running, other], total: 2, nextCursor: null });
  const invalidated: InvalidateQueryFilters[] = [];
  const batch = new MigrationUpdateBatch(queryClient, (filters) => invalidated.push(filters), 0);
  const flushed = () => new Promise((resolve) => setTimeout(resolve, 5));
  const update = (migration: Migration, changes: Partial<MigrationUpdate>): MigrationUpdate => ({
    migrationId: migration.id,
    vmId: migration.vmId,
    state: migration.state,
    reason: migration.reason,
    progress: migration.progress,
    ...changes,
  });
  const detail = () => queryClient.getQueryData<Migration>(migrationKey(running.id));
  const rows = () => queryClient.getQueryData<Page<Migration>>(listKey)?.items ?? [];
  return { batch, invalidated, flushed, update, detail, rows };
}

describe('migration updates from live events', () => {
  it('write the progress into the migration and its rows, reading nothing again while the state holds', async () => {
    const { batch, invalidated, flushed, update, detail, rows } = setUp();
    const later = makeProgress(30);
    batch.add(update(running, { progress: makeProgress(20) }));
    batch.add(update(running, { progress: later }));
    await flushed();
    expect(detail()?.progress).toEqual(later);
    expect(detail()?.iterations).toBe(later.iteration);
    expect(rows()[0]?.progress).toEqual(later);
    expect(invalidated).toEqual([]);

    // An older sample (a replay) is not applied.
    batch.add(update(running, { progress: makeProgress(25) }));
    await flushed();
    expect(detail()?.progress).toEqual(later);
  });

  it('read the migration and the lists again when its state changes, or for one not seen yet', async () => {
    const { batch, invalidated, flushed, update, detail, rows } = setUp();
    batch.add(update(running, { state: 'completing' }));
    batch.add(update(other, { state: 'running', progress: makeProgress(1) }));
    await flushed();
    expect(detail()?.state).toBe('completing');
    expect(rows().map((row) => row.state)).toEqual(['completing', 'running']);
    expect(invalidated).toEqual([
      { queryKey: migrationKey(running.id), exact: true },
      { queryKey: migrationKey(other.id), exact: true },
      { queryKey: MIGRATION_LISTS_KEY },
    ]);

    invalidated.length = 0;
    const unseen = makeMigration(3, makeVm(3, source), target);
    batch.add(update(unseen, {}));
    await flushed();
    expect(invalidated).toContainEqual({ queryKey: MIGRATION_LISTS_KEY });
  });
});
