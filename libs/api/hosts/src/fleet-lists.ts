import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { AccessService } from '@cockpit/api-access';
import { containsPattern, keysetPage, type SortField } from '@cockpit/api-core';
import type { FleetVm, Grant, Host, HostState, Page, VmState } from '@cockpit/contracts';
import { HostEntity } from './entities/host.entity.js';
import { toHostSummary, type SummaryRow } from './hosts.service.js';
import { toFleetVm, VM_SELECT, type VmRow } from './inventory.service.js';
import { VmCounts } from './vm-counts.js';

interface PageRequest {
  limit: number;
  cursor?: string;
  sort: string;
}

const HOST_SELECT = `
  SELECT h.*, hw.cpu_model, hw.sockets * hw.cores_per_socket * hw.threads_per_core AS cpu_threads,
    hw.memory_total_mib, COALESCE(v.total, 0)::int AS vm_count, COALESCE(v.running, 0)::int AS vms_running
  FROM hosts h
  LEFT JOIN host_hardware hw ON hw.host_id = h.id
  LEFT JOIN LATERAL (SELECT count(*) AS total, count(*) FILTER (WHERE state = 'running') AS running
                     FROM vms WHERE host_id = h.id) v ON true`;

const hostFields: Record<string, SortField<SummaryRow>> = {
  name: { sql: 'h.name', value: (row) => row.name },
  state: { sql: 'h.state', value: (row) => row.state },
  createdAt: { sql: 'h.created_at', value: (row) => row.created_at.toISOString() },
};
const hostId: SortField<SummaryRow> = { sql: 'h.id', value: (row) => row.id };

const vmFields: Record<string, SortField<VmRow>> = {
  name: { sql: 'v.name', value: (row) => row.name },
  state: { sql: 'v.state', value: (row) => row.state },
  hostName: { sql: 'h.name', value: (row) => row.host_name },
  createdAt: { sql: 'v.created_at', value: (row) => row.created_at.toISOString() },
};
const vmId: SortField<VmRow> = { sql: 'v.id', value: (row) => row.id };

/**
 * The fleet's lists, a page at a time, filtered in SQL to what the caller may view: keyset paging
 * on (sort field, id) so every page costs the same, with the total over all pages.
 */
@Injectable()
export class FleetLists {
  constructor(@InjectRepository(HostEntity) private readonly hosts: Repository<HostEntity>) {}

  async hostsPage(grants: readonly Grant[], query: PageRequest & { name?: string; state?: HostState }): Promise<Page<Host>> {
    const where: string[] = [];
    const params: unknown[] = [];
    const visible = AccessService.visibility(grants, 'host.view');
    if (!visible.all) where.push(`h.id = ANY($${params.push(visible.hostIds)}::uuid[])`);
    if (query.name) where.push(`h.name ILIKE $${params.push(containsPattern(query.name))}`);
    if (query.state) where.push(`h.state = $${params.push(query.state)}`);
    return keysetPage(
      (text, params) => this.hosts.query(text, params),
      {
        select: HOST_SELECT,
        countFrom: 'FROM hosts h',
        where,
        params,
        sort: query.sort,
        fields: hostFields,
        id: hostId,
        limit: query.limit,
        cursor: query.cursor,
      },
      toHostSummary,
    );
  }

  async vmsPage(
    grants: readonly Grant[],
    query: PageRequest & { hostId?: string; state?: VmState; name?: string },
  ): Promise<Page<FleetVm>> {
    const where: string[] = [];
    const params: unknown[] = [];
    const visible = AccessService.visibility(grants, 'vm.view');
    if (!visible.all)
      where.push(
        `(v.host_id = ANY($${params.push(visible.hostIds)}::uuid[]) OR v.id = ANY($${params.push(visible.vmIds)}::uuid[]))`,
      );
    if (query.hostId) where.push(`v.host_id = $${params.push(query.hostId)}`);
    if (query.state) where.push(`v.state = $${params.push(query.state)}`);
    if (query.name) where.push(`v.name ILIKE $${params.push(containsPattern(query.name))}`);
    return keysetPage(
      (text, params) => this.hosts.query(text, params),
      {
        select: VM_SELECT,
        countFrom: 'FROM vms v',
        where,
        params,
        sort: query.sort,
        fields: vmFields,
        id: vmId,
        limit: query.limit,
        cursor: query.cursor,
        // Without a name filter the total is a sum of maintained counts, not a count over every VM.
        count: query.name ? undefined : VmCounts.countSql({ state: query.state, hostId: query.hostId, visible }),
      },
      toFleetVm,
    );
  }
}
