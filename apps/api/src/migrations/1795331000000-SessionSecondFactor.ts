import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Sessions record whether they showed a second factor instead of a "must enroll" flag fixed at
 * sign-in, so a role's TOTP requirement applies to live sessions at once. Existing sessions start
 * without it: a user whose role requires TOTP and who has it signs in again once, with the code.
 *
 * TOTP secrets and recovery codes are re-keyed by the api at start (TotpService), not here: sealing
 * needs COCKPIT_SECRET_KEY, which migrations do not get (the same as agent tokens in HostsService).
 */
export class SessionSecondFactor1795331000000 implements MigrationInterface {
  name = 'SessionSecondFactor1795331000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "sessions" DROP COLUMN "must_enroll_totp"`);
    await queryRunner.query(`ALTER TABLE "sessions" ADD "second_factor" boolean NOT NULL DEFAULT false`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "sessions" DROP COLUMN "second_factor"`);
    await queryRunner.query(`ALTER TABLE "sessions" ADD "must_enroll_totp" boolean NOT NULL DEFAULT false`);
  }
}
