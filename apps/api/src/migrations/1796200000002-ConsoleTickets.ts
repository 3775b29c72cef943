import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Console tickets (hashes only), single use, 30 s. */
export class ConsoleTickets1796200000002 implements MigrationInterface {
  name = 'ConsoleTickets1796200000002';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "console_tickets" ("ticket_hash" text NOT NULL, "vm_id" uuid NOT NULL, "kind" text NOT NULL,
      "user_id" uuid NOT NULL, "credential" text NOT NULL, "issued_by" text NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "used_at" TIMESTAMP WITH TIME ZONE, "used_by" text, CONSTRAINT "PK_console_tickets" PRIMARY KEY ("ticket_hash"))`);
    await queryRunner.query(`CREATE INDEX "console_tickets_expires" ON "console_tickets" ("expires_at")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "console_tickets"`);
  }
}
