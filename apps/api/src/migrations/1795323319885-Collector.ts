import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Collector1795323319885 implements MigrationInterface {
  name = 'Collector1795323319885';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "api_instances" ("id" text NOT NULL, "started_at" TIMESTAMP WITH TIME ZONE NOT NULL, "heartbeat_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_16f6d28a202e1f2a22d4ed03f51" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`ALTER TABLE "hosts" ADD "owner_instance" text`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "hosts" DROP COLUMN "owner_instance"`);
    await queryRunner.query(`DROP TABLE "api_instances"`);
  }
}
