import { Controller, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import type { z } from 'zod';
import { Route } from '@cockpit/api-core';
import { AuditQuery, exportAudit, listAudit, type AuditRecord } from '@cockpit/contracts';
import { AuditService } from './audit.service.js';

const CSV_COLUMNS = [
  'id',
  'at',
  'actor_type',
  'actor',
  'source_ip',
  'action',
  'target',
  'result',
  'status',
  'request_id',
  'params',
] as const;

function csvCell(value: unknown): string {
  const text = value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  // Quote everything; neutralise spreadsheet formulas (=, +, -, @ at the start).
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return `"${safe.replace(/"/g, '""')}"`;
}

function csvLine(record: AuditRecord): string {
  return [
    record.id,
    record.at,
    record.actor.type,
    record.actor.name,
    record.sourceIp,
    record.action,
    record.target,
    record.result,
    record.status,
    record.requestId,
    record.params,
  ]
    .map(csvCell)
    .join(',');
}

@Controller()
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Route(listAudit)
  list(@Query() query: z.output<typeof AuditQuery>) {
    return this.audit.list(query);
  }

  @Route(exportAudit)
  async export(
    @Query() query: Omit<z.output<typeof AuditQuery>, 'before' | 'limit'>,
    @Res({ passthrough: true }) response: Response,
  ): Promise<string> {
    response.setHeader('Content-Disposition', 'attachment; filename="cockpit-audit.csv"');
    const lines = [CSV_COLUMNS.join(',')];
    let before: string | undefined;
    for (let fetched = 0; fetched < 100_000;) {
      const page = await this.audit.list({ ...query, before, limit: 500 });
      lines.push(...page.items.map(csvLine));
      fetched += page.items.length;
      if (!page.nextBefore) break;
      before = page.nextBefore;
    }
    return `${lines.join('\r\n')}\r\n`;
  }
}
