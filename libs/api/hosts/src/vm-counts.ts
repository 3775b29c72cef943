import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Visibility } from '@cockpit/api-access';
import type { VmState } from '@cockpit/contracts';

/** Deltas are folded into the counts this often (by one instance at a time). */
const FOLD_EVERY_MS = 2_000;
const FOLD_LOCK = 0x564d4353; // "VMCS"

/**
 * Totals of the VM list from the per-host, per-state counts the `vms` triggers keep (see
 * vm-counts.entities.ts): a sum over hosts instead of a count over every VM, exact and
 * transactional (a request sees the counts of what it sees of `vms`).
 */
@Injectable()
export class VmCounts implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('VmCounts');
  private timer?: NodeJS.Timeout;

  constructor(private readonly dataSource: DataSource) {}

  onModuleInit(): void {
    this.timer = setInterval(() => {
      this.fold().catch((error: unknown) => this.logger.warn(`Folding VM counts failed: ${(error as Error).message}`));
    }, FOLD_EVERY_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** Moves the deltas committed so far into the counts; answers how many delta rows it folded (0 if another instance is at it). */
  async fold(): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const [lock] = (await manager.query('SELECT pg_try_advisory_xact_lock($1) AS locked', [FOLD_LOCK])) as {
        locked: boolean;
      }[];
      if (!lock?.locked) return 0;
      const [moved] = (await manager.query(
        `WITH moved AS (DELETE FROM vm_count_deltas RETURNING host_id, state, delta),
              sums AS (SELECT host_id, state, sum(delta)::int AS n, count(*)::int AS rows FROM moved GROUP BY host_id, state),
              applied AS (INSERT INTO vm_state_counts (host_id, state, n) SELECT host_id, state, n FROM sums ORDER BY host_id, state
                          ON CONFLICT (host_id, state) DO UPDATE SET n = vm_state_counts.n + EXCLUDED.n RETURNING 1)
         SELECT COALESCE((SELECT sum(rows) FROM sums), 0)::int AS rows, (SELECT count(*) FROM applied)::int AS applied`,
      )) as { rows: number }[];
      await manager.query('DELETE FROM vm_state_counts WHERE n = 0');
      return moved?.rows ?? 0;
    });
  }

  /**
   * The count statement for the VM list's filters (state, host) and a caller's visibility: the
   * hosts' counts, plus VMs granted one by one on hosts not otherwise visible.
   */
  static countSql(filter: { state?: VmState; hostId?: string; visible: Visibility }): { text: string; params: unknown[] } {
    const params: unknown[] = [];
    const conditions: string[] = [];
    const state = filter.state ? params.push(filter.state) : 0;
    const host = filter.hostId ? params.push(filter.hostId) : 0;
    if (state) conditions.push(`c.state = $${state}`);
    if (host) conditions.push(`c.host_id = $${host}`);
    let extra = '';
    if (!filter.visible.all) {
      const hosts = params.push(filter.visible.hostIds);
      conditions.push(`c.host_id = ANY($${hosts}::uuid[])`);
      if (filter.visible.vmIds.length) {
        const single = [`v.id = ANY($${params.push(filter.visible.vmIds)}::uuid[])`, `NOT (v.host_id = ANY($${hosts}::uuid[]))`];
        if (state) single.push(`v.state = $${state}`);
        if (host) single.push(`v.host_id = $${host}`);
        extra = ` + (SELECT count(*) FROM vms v WHERE ${single.join(' AND ')})`;
      }
    }
    const where = conditions.length ? `WHERE ${conditions.join(' AND ')}` : '';
    return {
      text: `SELECT (COALESCE((SELECT sum(n) FROM (SELECT c.n FROM vm_state_counts c ${where}
               UNION ALL SELECT c.delta FROM vm_count_deltas c ${where}) x), 0)${extra})::int AS total`,
      params,
    };
  }
}
