import {
  FINISHED_MIGRATION_STATES,
  type Migration,
  type MigrationState,
  type MigrationType,
  type PreflightCheckName,
  type ResolvedMigrateOptions,
} from '@cockpit/contracts';
import { formatRate, NONE } from '@cockpit/console-ui';

export const MiB = 1024 ** 2;
/** Dirty pages are 4 KiB pages. */
export const PAGE_BYTES = 4096;

export const TYPE_LABEL: Record<MigrationType, string> = {
  'shared-storage': 'Live, shared storage',
  'shared-nothing': 'Live, shared nothing (disks copied)',
  offline: 'Offline',
  storage: 'Storage (disks to other pools)',
};

export const CHECK_LABEL: Record<PreflightCheckName, string> = {
  state: 'State',
  permissions: 'Permissions',
  target: 'Target host',
  storage: 'Storage',
  network: 'Network',
  cpu: 'CPU',
  memory: 'Memory',
  concurrency: 'Concurrency',
};

export const isFinished = (migration: Pick<Migration, 'state'>) => FINISHED_MIGRATION_STATES.includes(migration.state);

/** Still to run or running: a queued one waits for a slot. */
export const ACTIVE_OR_WAITING: readonly MigrationState[] = ['queued', 'preflight', 'running', 'completing'];

/** "1.2 s", "4 min 12 s", "1 h 3 min"; — when unknown. */
export function formatSeconds(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return NONE;
  if (seconds < 60) return `${seconds < 10 ? seconds.toFixed(1) : Math.round(seconds)} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
  return `${Math.floor(seconds / 3600)} h ${Math.round((seconds % 3600) / 60)} min`;
}

export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return NONE;
  return ms < 1000 ? `${Math.round(ms)} ms` : formatSeconds(ms / 1000);
}

/** A bandwidth in the api's unit (MiB/s, `maxBandwidthMBps`); null is no limit. */
export function formatBandwidth(mibPerSecond: number | null | undefined): string {
  if (mibPerSecond === undefined) return NONE;
  return mibPerSecond === null ? 'unlimited' : formatRate(mibPerSecond * MiB);
}

/** Each resolved option as the wizard and a migration's record show it. */
export function describeOptions(options: ResolvedMigrateOptions): { term: string; value: string }[] {
  const yesNo = (value: boolean) => (value ? 'yes' : 'no');
  return [
    { term: 'Live', value: yesNo(options.live) },
    { term: 'Persistent on the target', value: yesNo(options.persistent) },
    { term: 'Undefine on the source', value: yesNo(options.undefineSource) },
    { term: 'Auto-converge', value: yesNo(options.autoConverge) },
    { term: 'Bandwidth limit', value: formatBandwidth(options.maxBandwidthMBps) },
    { term: 'Downtime limit', value: formatMs(options.downtimeLimitMs) },
    { term: 'Copy storage', value: yesNo(options.copyStorage) },
  ];
}

/**
 * How far it is, 0–100: what is left to send against the whole (dirtied pages are sent again, so
 * the bytes sent may pass the total); undefined before the first progress.
 */
export function percentDone(migration: Pick<Migration, 'progress' | 'state'>): number | undefined {
  if (migration.state === 'succeeded') return 100;
  const { progress } = migration;
  if (!progress || !progress.totalBytes) return undefined;
  return Math.max(0, Math.min(100, (1 - progress.remainingBytes / progress.totalBytes) * 100));
}
