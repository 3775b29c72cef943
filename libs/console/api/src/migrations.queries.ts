import { queryOptions } from '@tanstack/react-query';
import {
  evacuateHost,
  getMigration,
  listMigrations,
  preflightMatrix,
  preflightMigration,
  rebalanceHosts,
  type MigrateOptions,
  type RouteQuery,
} from '@cockpit/contracts';
import { callApi } from './api-fetch.js';

export type MigrationListQuery = RouteQuery<typeof listMigrations>;

/** Every cached migration list page, whatever its filters. */
export const MIGRATION_LISTS_KEY = ['migrations', 'list'] as const;

export const migrationsPageQuery = (query: MigrationListQuery = {}) =>
  queryOptions({
    queryKey: [...MIGRATION_LISTS_KEY, query] as const,
    queryFn: ({ signal }) => callApi(listMigrations, { signal, query }),
  });

export const migrationKey = (migrationId: string) => ['migrations', 'detail', migrationId] as const;

/** One migration; live events write its state and progress into this entry as they come. */
export const migrationQuery = (migrationId: string) =>
  queryOptions({
    queryKey: migrationKey(migrationId),
    queryFn: ({ signal }) => callApi(getMigration, { signal, params: { migrationId } }),
  });

/**
 * Pre-flight answers and plans are reads (POSTs only for their bodies), cached under this prefix:
 * asked again whenever shown (they hold only for now), and kept a minute at most.
 */
export const MIGRATION_CHECKS_KEY = ['migrations', 'checks'] as const;

/** One VM against every host the user may view (its own host left out), with these options. */
export const preflightMatrixQuery = (vmId: string, options: MigrateOptions) =>
  queryOptions({
    queryKey: [...MIGRATION_CHECKS_KEY, 'matrix', vmId, options] as const,
    queryFn: ({ signal }) => callApi(preflightMatrix, { signal, body: { vmIds: [vmId], options } }),
    staleTime: 0,
    gcTime: 60_000,
  });

/** One VM against one host, with these options. */
export const preflightQuery = (vmId: string, targetHostId: string, options: MigrateOptions) =>
  queryOptions({
    queryKey: [...MIGRATION_CHECKS_KEY, 'one', vmId, targetHostId, options] as const,
    queryFn: ({ signal }) => callApi(preflightMigration, { signal, body: { vmId, targetHostId, options } }),
    staleTime: 0,
    gcTime: 60_000,
  });

/** What evacuating the host would do (a dry run: nothing moves). */
export const evacuationPlanQuery = (hostId: string, options: MigrateOptions = {}) =>
  queryOptions({
    queryKey: [...MIGRATION_CHECKS_KEY, 'evacuation', hostId, options] as const,
    queryFn: ({ signal }) => callApi(evacuateHost, { signal, params: { hostId }, body: { dryRun: true, options } }),
    staleTime: 0,
    gcTime: 60_000,
  });

/** What rebalancing these hosts would do, at most `maxMoves` moves (a dry run). */
export const rebalancePlanQuery = (hostIds: readonly string[], maxMoves: number, options: MigrateOptions = {}) =>
  queryOptions({
    queryKey: [...MIGRATION_CHECKS_KEY, 'rebalance', [...hostIds].sort(), maxMoves, options] as const,
    queryFn: ({ signal }) =>
      callApi(rebalanceHosts, { signal, body: { hostIds: [...hostIds], dryRun: true, maxMoves, options } }),
    staleTime: 0,
    gcTime: 60_000,
  });
