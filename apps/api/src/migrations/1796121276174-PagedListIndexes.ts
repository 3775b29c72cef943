import type { MigrationInterface, QueryRunner } from 'typeorm';

export class PagedListIndexes1796121276174 implements MigrationInterface {
  name = 'PagedListIndexes1796121276174';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX "hosts_state_name_id" ON "hosts"  ("state", "name", "id") `);
    await queryRunner.query(`CREATE INDEX "hosts_name_id" ON "hosts"  ("name", "id") `);
    await queryRunner.query(`CREATE INDEX "vms_created_id" ON "vms"  ("created_at", "id") `);
    await queryRunner.query(`CREATE INDEX "vms_state_name_id" ON "vms"  ("state", "name", "id") `);
    await queryRunner.query(`CREATE INDEX "vms_name_id" ON "vms"  ("name", "id") `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."vms_name_id"`);
    await queryRunner.query(`DROP INDEX "public"."vms_state_name_id"`);
    await queryRunner.query(`DROP INDEX "public"."vms_created_id"`);
    await queryRunner.query(`DROP INDEX "public"."hosts_name_id"`);
    await queryRunner.query(`DROP INDEX "public"."hosts_state_name_id"`);
  }
}
