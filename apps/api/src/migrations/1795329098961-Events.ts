import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Events1795329098961 implements MigrationInterface {
  name = 'Events1795329098961';

  async up(queryRunner: QueryRunner): Promise<void> {
    // @socket.io/postgres-adapter keeps payloads over NOTIFY's 8000-byte limit here (no entity: the adapter owns it).
    await queryRunner.query(
      `CREATE TABLE socket_io_attachments (id bigserial PRIMARY KEY, created_at timestamptz DEFAULT now(), payload bytea)`,
    );
    await queryRunner.query(
      `CREATE TABLE "events" ("seq" BIGSERIAL NOT NULL, "ts" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "type" text NOT NULL, "rooms" text array NOT NULL, "data" jsonb NOT NULL, CONSTRAINT "PK_44840d7c5944a3bfbf21a6113d8" PRIMARY KEY ("seq"))`,
    );
    await queryRunner.query(`CREATE INDEX "events_ts" ON "events"  ("ts") `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE socket_io_attachments`);
    await queryRunner.query(`DROP INDEX "public"."events_ts"`);
    await queryRunner.query(`DROP TABLE "events"`);
  }
}
