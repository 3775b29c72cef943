import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Hosts1795322734301 implements MigrationInterface {
  name = 'Hosts1795322734301';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "hosts" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "url" text NOT NULL, "name" text NOT NULL, "token" text NOT NULL, "fingerprint" text NOT NULL, "state" text NOT NULL, "state_reason" text, "enabled" boolean NOT NULL DEFAULT true, "host_uuid" uuid, "agent_version" text, "info" jsonb, "last_seen_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_f5a0e07ec6511c67c17041c2d77" UNIQUE ("url"), CONSTRAINT "PK_c4bcf0826e0e2847faee4da1746" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "hosts_host_uuid" ON "hosts"  ("host_uuid") WHERE "host_uuid" IS NOT NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."hosts_host_uuid"`);
    await queryRunner.query(`DROP TABLE "hosts"`);
  }
}
