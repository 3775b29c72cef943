import { z } from 'zod';

/**
 * Bounds of every figure a host reports in a stats frame. The api stores them in `real` columns
 * and sums them in rollups: a value outside these (1e300, NaN, a negative rate) is a lie or a bug,
 * and must cost only its own row (see checkStatsRows), never the frame or anyone's batch.
 */
export const STATS_LIMITS = {
  /** Share of the whole host (host row) or of the VM's vCPUs (VM row), like `top` per core group. */
  cpuPercent: 100,
  /** 2^31 - 1 MiB (2 PiB): the largest memory size any of our integer columns holds. */
  memoryUsedMiB: 2 ** 31 - 1,
  /** Bytes per second, below 2^53 (exact in a double). */
  rateBps: Number.MAX_SAFE_INTEGER,
} as const;

const Rate = z.number().nonnegative().max(STATS_LIMITS.rateBps);

export const HostStats = z.object({
  cpuPercent: z.number().min(0).max(STATS_LIMITS.cpuPercent),
  memoryUsedMiB: z.number().nonnegative().max(STATS_LIMITS.memoryUsedMiB),
  diskReadBps: Rate,
  diskWriteBps: Rate,
  netRxBps: Rate,
  netTxBps: Rate,
});
export type HostStats = z.infer<typeof HostStats>;

export const VmStats = z.object({ vmId: z.uuid(), ...HostStats.shape });
export type VmStats = z.infer<typeof VmStats>;

/** At most this many VM rows in one frame (a host runs far fewer VMs). */
export const MAX_STATS_ROWS = 10_000;

/**
 * The stats frame as it travels. Its rows are not checked here but one by one by the receiver
 * (checkStatsRows), so one bad row is dropped and counted while the rest of the frame is kept.
 */
export const StatsFrame = z.object({
  host: z.unknown().meta({ description: 'HostStats; checked on its own' }),
  vms: z.array(z.unknown()).max(MAX_STATS_ROWS).meta({ description: 'VmStats per running VM; each checked on its own' }),
  intervalMs: z.number().int().positive().max(86_400_000),
});

export type StatsRejectReason = 'not_a_number' | 'not_integer' | 'negative' | 'too_large' | 'duplicate' | 'invalid';

export interface StatsRejection {
  kind: 'host' | 'vm';
  reason: StatsRejectReason;
  /** The offending field (`cpuPercent`, `vmId`...), or `row` when the row is not an object at all. */
  field: string;
}

function reasonOf(issue: z.core.$ZodIssue | undefined): StatsRejectReason {
  if (!issue) return 'invalid';
  if (issue.code === 'too_big') return 'too_large';
  if (issue.code === 'too_small') return 'negative';
  if (issue.code === 'invalid_type' && issue.expected === 'int') return 'not_integer';
  if (issue.code === 'invalid_type' && issue.expected === 'number') return 'not_a_number';
  return 'invalid';
}

function check<T extends z.ZodType>(
  schema: T,
  kind: StatsRejection['kind'],
  row: unknown,
  rejected: StatsRejection[],
): z.output<T> | undefined {
  const parsed = schema.safeParse(row);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  rejected.push({ kind, reason: reasonOf(issue), field: issue?.path.length ? issue.path.map(String).join('.') : 'row' });
  return undefined;
}

/**
 * Splits a stats frame into the rows that hold sane numbers and the rejected ones (with why).
 * A VM reported twice in one frame keeps its first row.
 */
export function checkStatsRows(frame: { host: unknown; vms: readonly unknown[] }): {
  host: HostStats | undefined;
  vms: VmStats[];
  rejected: StatsRejection[];
} {
  const rejected: StatsRejection[] = [];
  const host = check(HostStats, 'host', frame.host, rejected);
  const vms: VmStats[] = [];
  const seen = new Set<string>();
  for (const row of frame.vms) {
    const vm = check(VmStats, 'vm', row, rejected);
    if (!vm) continue;
    if (seen.has(vm.vmId)) {
      rejected.push({ kind: 'vm', reason: 'duplicate', field: 'vmId' });
      continue;
    }
    seen.add(vm.vmId);
    vms.push(vm);
  }
  return { host, vms, rejected };
}
