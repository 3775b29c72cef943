import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { UnitOfWork } from '@cockpit/api-core';
import {
  ACTIVE_MIGRATION_STATES,
  FINISHED_MIGRATION_STATES,
  type Migration,
  type MigrationProgress,
  type MigrationState,
  type MigrationType,
  type PreflightCheck,
  type ResolvedMigrateOptions,
  type StorageMove,
} from '@cockpit/contracts';
import type { MigrationActivity } from './preflight.js';

export interface MigrationRow {
  id: string;
  job_id: string;
  type: MigrationType;
  vm_id: string;
  vm_name: string;
  memory_mib: number;
  source_host_id: string;
  source_host_name: string;
  target_host_id: string;
  target_host_name: string;
  scope_chain: string[];
  options: ResolvedMigrateOptions;
  storage: StorageMove[];
  delete_source: boolean;
  state: MigrationState;
  reason: string | null;
  preflight: PreflightCheck[];
  progress: MigrationProgress | null;
  agent_job_id: string | null;
  cancel_requested: boolean;
  max_bandwidth_mbps: number | null;
  transferred_bytes: string;
  iterations: number;
  downtime_ms: number | null;
  origin: Migration['origin'];
  actor_id: string | null;
  actor_name: string;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

/** The row with its job's state, as the driver reads it every tick. */
export type DrivenRow = MigrationRow & { job_state: string };

export type NewMigration = Omit<
  MigrationRow,
  | 'state'
  | 'reason'
  | 'progress'
  | 'agent_job_id'
  | 'cancel_requested'
  | 'transferred_bytes'
  | 'iterations'
  | 'downtime_ms'
  | 'created_at'
  | 'started_at'
  | 'finished_at'
>;

const iso = (value: Date | null) => (value ? value.toISOString() : null);

export function toMigration(row: MigrationRow): Migration {
  const finished = row.finished_at && row.started_at ? row.finished_at.getTime() - row.started_at.getTime() : null;
  return {
    id: row.id,
    jobId: row.job_id,
    type: row.type,
    vmId: row.vm_id,
    vmName: row.vm_name,
    source: { id: row.source_host_id, name: row.source_host_name },
    target: { id: row.target_host_id, name: row.target_host_name },
    options: { ...row.options, maxBandwidthMBps: row.max_bandwidth_mbps },
    storage: row.storage,
    deleteSource: row.delete_source,
    state: row.state,
    cancelRequested: row.cancel_requested,
    reason: row.reason,
    preflight: row.preflight,
    progress: row.progress,
    transferredBytes: Number(row.transferred_bytes),
    iterations: row.iterations,
    downtimeMs: row.downtime_ms,
    origin: row.origin,
    actor: { id: row.actor_id, name: row.actor_name },
    createdAt: row.created_at.toISOString(),
    startedAt: iso(row.started_at),
    finishedAt: iso(row.finished_at),
    durationMs: finished,
  };
}

const ACTIVE = [...ACTIVE_MIGRATION_STATES];

export interface UnderWay {
  id: string;
  vmId: string;
  sourceHostId: string;
  targetHostId: string;
  type: MigrationType;
  state: MigrationState;
  memoryMiB: number;
}

/** The same counts as `MigrationStore.activity`, from rows already read. */
export function activityFrom(
  rows: readonly UnderWay[],
  input: { vmId: string; sourceHostId: string; targetHostId: string; self?: string },
): MigrationActivity {
  const activity: MigrationActivity = { outbound: 0, inbound: 0, fleet: 0, inboundMemoryMiB: 0, vmBusy: false };
  for (const row of rows) {
    if (row.id === input.self) continue;
    if (row.vmId === input.vmId) activity.vmBusy = true;
    const compute = row.type !== 'storage';
    if (compute && ACTIVE.includes(row.state)) {
      activity.fleet++;
      if (row.sourceHostId === input.sourceHostId) activity.outbound++;
      if (row.targetHostId === input.targetHostId) activity.inbound++;
    }
    if (compute && row.type !== 'offline' && row.state !== 'completing' && row.targetHostId === input.targetHostId)
      activity.inboundMemoryMiB += row.memoryMiB;
  }
  return activity;
}
const UNFINISHED = ['queued', ...ACTIVE];

/** Serialises slot claims fleet-wide (one transaction at a time decides who may start). */
const SLOT_LOCK = 0x4d494752; // "MIGR"

/**
 * The migrations table, in SQL: written by the requests that queue migrations (in their unit of
 * work) and by the instance driving each one.
 */
@Injectable()
export class MigrationStore {
  constructor(
    private readonly dataSource: DataSource,
    private readonly unitOfWork: UnitOfWork,
  ) {}

  private get db(): Pick<EntityManager, 'query'> {
    return this.unitOfWork.manager ?? this.dataSource;
  }

  async insert(rows: readonly NewMigration[]): Promise<void> {
    await this.db.query(
      `INSERT INTO migrations (id, job_id, type, vm_id, vm_name, memory_mib, source_host_id, source_host_name, target_host_id,
         target_host_name, scope_chain, options, storage, delete_source, preflight, max_bandwidth_mbps, origin, actor_id, actor_name)
       SELECT x.id, x.job_id, x.type, x.vm_id, x.vm_name, x.memory_mib, x.source_host_id, x.source_host_name, x.target_host_id,
         x.target_host_name, ARRAY(SELECT jsonb_array_elements_text(x.scope_chain)), x.options, x.storage, x.delete_source,
         x.preflight, x.max_bandwidth_mbps, x.origin, x.actor_id, x.actor_name
       FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, job_id uuid, type text, vm_id uuid, vm_name text, memory_mib int,
         source_host_id uuid, source_host_name text, target_host_id uuid, target_host_name text, scope_chain jsonb, options jsonb,
         storage jsonb, delete_source boolean, preflight jsonb, max_bandwidth_mbps double precision, origin text, actor_id uuid,
         actor_name text)`,
      [JSON.stringify(rows)],
    );
  }

  async get(id: string): Promise<MigrationRow | undefined> {
    const [row] = (await this.db.query('SELECT * FROM migrations WHERE id = $1', [id])) as MigrationRow[];
    return row;
  }

  async getForUpdate(id: string): Promise<MigrationRow | undefined> {
    const [row] = (await this.db.query('SELECT * FROM migrations WHERE id = $1 FOR UPDATE', [id])) as MigrationRow[];
    return row;
  }

  /** The row and its job's state (a cancelled job stops its migrations). */
  async driven(id: string): Promise<DrivenRow | undefined> {
    const [row] = (await this.dataSource.query(
      'SELECT m.*, j.state AS job_state FROM migrations m JOIN jobs j ON j.id = m.job_id WHERE m.id = $1',
      [id],
    )) as DrivenRow[];
    return row;
  }

  async update(id: string, fields: Partial<Record<keyof MigrationRow, unknown>>): Promise<MigrationRow> {
    const keys = Object.keys(fields);
    const values = keys.map((key) => {
      const value = fields[key as keyof MigrationRow];
      return value !== null && typeof value === 'object' && !(value instanceof Date) ? JSON.stringify(value) : value;
    });
    const set = keys.map((key, index) => `${key} = $${index + 2}`).join(', ');
    const result = (await this.db.query(`UPDATE migrations SET ${set} WHERE id = $1 RETURNING *`, [id, ...values])) as [
      MigrationRow[],
      number,
    ];
    const [row] = result[0];
    if (!row) throw new Error(`No migration ${id}`);
    return row;
  }

  /** Marks it finished, unless it already is (answers the row either way). */
  async finish(
    id: string,
    state: Extract<MigrationState, 'succeeded' | 'failed' | 'cancelled'>,
    reason: string | null,
    extra: Partial<Record<keyof MigrationRow, unknown>> = {},
  ): Promise<MigrationRow> {
    const current = await this.get(id);
    if (!current) throw new Error(`No migration ${id}`);
    if (FINISHED_MIGRATION_STATES.includes(current.state)) return current;
    return this.update(id, { ...extra, state, reason, finished_at: new Date() });
  }

  /** Every migration not finished (plans and the matrix count activity from these, in memory). */
  async unfinished(): Promise<UnderWay[]> {
    return (await this.db.query(
      `SELECT id, vm_id AS "vmId", source_host_id AS "sourceHostId", target_host_id AS "targetHostId", type, state, memory_mib AS "memoryMiB"
       FROM migrations WHERE state = ANY($1)`,
      [UNFINISHED],
    )) as UnderWay[];
  }

  /** What is under way around one VM move (`self` excluded), for its checks. */
  async activity(input: { vmId: string; sourceHostId: string; targetHostId: string; self?: string }): Promise<MigrationActivity> {
    const [row] = (await this.db.query(
      `SELECT count(*) FILTER (WHERE state = ANY($5) AND type <> 'storage' AND source_host_id = $2)::int AS outbound,
              count(*) FILTER (WHERE state = ANY($5) AND type <> 'storage' AND target_host_id = $3)::int AS inbound,
              count(*) FILTER (WHERE state = ANY($5) AND type <> 'storage')::int AS fleet,
              COALESCE(sum(memory_mib) FILTER (WHERE target_host_id = $3 AND type NOT IN ('storage', 'offline') AND state <> 'completing'), 0)::int AS inbound_mib,
              COALESCE(bool_or(vm_id = $1), false) AS vm_busy
       FROM migrations WHERE state = ANY($6) AND id <> $4`,
      [
        input.vmId,
        input.sourceHostId,
        input.targetHostId,
        input.self ?? '00000000-0000-0000-0000-000000000000',
        ACTIVE,
        UNFINISHED,
      ],
    )) as { outbound: number; inbound: number; fleet: number; inbound_mib: number; vm_busy: boolean }[];
    return {
      outbound: row?.outbound ?? 0,
      inbound: row?.inbound ?? 0,
      fleet: row?.fleet ?? 0,
      inboundMemoryMiB: row?.inbound_mib ?? 0,
      vmBusy: row?.vm_busy ?? false,
    };
  }

  /**
   * Runs `decide` while no other instance decides who starts (one advisory lock, held to the end
   * of the transaction): the counts it reads cannot change under it.
   */
  async underSlotLock<T>(decide: () => Promise<T>): Promise<T> {
    return this.unitOfWork.run(async () => {
      await this.db.query('SELECT pg_advisory_xact_lock($1)', [SLOT_LOCK]);
      return decide();
    });
  }

  /** Queued migrations whose job was cancelled before an instance took it (no driver will end them). */
  async sweepOrphans(): Promise<number> {
    const result = (await this.dataSource.query(
      `UPDATE migrations m SET state = 'cancelled', reason = 'its job was cancelled before it started', finished_at = now()
       FROM jobs j WHERE j.id = m.job_id AND m.state = 'queued' AND j.state IN ('cancelled', 'failed', 'succeeded')`,
    )) as [unknown[], number];
    return result[1];
  }

  /** The highest number of compute migrations active at once, by source and target and overall (the benchmark's oracle). */
  async activeCounts(): Promise<{ bySource: Map<string, number>; byTarget: Map<string, number>; fleet: number }> {
    const rows = (await this.dataSource.query(
      `SELECT source_host_id, target_host_id FROM migrations WHERE state = ANY($1) AND type <> 'storage'`,
      [ACTIVE],
    )) as { source_host_id: string; target_host_id: string }[];
    const bySource = new Map<string, number>();
    const byTarget = new Map<string, number>();
    for (const row of rows) {
      bySource.set(row.source_host_id, (bySource.get(row.source_host_id) ?? 0) + 1);
      byTarget.set(row.target_host_id, (byTarget.get(row.target_host_id) ?? 0) + 1);
    }
    return { bySource, byTarget, fleet: rows.length };
  }
}
