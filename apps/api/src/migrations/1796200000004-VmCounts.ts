import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * VMs per host and state, kept by triggers on `vms` (lists sum these instead of counting every VM):
 * inserts and deletes append one delta row per (host, state) per statement, a change of state or
 * host two per VM; `VmCounts` folds the deltas into `vm_state_counts`.
 */
export class VmCounts1796200000004 implements MigrationInterface {
  name = 'VmCounts1796200000004';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "vm_state_counts" ("host_id" uuid NOT NULL, "state" text NOT NULL, "n" integer NOT NULL, CONSTRAINT "PK_d01daf342bac1dac3fa1ee05770" PRIMARY KEY ("host_id", "state"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "vm_count_deltas" ("id" BIGSERIAL NOT NULL, "host_id" uuid NOT NULL, "state" text NOT NULL, "delta" integer NOT NULL, CONSTRAINT "PK_58123c3465f6900aee5ba5de796" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`
      CREATE FUNCTION vm_counts_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO vm_count_deltas (host_id, state, delta) SELECT host_id, state, count(*) FROM vm_rows GROUP BY host_id, state;
        RETURN NULL;
      END $$`);
    await queryRunner.query(`
      CREATE FUNCTION vm_counts_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO vm_count_deltas (host_id, state, delta) SELECT host_id, state, -count(*) FROM vm_rows GROUP BY host_id, state;
        RETURN NULL;
      END $$`);
    await queryRunner.query(`
      CREATE FUNCTION vm_counts_moved() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO vm_count_deltas (host_id, state, delta) VALUES (OLD.host_id, OLD.state, -1), (NEW.host_id, NEW.state, 1);
        RETURN NULL;
      END $$`);
    await queryRunner.query(
      `CREATE TRIGGER vm_counts_insert AFTER INSERT ON vms REFERENCING NEW TABLE AS vm_rows FOR EACH STATEMENT EXECUTE FUNCTION vm_counts_inserted()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER vm_counts_delete AFTER DELETE ON vms REFERENCING OLD TABLE AS vm_rows FOR EACH STATEMENT EXECUTE FUNCTION vm_counts_deleted()`,
    );
    // Only a change of state or host: the collector's stats writes never set these columns.
    await queryRunner.query(
      `CREATE TRIGGER vm_counts_update AFTER UPDATE OF state, host_id ON vms FOR EACH ROW
       WHEN (OLD.state IS DISTINCT FROM NEW.state OR OLD.host_id IS DISTINCT FROM NEW.host_id) EXECUTE FUNCTION vm_counts_moved()`,
    );
    await queryRunner.query(
      `INSERT INTO vm_state_counts (host_id, state, n) SELECT host_id, state, count(*) FROM vms GROUP BY host_id, state`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER vm_counts_update ON vms`);
    await queryRunner.query(`DROP TRIGGER vm_counts_delete ON vms`);
    await queryRunner.query(`DROP TRIGGER vm_counts_insert ON vms`);
    await queryRunner.query(`DROP FUNCTION vm_counts_moved()`);
    await queryRunner.query(`DROP FUNCTION vm_counts_deleted()`);
    await queryRunner.query(`DROP FUNCTION vm_counts_inserted()`);
    await queryRunner.query(`DROP TABLE "vm_count_deltas"`);
    await queryRunner.query(`DROP TABLE "vm_state_counts"`);
  }
}
