import type { MigrationInterface, QueryRunner } from 'typeorm';

/** VM migrations: one row per move (options, pre-flight answers, progress, result), driven as jobs. */
export class Migrations1796200000003 implements MigrationInterface {
  name = 'Migrations1796200000003';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "migrations" ("id" uuid NOT NULL, "job_id" uuid NOT NULL, "type" text NOT NULL, "vm_id" uuid NOT NULL, "vm_name" text NOT NULL, "memory_mib" integer NOT NULL, "source_host_id" uuid NOT NULL, "source_host_name" text NOT NULL, "target_host_id" uuid NOT NULL, "target_host_name" text NOT NULL, "scope_chain" text array NOT NULL, "options" jsonb NOT NULL, "storage" jsonb NOT NULL DEFAULT '[]', "delete_source" boolean NOT NULL DEFAULT true, "state" text NOT NULL DEFAULT 'queued', "reason" text, "preflight" jsonb NOT NULL DEFAULT '[]', "progress" jsonb, "agent_job_id" uuid, "cancel_requested" boolean NOT NULL DEFAULT false, "max_bandwidth_mbps" double precision, "transferred_bytes" bigint NOT NULL DEFAULT '0', "iterations" integer NOT NULL DEFAULT '0', "downtime_ms" double precision, "origin" text NOT NULL, "actor_id" uuid, "actor_name" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "started_at" TIMESTAMP WITH TIME ZONE, "finished_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_8c82d7f526340ab734260ea46be" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "migrations_job" ON "migrations"  ("job_id") `);
    await queryRunner.query(`CREATE INDEX "migrations_state" ON "migrations"  ("state") `);
    await queryRunner.query(`CREATE INDEX "migrations_target_created" ON "migrations"  ("target_host_id", "created_at") `);
    await queryRunner.query(`CREATE INDEX "migrations_source_created" ON "migrations"  ("source_host_id", "created_at") `);
    await queryRunner.query(`CREATE INDEX "migrations_vm_created" ON "migrations"  ("vm_id", "created_at") `);
    await queryRunner.query(`CREATE INDEX "migrations_created_id" ON "migrations"  ("created_at", "id") `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."migrations_created_id"`);
    await queryRunner.query(`DROP INDEX "public"."migrations_vm_created"`);
    await queryRunner.query(`DROP INDEX "public"."migrations_source_created"`);
    await queryRunner.query(`DROP INDEX "public"."migrations_target_created"`);
    await queryRunner.query(`DROP INDEX "public"."migrations_state"`);
    await queryRunner.query(`DROP INDEX "public"."migrations_job"`);
    await queryRunner.query(`DROP TABLE "migrations"`);
  }
}
