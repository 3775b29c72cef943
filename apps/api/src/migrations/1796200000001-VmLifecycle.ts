import type { MigrationInterface, QueryRunner } from 'typeorm';

/** What the Vapor API says of a VM since issue 12: autostart, boot order, staged changes, snapshot count. */
export class VmLifecycle1796200000001 implements MigrationInterface {
  name = 'VmLifecycle1796200000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "vms" ADD "autostart" boolean NOT NULL DEFAULT false`);
    await queryRunner.query(`ALTER TABLE "vms" ADD "boot_order" text array NOT NULL DEFAULT '{disk,network}'`);
    await queryRunner.query(`ALTER TABLE "vms" ADD "pending_changes" jsonb NOT NULL DEFAULT '{}'`);
    await queryRunner.query(`ALTER TABLE "vms" ADD "snapshot_count" integer NOT NULL DEFAULT '0'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "vms" DROP COLUMN "snapshot_count"`);
    await queryRunner.query(`ALTER TABLE "vms" DROP COLUMN "pending_changes"`);
    await queryRunner.query(`ALTER TABLE "vms" DROP COLUMN "boot_order"`);
    await queryRunner.query(`ALTER TABLE "vms" DROP COLUMN "autostart"`);
  }
}
