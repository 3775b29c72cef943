import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { containsPattern, NotFoundError, UnitOfWork } from '@cockpit/api-core';
import { AccessService, type Visibility } from '@cockpit/api-access';
import { hostScopeChain, vmScopeChain, type FleetVm, type HostInfo, type Vm, type VmState } from '@cockpit/contracts';

export interface LatestStats {
  id: string;
  cpuPercent: number;
  memoryUsedMiB: number;
  at: Date;
}

export interface VmRow {
  id: string;
  host_id: string;
  host_name: string;
  name: string;
  state: VmState;
  vcpus: number;
  memory_mib: number;
  cpu_model: string;
  cpu_features: string[];
  autostart: boolean;
  boot_order: FleetVm['bootOrder'];
  pending_changes: FleetVm['pendingChanges'];
  snapshot_count: number;
  generation: number;
  created_at: Date;
  updated_at: Date;
  cpu_percent: number | null;
  memory_used_mib: number | null;
  stats_at: Date | null;
  disks: FleetVm['disks'] | null;
  nics: FleetVm['nics'] | null;
}

export const VM_SELECT = `
  SELECT v.*, h.name AS host_name,
    (SELECT json_agg(json_build_object('id', d.disk_id, 'poolId', d.pool_id, 'sizeBytes', d.size_bytes,
        'allocatedBytes', d.allocated_bytes, 'format', d.format, 'bus', d.bus) ORDER BY d.disk_id)
     FROM vm_disks d WHERE d.vm_id = v.id) AS disks,
    (SELECT json_agg(json_build_object('id', n.nic_id, 'networkId', n.network_id, 'mac', n.mac, 'model', n.model) ORDER BY n.nic_id)
     FROM vm_nics n WHERE n.vm_id = v.id) AS nics
  FROM vms v JOIN hosts h ON h.id = v.host_id`;

export function toFleetVm(row: VmRow): FleetVm {
  return {
    id: row.id,
    hostId: row.host_id,
    hostName: row.host_name,
    name: row.name,
    state: row.state,
    vcpus: row.vcpus,
    memoryMiB: row.memory_mib,
    cpu: { model: row.cpu_model, features: row.cpu_features },
    disks: row.disks ?? [],
    nics: row.nics ?? [],
    autostart: row.autostart,
    bootOrder: row.boot_order,
    pendingChanges: row.pending_changes,
    snapshotCount: row.snapshot_count,
    generation: row.generation,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    stats:
      row.stats_at && row.cpu_percent !== null && row.memory_used_mib !== null
        ? { cpuPercent: row.cpu_percent, memoryUsedMiB: row.memory_used_mib, at: row.stats_at.toISOString() }
        : null,
  };
}

export interface VmRef {
  id: string;
  name: string;
  hostId: string;
  state: VmState;
  generation: number;
}

/** What placement and pre-flight checks read of a host: its state and room as last reported. */
export interface HostCapacity {
  hostId: string;
  name: string;
  state: string;
  enabled: boolean;
  freeMemoryMiB: number;
  totalMemoryMiB: number;
  cpuThreads: number;
  cpuModel: string;
  cpuFeatures: string[];
  pools: { id: string; type: string; freeBytes: number }[];
  networks: string[];
}

/**
 * The normalised inventory (hardware, pools, bridges, VMs, disks, NICs) as the hosts last reported
 * it. Written by the collector that owns each host; read by the API. Batch writes go through
 * jsonb_to_recordset so a whole host is one statement per table.
 */
@Injectable()
export class InventoryService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly unitOfWork: UnitOfWork,
    access: AccessService,
  ) {
    // Where hosts and VMs sit, for the guard, lists and event rooms (a grant on a host covers its VMs).
    access.registerKind('host', {
      view: 'host.view',
      label: 'host',
      resolve: async (hostId) => {
        const [row] = (await this.dataSource.query('SELECT 1 FROM hosts WHERE id = $1', [hostId])) as unknown[];
        return row ? hostScopeChain(hostId) : undefined;
      },
    });
    access.registerKind('vm', {
      view: 'vm.view',
      label: 'VM',
      resolve: async (vmId) => {
        const [row] = (await this.dataSource.query('SELECT host_id FROM vms WHERE id = $1', [vmId])) as { host_id: string }[];
        return row ? vmScopeChain(vmId, row.host_id) : undefined;
      },
    });
  }

  /** Reads join the caller's unit of work, so a request sees what it just wrote. */
  private get db(): Pick<DataSource, 'query'> {
    return this.unitOfWork.manager ?? this.dataSource;
  }

  /** A full resync: the host's hardware, pools, networks and exactly this set of VMs. */
  async syncHost(hostId: string, info: HostInfo, vms: readonly Vm[]): Promise<void> {
    await this.unitOfWork.transaction(async (manager) => {
      await this.writeHardware(manager, hostId, info);
      await this.upsertVms(manager, hostId, vms);
      await manager.query('DELETE FROM vms WHERE host_id = $1 AND NOT (id = ANY($2::uuid[]))', [hostId, vms.map((vm) => vm.id)]);
    });
  }

  /** After a `host.changed` event: hardware, pools and networks only. */
  async syncHardware(hostId: string, info: HostInfo): Promise<void> {
    await this.unitOfWork.transaction((manager) => this.writeHardware(manager, hostId, info));
  }

  async upsertVm(hostId: string, vm: Vm): Promise<void> {
    await this.unitOfWork.transaction((manager) => this.upsertVms(manager, hostId, [vm]));
  }

  /**
   * A host's answer about a VM the inventory has (after an action): written like `upsertVm`, but
   * never bringing back a VM the collector deleted meanwhile (a transient VM gone when it stopped).
   */
  async refreshVm(hostId: string, vm: Vm): Promise<void> {
    await this.unitOfWork.transaction((manager) => this.upsertVms(manager, hostId, [vm], true));
  }

  /**
   * State changes of VMs on one host, in order, in one statement; answers the VMs that are on that
   * host (a VM that already moved away is left alone).
   */
  async setVmStates(
    hostId: string,
    changes: readonly { vmId: string; state: VmState; generation: number }[],
  ): Promise<Set<string>> {
    const last = new Map(changes.map((change) => [change.vmId, change])); // UPDATE ... FROM must match each row once
    const rows = (await this.dataSource.query(
      `UPDATE vms v SET state = x.state, generation = GREATEST(v.generation, x.generation)
       FROM jsonb_to_recordset($2::jsonb) AS x("vmId" uuid, state text, generation int)
       WHERE v.id = x."vmId" AND v.host_id = $1 RETURNING v.id`,
      [hostId, JSON.stringify([...last.values()])],
    )) as [{ id: string }[], number];
    return new Set(rows[0].map((row) => row.id));
  }

  /** A VM the host no longer has (deleted, or migrated away: then it already belongs to its new host). */
  async deleteVm(hostId: string, vmId: string): Promise<void> {
    await this.dataSource.query('DELETE FROM vms WHERE id = $1 AND host_id = $2', [vmId, hostId]);
  }

  /** The latest sample per host and per VM, one statement each (the collector calls this every few seconds). */
  async writeLatestStats(hosts: readonly LatestStats[], vms: readonly LatestStats[]): Promise<void> {
    const json = (rows: readonly LatestStats[]) =>
      JSON.stringify(rows.map((r) => ({ id: r.id, cpu: r.cpuPercent, mem: r.memoryUsedMiB, at: r.at.toISOString() })));
    if (hosts.length) {
      await this.dataSource.query(
        `UPDATE hosts h SET cpu_percent = x.cpu, memory_used_mib = x.mem, stats_at = x.at, last_seen_at = x.at
         FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, cpu real, mem real, at timestamptz) WHERE h.id = x.id`,
        [json(hosts)],
      );
    }
    if (vms.length) {
      await this.dataSource.query(
        `UPDATE vms v SET cpu_percent = x.cpu, memory_used_mib = x.mem, stats_at = x.at
         FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, cpu real, mem real, at timestamptz) WHERE v.id = x.id`,
        [json(vms)],
      );
    }
  }

  private async writeHardware(manager: EntityManager, hostId: string, info: HostInfo): Promise<void> {
    await manager.query(
      `INSERT INTO host_hardware (host_id, cpu_vendor, cpu_model, cpu_features, sockets, cores_per_socket, threads_per_core,
         memory_total_mib, memory_free_mib, numa, hypervisor_name, hypervisor_version, hypervisor_driver, booted_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
       ON CONFLICT (host_id) DO UPDATE SET cpu_vendor = EXCLUDED.cpu_vendor, cpu_model = EXCLUDED.cpu_model,
         cpu_features = EXCLUDED.cpu_features, sockets = EXCLUDED.sockets, cores_per_socket = EXCLUDED.cores_per_socket,
         threads_per_core = EXCLUDED.threads_per_core, memory_total_mib = EXCLUDED.memory_total_mib,
         memory_free_mib = EXCLUDED.memory_free_mib, numa = EXCLUDED.numa, hypervisor_name = EXCLUDED.hypervisor_name,
         hypervisor_version = EXCLUDED.hypervisor_version, hypervisor_driver = EXCLUDED.hypervisor_driver,
         booted_at = EXCLUDED.booted_at`,
      [
        hostId,
        info.cpu.vendor,
        info.cpu.model,
        info.cpu.features,
        info.cpu.sockets,
        info.cpu.coresPerSocket,
        info.cpu.threadsPerCore,
        info.memory.totalMiB,
        info.memory.freeMiB,
        JSON.stringify(info.numa),
        info.hypervisor.name,
        info.hypervisor.version,
        info.hypervisor.driver,
        info.bootedAt,
      ],
    );
    await manager.query('DELETE FROM host_pools WHERE host_id = $1', [hostId]);
    await manager.query(
      `INSERT INTO host_pools (host_id, pool_id, type, capacity_bytes, free_bytes)
       SELECT $1, x.id, x.type, x."capacityBytes", x."freeBytes"
       FROM jsonb_to_recordset($2::jsonb) AS x(id text, type text, "capacityBytes" bigint, "freeBytes" bigint)`,
      [hostId, JSON.stringify(info.pools)],
    );
    await manager.query('DELETE FROM host_networks WHERE host_id = $1', [hostId]);
    await manager.query(
      `INSERT INTO host_networks (host_id, network_id, type, vlan, mtu)
       SELECT $1, x.id, x.type, x.vlan, x.mtu FROM jsonb_to_recordset($2::jsonb) AS x(id text, type text, vlan int, mtu int)`,
      [hostId, JSON.stringify(info.networks)],
    );
    await manager.query(
      'UPDATE hosts SET name = $2, agent_version = $3, host_uuid = $4 WHERE id = $1 AND (name, agent_version, host_uuid) IS DISTINCT FROM ($2, $3, $4)',
      [hostId, info.hostname, info.agentVersion, info.uuid],
    );
  }

  /**
   * Upserts VMs onto a host. A VM that moved (migration) follows the newer report: a stale report
   * from its old host does not pull it back. On the same host an older generation does not
   * overwrite a newer one (a REST answer landing after the host's later event), unless the host's
   * own clock says it is newer (an agent that restarted and counts again).
   */
  private async upsertVms(manager: EntityManager, hostId: string, vms: readonly Vm[], onlyExisting = false): Promise<void> {
    if (!vms.length) return;
    const rows = vms.map((vm) => ({
      id: vm.id,
      name: vm.name,
      state: vm.state,
      vcpus: vm.vcpus,
      memory_mib: vm.memoryMiB,
      cpu_model: vm.cpu.model,
      cpu_features: vm.cpu.features,
      autostart: vm.autostart,
      boot_order: vm.bootOrder,
      pending_changes: vm.pendingChanges,
      snapshot_count: vm.snapshotCount,
      generation: vm.generation,
      created_at: vm.createdAt,
      updated_at: vm.updatedAt,
    }));
    const written = (await manager.query(
      `INSERT INTO vms (id, host_id, name, state, vcpus, memory_mib, cpu_model, cpu_features, autostart, boot_order,
         pending_changes, snapshot_count, generation, created_at, updated_at)
       SELECT x.id, $1, x.name, x.state, x.vcpus, x.memory_mib, x.cpu_model, x.cpu_features, x.autostart, x.boot_order,
         x.pending_changes, x.snapshot_count, x.generation, x.created_at, x.updated_at
       FROM jsonb_to_recordset($2::jsonb) AS x(id uuid, name text, state text, vcpus int, memory_mib int, cpu_model text,
         cpu_features text[], autostart boolean, boot_order text[], pending_changes jsonb, snapshot_count int,
         generation int, created_at timestamptz, updated_at timestamptz)
       ${onlyExisting ? 'WHERE EXISTS (SELECT 1 FROM vms e WHERE e.id = x.id)' : ''}
       ON CONFLICT (id) DO UPDATE SET host_id = EXCLUDED.host_id, name = EXCLUDED.name, state = EXCLUDED.state,
         vcpus = EXCLUDED.vcpus, memory_mib = EXCLUDED.memory_mib, cpu_model = EXCLUDED.cpu_model,
         cpu_features = EXCLUDED.cpu_features, autostart = EXCLUDED.autostart, boot_order = EXCLUDED.boot_order,
         pending_changes = EXCLUDED.pending_changes, snapshot_count = EXCLUDED.snapshot_count,
         generation = EXCLUDED.generation, created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at
       WHERE (vms.host_id = EXCLUDED.host_id AND (EXCLUDED.generation >= vms.generation OR EXCLUDED.updated_at > vms.updated_at))
          OR (vms.host_id <> EXCLUDED.host_id AND vms.updated_at <= EXCLUDED.updated_at
             -- A definition a migration left behind (undefineSource: false) never displaces the VM running elsewhere.
             AND (vms.state NOT IN ('running', 'paused', 'migrating') OR EXCLUDED.state IN ('running', 'paused', 'migrating')))
       RETURNING id`,
      [hostId, JSON.stringify(rows)],
    )) as { id: string }[];
    const ids = written.map((row) => row.id);
    if (!ids.length) return;
    const mine = new Set(ids);
    const disks = vms.filter((vm) => mine.has(vm.id)).flatMap((vm) => vm.disks.map((disk) => ({ ...disk, vmId: vm.id })));
    const nics = vms.filter((vm) => mine.has(vm.id)).flatMap((vm) => vm.nics.map((nic) => ({ ...nic, vmId: vm.id })));
    await manager.query('DELETE FROM vm_disks WHERE vm_id = ANY($1::uuid[])', [ids]);
    await manager.query('DELETE FROM vm_nics WHERE vm_id = ANY($1::uuid[])', [ids]);
    if (disks.length)
      await manager.query(
        `INSERT INTO vm_disks (vm_id, disk_id, pool_id, size_bytes, allocated_bytes, format, bus)
         SELECT x."vmId", x.id, x."poolId", x."sizeBytes", x."allocatedBytes", x.format, x.bus
         FROM jsonb_to_recordset($1::jsonb) AS x("vmId" uuid, id text, "poolId" text, "sizeBytes" bigint, "allocatedBytes" bigint, format text, bus text)`,
        [JSON.stringify(disks)],
      );
    if (nics.length)
      await manager.query(
        `INSERT INTO vm_nics (vm_id, nic_id, network_id, mac, model)
         SELECT x."vmId", x.id, x."networkId", x.mac, x.model
         FROM jsonb_to_recordset($1::jsonb) AS x("vmId" uuid, id text, "networkId" text, mac text, model text)`,
        [JSON.stringify(nics)],
      );
  }

  /**
   * VMs by ids or by the list's filters (name contains, state, host), optionally only those a
   * visibility allows, in name order, at most `limit`: what bulk actions select.
   */
  async vmRefs(
    select: { ids?: readonly string[]; hostId?: string; state?: VmState; name?: string; visible?: Visibility },
    limit: number,
  ): Promise<VmRef[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (select.ids) where.push(`v.id = ANY($${params.push(select.ids)}::uuid[])`);
    if (select.hostId) where.push(`v.host_id = $${params.push(select.hostId)}`);
    if (select.state) where.push(`v.state = $${params.push(select.state)}`);
    if (select.name) where.push(`v.name ILIKE $${params.push(containsPattern(select.name))}`);
    if (select.visible && !select.visible.all)
      where.push(
        `(v.host_id = ANY($${params.push(select.visible.hostIds)}::uuid[]) OR v.id = ANY($${params.push(select.visible.vmIds)}::uuid[]))`,
      );
    const rows = (await this.db.query(
      `SELECT v.id, v.name, v.host_id, v.state, v.generation FROM vms v ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY v.name, v.id LIMIT ${Math.max(1, Math.floor(limit))}`,
      params,
    )) as { id: string; name: string; host_id: string; state: VmState; generation: number }[];
    return rows.map((row) => ({ id: row.id, name: row.name, hostId: row.host_id, state: row.state, generation: row.generation }));
  }

  /** Room on hosts (all, or these), for placement and pre-flight checks. */
  async capacities(hostIds?: readonly string[]): Promise<HostCapacity[]> {
    const rows = (await this.db.query(
      `SELECT h.id, h.name, h.state, h.enabled, COALESCE(hw.memory_free_mib, 0) AS free_mib, COALESCE(hw.memory_total_mib, 0) AS total_mib,
         COALESCE(hw.sockets * hw.cores_per_socket * hw.threads_per_core, 0) AS threads, COALESCE(hw.cpu_model, '') AS model, COALESCE(hw.cpu_features, '{}') AS features,
         COALESCE((SELECT json_agg(json_build_object('id', p.pool_id, 'type', p.type, 'freeBytes', p.free_bytes)) FROM host_pools p WHERE p.host_id = h.id), '[]') AS pools,
         COALESCE((SELECT array_agg(n.network_id) FROM host_networks n WHERE n.host_id = h.id), '{}') AS networks
       FROM hosts h LEFT JOIN host_hardware hw ON hw.host_id = h.id
       ${hostIds ? 'WHERE h.id = ANY($1::uuid[])' : ''} ORDER BY h.name, h.id`,
      hostIds ? [hostIds] : [],
    )) as {
      id: string;
      name: string;
      state: string;
      enabled: boolean;
      free_mib: number;
      total_mib: number;
      threads: number;
      model: string;
      features: string[];
      pools: { id: string; type: string; freeBytes: number | string }[];
      networks: string[];
    }[];
    return rows.map((row) => ({
      hostId: row.id,
      name: row.name,
      state: row.state,
      enabled: row.enabled,
      freeMemoryMiB: Number(row.free_mib),
      totalMemoryMiB: Number(row.total_mib),
      cpuThreads: Number(row.threads),
      cpuModel: row.model,
      cpuFeatures: row.features,
      pools: row.pools.map((pool) => ({ id: pool.id, type: pool.type, freeBytes: Number(pool.freeBytes) })),
      networks: row.networks,
    }));
  }

  /** Every VM on these hosts, whole (evacuation and rebalancing plan with them). */
  async vmsOn(hostIds: readonly string[]): Promise<FleetVm[]> {
    const rows = (await this.db.query(`${VM_SELECT} WHERE v.host_id = ANY($1::uuid[]) ORDER BY v.name, v.id`, [
      hostIds,
    ])) as VmRow[];
    return rows.map(toFleetVm);
  }

  async getVm(vmId: string): Promise<FleetVm> {
    const [row] = (await this.db.query(`${VM_SELECT} WHERE v.id = $1`, [vmId])) as VmRow[];
    if (!row) throw new NotFoundError(`No VM ${vmId}`);
    return toFleetVm(row);
  }
}
