import { Column, Entity, Index, JoinColumn, ManyToOne, OneToMany, PrimaryColumn } from 'typeorm';
import { vmCountEntities } from './vm-counts.entities.js';
import type { VmState } from '@cockpit/contracts';
import { bigintAsNumber } from './bigint.js';
import { HostEntity } from './host.entity.js';

/** What a host is made of, from its last /v1/host answer (one row per host). */
@Entity('host_hardware')
export class HostHardwareEntity {
  @PrimaryColumn({ name: 'host_id', type: 'uuid' })
  hostId!: string;

  @ManyToOne(() => HostEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'host_id' })
  host?: HostEntity;

  @Column({ name: 'cpu_vendor', type: 'text' })
  cpuVendor!: string;

  @Column({ name: 'cpu_model', type: 'text' })
  cpuModel!: string;

  @Column({ name: 'cpu_features', type: 'text', array: true })
  cpuFeatures!: string[];

  @Column({ type: 'int' })
  sockets!: number;

  @Column({ name: 'cores_per_socket', type: 'int' })
  coresPerSocket!: number;

  @Column({ name: 'threads_per_core', type: 'int' })
  threadsPerCore!: number;

  @Column({ name: 'memory_total_mib', type: 'int' })
  memoryTotalMiB!: number;

  @Column({ name: 'memory_free_mib', type: 'int' })
  memoryFreeMiB!: number;

  @Column({ type: 'jsonb' })
  numa!: { id: number; cpus: number[]; memoryMiB: number }[];

  @Column({ name: 'hypervisor_name', type: 'text' })
  hypervisorName!: string;

  @Column({ name: 'hypervisor_version', type: 'text' })
  hypervisorVersion!: string;

  @Column({ name: 'hypervisor_driver', type: 'text' })
  hypervisorDriver!: string;

  @Column({ name: 'booted_at', type: 'timestamptz' })
  bootedAt!: Date;
}

@Entity('host_pools')
export class HostPoolEntity {
  @PrimaryColumn({ name: 'host_id', type: 'uuid' })
  hostId!: string;

  @PrimaryColumn({ name: 'pool_id', type: 'text' })
  poolId!: string;

  @ManyToOne(() => HostEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'host_id' })
  host?: HostEntity;

  @Column({ type: 'text' })
  type!: 'local' | 'shared';

  @Column({ name: 'capacity_bytes', type: 'bigint', transformer: bigintAsNumber })
  capacityBytes!: number;

  @Column({ name: 'free_bytes', type: 'bigint', transformer: bigintAsNumber })
  freeBytes!: number;
}

@Entity('host_networks')
export class HostNetworkEntity {
  @PrimaryColumn({ name: 'host_id', type: 'uuid' })
  hostId!: string;

  @PrimaryColumn({ name: 'network_id', type: 'text' })
  networkId!: string;

  @ManyToOne(() => HostEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'host_id' })
  host?: HostEntity;

  @Column({ type: 'text' })
  type!: 'bridge';

  @Column({ type: 'int', nullable: true })
  vlan!: number | null;

  @Column({ type: 'int' })
  mtu!: number;
}

/** A VM where its host last reported it. A migrated VM moves to its new host's id. */
@Entity('vms')
// Keyset paging of GET /api/vms: each sort with the id as tie-breaker, and the usual state filter.
@Index('vms_name_id', ['name', 'id'])
@Index('vms_state_name_id', ['state', 'name', 'id'])
@Index('vms_created_id', ['createdAt', 'id'])
// A user who sees a few hosts: their page is read host by host in name order (FleetLists.vmsPage).
@Index('vms_host_name_id', ['hostId', 'name', 'id'])
@Index('vms_host_state_name_id', ['hostId', 'state', 'name', 'id'])
export class VmEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'host_id', type: 'uuid' })
  hostId!: string;

  @ManyToOne(() => HostEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'host_id' })
  host?: HostEntity;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  state!: VmState;

  @Column({ type: 'int' })
  vcpus!: number;

  @Column({ name: 'memory_mib', type: 'int' })
  memoryMiB!: number;

  @Column({ name: 'cpu_model', type: 'text' })
  cpuModel!: string;

  @Column({ name: 'cpu_features', type: 'text', array: true })
  cpuFeatures!: string[];

  @Column({ type: 'boolean', default: false })
  autostart!: boolean;

  @Column({ name: 'boot_order', type: 'text', array: true, default: () => "'{disk,network}'" })
  bootOrder!: string[];

  /** Changes a running VM took for its next cold start (the Vapor API's `pendingChanges`). */
  @Column({ name: 'pending_changes', type: 'jsonb', default: () => "'{}'" })
  pendingChanges!: Record<string, unknown>;

  @Column({ name: 'snapshot_count', type: 'int', default: 0 })
  snapshotCount!: number;

  @Column({ type: 'int' })
  generation!: number;

  /** When the host says the VM was created / last changed. */
  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  @Column({ name: 'cpu_percent', type: 'real', nullable: true })
  cpuPercent!: number | null;

  @Column({ name: 'memory_used_mib', type: 'real', nullable: true })
  memoryUsedMiB!: number | null;

  @Column({ name: 'stats_at', type: 'timestamptz', nullable: true })
  statsAt!: Date | null;

  @OneToMany(() => VmDiskEntity, (disk) => disk.vm)
  disks?: VmDiskEntity[];

  @OneToMany(() => VmNicEntity, (nic) => nic.vm)
  nics?: VmNicEntity[];
}

@Entity('vm_disks')
export class VmDiskEntity {
  @PrimaryColumn({ name: 'vm_id', type: 'uuid' })
  vmId!: string;

  @PrimaryColumn({ name: 'disk_id', type: 'text' })
  diskId!: string;

  @ManyToOne(() => VmEntity, (vm) => vm.disks, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'vm_id' })
  vm?: VmEntity;

  @Column({ name: 'pool_id', type: 'text' })
  poolId!: string;

  @Column({ name: 'size_bytes', type: 'bigint', transformer: bigintAsNumber })
  sizeBytes!: number;

  @Column({ name: 'allocated_bytes', type: 'bigint', transformer: bigintAsNumber })
  allocatedBytes!: number;

  @Column({ type: 'text' })
  format!: 'qcow2' | 'raw';

  @Column({ type: 'text' })
  bus!: 'virtio' | 'scsi' | 'sata';
}

@Entity('vm_nics')
export class VmNicEntity {
  @PrimaryColumn({ name: 'vm_id', type: 'uuid' })
  vmId!: string;

  @PrimaryColumn({ name: 'nic_id', type: 'text' })
  nicId!: string;

  @ManyToOne(() => VmEntity, (vm) => vm.nics, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'vm_id' })
  vm?: VmEntity;

  @Column({ name: 'network_id', type: 'text' })
  networkId!: string;

  @Column({ type: 'text' })
  mac!: string;

  @Column({ type: 'text' })
  model!: 'virtio' | 'e1000';
}

export const inventoryEntities = [
  HostHardwareEntity,
  HostPoolEntity,
  HostNetworkEntity,
  VmEntity,
  VmDiskEntity,
  VmNicEntity,
  ...vmCountEntities,
];
