import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
import type { AuditRecord } from '@cockpit/contracts';
import { UnitOfWork } from '@cockpit/api-core';
import { AuditRecordEntity } from './entities/audit-record.entity.js';
import { redact, safeText } from './redact.js';

export interface AuditEntry {
  actor: { type: 'user' | 'token' | 'anonymous'; id: string | null; name: string };
  sourceIp: string;
  action: string;
  target?: string | null;
  params?: unknown;
  result: 'success' | 'failure' | 'denied';
  status: number;
  requestId: string;
}

export interface AuditFilter {
  actor?: string;
  action?: string;
  target?: string;
  from?: string;
  to?: string;
  before?: string;
  limit: number;
}

/** Writes and reads the append-only audit log. Other modules record through this, never the table. */
@Injectable()
export class AuditService {
  private readonly logger = new Logger('Audit');
  private readonly listeners: ((record: AuditEntry & { id: string }) => void)[] = [];

  constructor(
    @InjectRepository(AuditRecordEntity) private readonly records: Repository<AuditRecordEntity>,
    private readonly unitOfWork: UnitOfWork,
  ) {}

  /**
   * Called after each record is durable (the event hub announces it, and re-checks access after
   * access changes): inside a request's unit of work, only once it has committed.
   */
  onRecorded(listener: (record: AuditEntry & { id: string }) => void): void {
    this.listeners.push(listener);
  }

  /**
   * Writes one record, in the caller's unit of work when there is one (so it commits with the
   * change or not at all). Every field is made storable and bounded first: a hostile value can
   * make the request fail validation, never the audit insert.
   */
  async record(entry: AuditEntry): Promise<void> {
    const inserted = await this.records.insert({
      actorType: entry.actor.type,
      actorId: entry.actor.id,
      actorName: safeText(entry.actor.name, 200),
      sourceIp: safeText(entry.sourceIp, 64),
      action: safeText(entry.action, 200),
      target: entry.target === undefined || entry.target === null ? null : safeText(entry.target, 500),
      // TypeORM's deep-partial type does not model jsonb objects; the value is a plain JSON object.
      params: redact(entry.params ?? {}) as QueryDeepPartialEntity<Record<string, unknown>>,
      result: entry.result,
      status: entry.status,
      requestId: safeText(entry.requestId, 128),
    });
    const id = String((inserted.identifiers[0] as { id?: unknown } | undefined)?.id ?? '');
    this.unitOfWork.afterCommit(() => {
      for (const listener of this.listeners) listener({ ...entry, id });
    });
  }

  /**
   * For refusals and failures, whose answer is already decided: a record that cannot be written is
   * logged (without its params) and never replaces the answer.
   */
  async recordSafely(entry: AuditEntry): Promise<boolean> {
    try {
      await this.record(entry);
      return true;
    } catch (error) {
      this.logger.error(
        { err: { message: (error as Error).message }, action: entry.action, status: entry.status, requestId: entry.requestId },
        'Could not write an audit record',
      );
      return false;
    }
  }

  async list(filter: AuditFilter): Promise<{ items: AuditRecord[]; nextBefore: string | null }> {
    const query = this.records
      .createQueryBuilder('a')
      .orderBy('a.id', 'DESC')
      .limit(filter.limit + 1);
    if (filter.actor) query.andWhere('a.actor_name = :actor', { actor: filter.actor });
    if (filter.action) query.andWhere('a.action = :action', { action: filter.action });
    if (filter.target) query.andWhere('a.target = :target', { target: filter.target });
    if (filter.from) query.andWhere('a.at >= :from', { from: filter.from });
    if (filter.to) query.andWhere('a.at < :to', { to: filter.to });
    if (filter.before) query.andWhere('a.id < :before', { before: filter.before });
    const rows = await query.getMany();
    const page = rows.slice(0, filter.limit);
    return { items: page.map(toRecord), nextBefore: rows.length > filter.limit ? (page.at(-1)?.id ?? null) : null };
  }
}

export function toRecord(row: AuditRecordEntity): AuditRecord {
  return {
    id: String(row.id),
    at: row.at.toISOString(),
    actor: { type: row.actorType, id: row.actorId, name: row.actorName },
    sourceIp: row.sourceIp,
    action: row.action,
    target: row.target,
    params: row.params,
    result: row.result,
    status: row.status,
    requestId: row.requestId,
  };
}
