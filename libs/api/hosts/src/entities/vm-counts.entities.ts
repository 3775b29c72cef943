import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

/**
 * How many VMs each host has in each state, kept by a trigger on `vms` so a list's total is a sum
 * over hosts, not a count over every VM (count(*) of 80,000 running VMs took 24 ms; bench:api-list).
 * Changes land as rows in `vm_count_deltas` (appends only: concurrent writers never wait on a
 * counter row, so they cannot deadlock on one) and are folded into `vm_state_counts` every few
 * seconds by one instance at a time; a total is the sum of both.
 */
@Entity('vm_state_counts')
export class VmStateCountEntity {
  @PrimaryColumn({ name: 'host_id', type: 'uuid' })
  hostId!: string;

  @PrimaryColumn({ type: 'text' })
  state!: string;

  @Column({ type: 'int' })
  n!: number;
}

@Entity('vm_count_deltas')
export class VmCountDeltaEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'host_id', type: 'uuid' })
  hostId!: string;

  @Column({ type: 'text' })
  state!: string;

  @Column({ type: 'int' })
  delta!: number;
}

export const vmCountEntities = [VmStateCountEntity, VmCountDeltaEntity];
