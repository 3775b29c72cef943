import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Inventory1795326522792 implements MigrationInterface {
  name = 'Inventory1795326522792';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "host_hardware" ("host_id" uuid NOT NULL, "cpu_vendor" text NOT NULL, "cpu_model" text NOT NULL, "cpu_features" text array NOT NULL, "sockets" integer NOT NULL, "cores_per_socket" integer NOT NULL, "threads_per_core" integer NOT NULL, "memory_total_mib" integer NOT NULL, "memory_free_mib" integer NOT NULL, "numa" jsonb NOT NULL, "hypervisor_name" text NOT NULL, "hypervisor_version" text NOT NULL, "hypervisor_driver" text NOT NULL, "booted_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_dd0685286de75a2604d96dfb7f0" PRIMARY KEY ("host_id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "host_pools" ("host_id" uuid NOT NULL, "pool_id" text NOT NULL, "type" text NOT NULL, "capacity_bytes" bigint NOT NULL, "free_bytes" bigint NOT NULL, CONSTRAINT "PK_c2f803498a3ef89d10ada8e8c45" PRIMARY KEY ("host_id", "pool_id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "host_networks" ("host_id" uuid NOT NULL, "network_id" text NOT NULL, "type" text NOT NULL, "vlan" integer, "mtu" integer NOT NULL, CONSTRAINT "PK_135dae2aef94c1a19dd92dc8d45" PRIMARY KEY ("host_id", "network_id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "vms" ("id" uuid NOT NULL, "host_id" uuid NOT NULL, "name" text NOT NULL, "state" text NOT NULL, "vcpus" integer NOT NULL, "memory_mib" integer NOT NULL, "cpu_model" text NOT NULL, "cpu_features" text array NOT NULL, "generation" integer NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL, "cpu_percent" real, "memory_used_mib" real, "stats_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_cc4544535b57023c558e999ceb8" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "vms_host_id" ON "vms"  ("host_id") `);
    await queryRunner.query(
      `CREATE TABLE "vm_disks" ("vm_id" uuid NOT NULL, "disk_id" text NOT NULL, "pool_id" text NOT NULL, "size_bytes" bigint NOT NULL, "allocated_bytes" bigint NOT NULL, "format" text NOT NULL, "bus" text NOT NULL, CONSTRAINT "PK_a860b0e3349f495d60d3674dc29" PRIMARY KEY ("vm_id", "disk_id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "vm_nics" ("vm_id" uuid NOT NULL, "nic_id" text NOT NULL, "network_id" text NOT NULL, "mac" text NOT NULL, "model" text NOT NULL, CONSTRAINT "PK_2322b39a6bf3ea41ce4a18345db" PRIMARY KEY ("vm_id", "nic_id"))`,
    );
    await queryRunner.query(`ALTER TABLE "hosts" DROP COLUMN "info"`);
    await queryRunner.query(`ALTER TABLE "hosts" ADD "cpu_percent" real`);
    await queryRunner.query(`ALTER TABLE "hosts" ADD "memory_used_mib" real`);
    await queryRunner.query(`ALTER TABLE "hosts" ADD "stats_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(
      `ALTER TABLE "host_hardware" ADD CONSTRAINT "FK_dd0685286de75a2604d96dfb7f0" FOREIGN KEY ("host_id") REFERENCES "hosts"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "host_pools" ADD CONSTRAINT "FK_bfcb3ab326b29971db2af7b68f6" FOREIGN KEY ("host_id") REFERENCES "hosts"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "host_networks" ADD CONSTRAINT "FK_e1f03d79df0e434cccb3ead1d89" FOREIGN KEY ("host_id") REFERENCES "hosts"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "vms" ADD CONSTRAINT "FK_d249b7e1730640e7186ddcbfa48" FOREIGN KEY ("host_id") REFERENCES "hosts"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "vm_disks" ADD CONSTRAINT "FK_49f04b3d3597f89c7ba79896c97" FOREIGN KEY ("vm_id") REFERENCES "vms"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "vm_nics" ADD CONSTRAINT "FK_755833c994241543d3d86a2b8c6" FOREIGN KEY ("vm_id") REFERENCES "vms"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "vm_nics" DROP CONSTRAINT "FK_755833c994241543d3d86a2b8c6"`);
    await queryRunner.query(`ALTER TABLE "vm_disks" DROP CONSTRAINT "FK_49f04b3d3597f89c7ba79896c97"`);
    await queryRunner.query(`ALTER TABLE "vms" DROP CONSTRAINT "FK_d249b7e1730640e7186ddcbfa48"`);
    await queryRunner.query(`ALTER TABLE "host_networks" DROP CONSTRAINT "FK_e1f03d79df0e434cccb3ead1d89"`);
    await queryRunner.query(`ALTER TABLE "host_pools" DROP CONSTRAINT "FK_bfcb3ab326b29971db2af7b68f6"`);
    await queryRunner.query(`ALTER TABLE "host_hardware" DROP CONSTRAINT "FK_dd0685286de75a2604d96dfb7f0"`);
    await queryRunner.query(`ALTER TABLE "hosts" DROP COLUMN "stats_at"`);
    await queryRunner.query(`ALTER TABLE "hosts" DROP COLUMN "memory_used_mib"`);
    await queryRunner.query(`ALTER TABLE "hosts" DROP COLUMN "cpu_percent"`);
    await queryRunner.query(`ALTER TABLE "hosts" ADD "info" jsonb`);
    await queryRunner.query(`DROP TABLE "vm_nics"`);
    await queryRunner.query(`DROP TABLE "vm_disks"`);
    await queryRunner.query(`DROP INDEX "public"."vms_host_id"`);
    await queryRunner.query(`DROP TABLE "vms"`);
    await queryRunner.query(`DROP TABLE "host_networks"`);
    await queryRunner.query(`DROP TABLE "host_pools"`);
    await queryRunner.query(`DROP TABLE "host_hardware"`);
  }
}
