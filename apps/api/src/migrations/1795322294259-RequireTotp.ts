import type { MigrationInterface, QueryRunner } from 'typeorm';

export class RequireTotp1795322294259 implements MigrationInterface {
  name = 'RequireTotp1795322294259';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "roles" ADD "require_totp" boolean NOT NULL DEFAULT false`);
    await queryRunner.query(`ALTER TABLE "sessions" ADD "must_enroll_totp" boolean NOT NULL DEFAULT false`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "sessions" DROP COLUMN "must_enroll_totp"`);
    await queryRunner.query(`ALTER TABLE "roles" DROP COLUMN "require_totp"`);
  }
}
