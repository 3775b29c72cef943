import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { AccessService, type Visibility } from '@cockpit/api-access';
import type { FleetSummary, Grant, HostState, VmState } from '@cockpit/contracts';
import { HostEntity } from './entities/host.entity.js';

const ATTENTION: HostState[] = ['unreachable', 'untrusted', 'error', 'pending-trust'];

/** `host_id = ANY(...) OR id = ANY(...)` for what the caller may view, with its parameters. */
function visibleFilter(visible: Visibility, hostColumn: string, vmColumn?: string): { sql: string; params: unknown[] } {
  if (visible.all) return { sql: 'true', params: [] };
  if (!vmColumn) return { sql: `${hostColumn} = ANY($1::uuid[])`, params: [visible.hostIds] };
  return { sql: `(${hostColumn} = ANY($1::uuid[]) OR ${vmColumn} = ANY($2::uuid[]))`, params: [visible.hostIds, visible.vmIds] };
}

/** The dashboard's numbers, computed in SQL over what the caller may view. */
@Injectable()
export class FleetSummaryService {
  constructor(@InjectRepository(HostEntity) private readonly hosts: Repository<HostEntity>) {}

  async summary(grants: readonly Grant[]): Promise<FleetSummary> {
    const hostsSeen = visibleFilter(AccessService.visibility(grants, 'host.view'), 'h.id');
    const vmsSeen = visibleFilter(AccessService.visibility(grants, 'vm.view'), 'v.host_id', 'v.id');
    const q = <T>(text: string, params: unknown[]) => this.hosts.query(text, params) as Promise<T[]>;
    const [hostStates, capacity, topHosts, attention, vmStates, vcpus, topVms] = await Promise.all([
      q<{ state: HostState; n: number }>(
        `SELECT state, count(*)::int AS n FROM hosts h WHERE ${hostsSeen.sql} GROUP BY state`,
        hostsSeen.params,
      ),
      q<{ threads: number; memory_total: number; memory_used: number }>(
        `SELECT COALESCE(sum(hw.sockets * hw.cores_per_socket * hw.threads_per_core), 0)::int AS threads,
                COALESCE(sum(hw.memory_total_mib), 0)::float8 AS memory_total,
                COALESCE(sum(h.memory_used_mib), 0)::float8 AS memory_used
         FROM hosts h LEFT JOIN host_hardware hw ON hw.host_id = h.id WHERE ${hostsSeen.sql}`,
        hostsSeen.params,
      ),
      q<{ id: string; name: string; cpu_percent: number; memory_used_mib: number }>(
        `SELECT id, name, cpu_percent, COALESCE(memory_used_mib, 0) AS memory_used_mib FROM hosts h
         WHERE ${hostsSeen.sql} AND state = 'connected' AND cpu_percent IS NOT NULL
         ORDER BY cpu_percent DESC, id LIMIT 5`,
        hostsSeen.params,
      ),
      q<{ id: string; name: string; state: HostState; state_reason: string | null }>(
        `SELECT id, name, state, state_reason FROM hosts h WHERE ${hostsSeen.sql} AND state = ANY($${hostsSeen.params.length + 1}::text[])
         ORDER BY name, id`,
        [...hostsSeen.params, ATTENTION],
      ),
      q<{ state: VmState; n: number }>(
        `SELECT state, count(*)::int AS n FROM vms v WHERE ${vmsSeen.sql} GROUP BY state`,
        vmsSeen.params,
      ),
      q<{ n: number }>(
        `SELECT COALESCE(sum(vcpus), 0)::int AS n FROM vms v WHERE ${vmsSeen.sql} AND state <> 'shutoff'`,
        vmsSeen.params,
      ),
      q<{ id: string; name: string; host_id: string; host_name: string; cpu_percent: number }>(
        `SELECT v.id, v.name, v.host_id, h.name AS host_name, v.cpu_percent FROM vms v JOIN hosts h ON h.id = v.host_id
         WHERE ${vmsSeen.sql} AND v.state = 'running' AND v.cpu_percent IS NOT NULL
         ORDER BY v.cpu_percent DESC, v.id LIMIT 5`,
        vmsSeen.params,
      ),
    ]);
    const byState = <T extends string>(rows: { state: T; n: number }[]) =>
      Object.fromEntries(rows.map((row) => [row.state, row.n])) as Partial<Record<T, number>>;
    const total = (rows: { n: number }[]) => rows.reduce((sum, row) => sum + row.n, 0);
    return {
      hosts: { total: total(hostStates), byState: byState(hostStates) },
      vms: { total: total(vmStates), byState: byState(vmStates) },
      capacity: {
        cpuThreads: capacity[0]?.threads ?? 0,
        vcpusAllocated: vcpus[0]?.n ?? 0,
        memoryTotalMiB: capacity[0]?.memory_total ?? 0,
        memoryUsedMiB: Math.round(capacity[0]?.memory_used ?? 0),
      },
      topHosts: topHosts.map((h) => ({ id: h.id, name: h.name, cpuPercent: h.cpu_percent, memoryUsedMiB: h.memory_used_mib })),
      topVms: topVms.map((v) => ({
        id: v.id,
        name: v.name,
        hostId: v.host_id,
        hostName: v.host_name,
        cpuPercent: v.cpu_percent,
      })),
      attention: attention.map((h) => ({ id: h.id, name: h.name, state: h.state, stateReason: h.state_reason })),
    };
  }
}
