import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { EVENT_REPLAY_WINDOW_MS, type CockpitEvent, type CockpitEventType } from '@cockpit/contracts';

const MAX_REPLAY = 10_000;

/** An event on its way out: its type, data and the rooms it goes to. */
export interface PendingEvent {
  type: CockpitEventType;
  data: Record<string, unknown>;
  rooms: string[];
}

/**
 * Where events are kept for an hour (stats frames excepted) so clients that reconnect, on any
 * instance, get what they missed; and the one sequence every event takes its number from.
 */
@Injectable()
export class EventStore {
  private readonly logger = new Logger('Events');

  constructor(private readonly dataSource: DataSource) {}

  /** Stored events get their sequence from the INSERT; stats frames take numbers from the same sequence. */
  async append(batch: readonly PendingEvent[]): Promise<CockpitEvent[]> {
    const stored = batch.filter((e) => e.type !== 'stats');
    const stats = batch.length - stored.length;
    const rows = stored.length
      ? ((await this.dataSource.query(
          `INSERT INTO events (type, rooms, data)
           SELECT e->>'type', ARRAY(SELECT jsonb_array_elements_text(e->'rooms')), e->'data'
           FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS t(e, n) ORDER BY n
           RETURNING seq::float8 AS seq, ts`,
          [JSON.stringify(stored.map(({ type, rooms, data }) => ({ type, rooms, data })))],
        )) as { seq: number; ts: Date }[])
      : [];
    const numbers = stats
      ? ((await this.dataSource.query(
          `SELECT nextval(pg_get_serial_sequence('events', 'seq'))::float8 AS seq FROM generate_series(1, $1)`,
          [stats],
        )) as { seq: number }[])
      : [];
    const now = new Date().toISOString();
    let s = 0;
    let n = 0;
    return batch.map((pending) => {
      if (pending.type === 'stats') {
        return { seq: numbers[n++]?.seq ?? 0, ts: now, type: pending.type, data: pending.data } as CockpitEvent;
      }
      const row = rows[s++];
      return { seq: row?.seq ?? 0, ts: row?.ts.toISOString() ?? now, type: pending.type, data: pending.data } as CockpitEvent;
    });
  }

  /**
   * Events a reconnecting client missed: after its last sequence, plus 1 s before it (events from
   * other instances can arrive slightly out of sequence order; clients drop duplicates by `seq`).
   */
  async replay(since: number, rooms: string[]): Promise<{ events: CockpitEvent[]; resync: boolean }> {
    const [bounds] = (await this.dataSource.query(
      `SELECT min(seq)::float8 AS oldest, (SELECT last_value::float8 FROM events_seq_seq) AS newest FROM events`,
    )) as [{ oldest: number | null; newest: number }];
    const pruned = bounds.oldest === null ? since < bounds.newest : since < bounds.oldest - 1;
    if (since > bounds.newest || pruned) return { events: [], resync: true };
    const rows = (await this.dataSource.query(
      `SELECT seq::float8 AS seq, ts, type, data FROM events
       WHERE rooms && $2::text[]
         AND (seq > $1 OR ts >= (SELECT ts FROM events WHERE seq <= $1 ORDER BY seq DESC LIMIT 1) - interval '1 second')
       ORDER BY seq LIMIT ${MAX_REPLAY + 1}`,
      [since, rooms],
    )) as { seq: number; ts: Date; type: CockpitEventType; data: Record<string, unknown> }[];
    if (rows.length > MAX_REPLAY) return { events: [], resync: true };
    return {
      events: rows.map((row) => ({ seq: row.seq, ts: row.ts.toISOString(), type: row.type, data: row.data }) as CockpitEvent),
      resync: false,
    };
  }

  /** Stored events after `seq` for these rooms, oldest first (what a polling stream sends next). */
  async after(seq: number, rooms: string[], limit = 1000): Promise<CockpitEvent[]> {
    const rows = (await this.dataSource.query(
      `SELECT seq::float8 AS seq, ts, type, data FROM events WHERE seq > $1 AND rooms && $2::text[] ORDER BY seq LIMIT $3`,
      [seq, rooms, limit],
    )) as { seq: number; ts: Date; type: CockpitEventType; data: Record<string, unknown> }[];
    return rows.map((row) => ({ seq: row.seq, ts: row.ts.toISOString(), type: row.type, data: row.data }) as CockpitEvent);
  }

  async currentSeq(): Promise<number> {
    const [row] = (await this.dataSource.query('SELECT last_value::float8 AS seq FROM events_seq_seq')) as [{ seq: number }];
    return row.seq;
  }

  async prune(): Promise<void> {
    await this.dataSource
      .query(`DELETE FROM events WHERE ts < now() - make_interval(secs => $1)`, [EVENT_REPLAY_WINDOW_MS / 1000])
      .catch((error: Error) => this.logger.warn(`Pruning events failed: ${error.message}`));
  }
}
