import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A caller who sees a few hosts reads their VM page host by host, in name order: (host, name) and (host, state, name). */
export class VmHostIndexes1796200000005 implements MigrationInterface {
  name = 'VmHostIndexes1796200000005';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."vms_host_id"`);
    await queryRunner.query(`CREATE INDEX "vms_host_state_name_id" ON "vms"  ("host_id", "state", "name", "id") `);
    await queryRunner.query(`CREATE INDEX "vms_host_name_id" ON "vms"  ("host_id", "name", "id") `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."vms_host_name_id"`);
    await queryRunner.query(`DROP INDEX "public"."vms_host_state_name_id"`);
    await queryRunner.query(`CREATE INDEX "vms_host_id" ON "vms" USING btree ("host_id") `);
  }
}
