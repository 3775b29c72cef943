import { z } from 'zod';
import { defineRoute } from './route.js';

export const AuditRecord = z
  .object({
    id: z.string().meta({ description: 'Increasing; use as a cursor' }),
    at: z.iso.datetime(),
    actor: z.object({ type: z.enum(['user', 'token', 'anonymous']), id: z.uuid().nullable(), name: z.string() }),
    sourceIp: z.string(),
    action: z.string().meta({ description: 'The route id, e.g. "login", "createVm"' }),
    target: z.string().nullable(),
    params: z.record(z.string(), z.unknown()).meta({ description: 'Request parameters, secrets redacted' }),
    result: z.enum(['success', 'failure', 'denied']),
    status: z.number().int(),
    requestId: z.string(),
  })
  .meta({ id: 'AuditRecord' });
export type AuditRecord = z.infer<typeof AuditRecord>;

export const AuditQuery = z.object({
  actor: z.string().max(64).optional(),
  action: z.string().max(64).optional(),
  target: z.string().max(256).optional(),
  from: z.iso.datetime().optional(),
  to: z.iso.datetime().optional(),
  before: z.string().regex(/^\d+$/, 'a record id').optional().meta({ description: 'Page: records older than this id' }),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const AuditPage = z.object({ items: z.array(AuditRecord), nextBefore: z.string().nullable() });

export const listAudit = defineRoute({
  id: 'listAudit',
  method: 'get',
  path: '/api/audit',
  summary: 'Audit records, newest first, filtered and paged',
  tag: 'Audit',
  access: { permission: 'audit.view' },
  query: AuditQuery,
  response: AuditPage,
});

export const exportAudit = defineRoute({
  id: 'exportAudit',
  method: 'get',
  path: '/api/audit/export.csv',
  summary: 'The same filtered records as CSV (up to 100,000)',
  tag: 'Audit',
  access: { permission: 'audit.view' },
  query: AuditQuery.omit({ before: true, limit: true }),
  response: z.string(),
  produces: 'text/csv; charset=utf-8',
});
