import type { MigrationInterface, QueryRunner } from 'typeorm';

const METRICS = `cpu_percent real NOT NULL, memory_used_mib real NOT NULL, disk_read_bps real NOT NULL,
  disk_write_bps real NOT NULL, net_rx_bps real NOT NULL, net_tx_bps real NOT NULL`;
const ROLLUP = `samples integer NOT NULL, cpu_percent_max real NOT NULL, ${METRICS}`;

/**
 * Stats history (libs/api/metrics), written by hand: TypeORM entities cannot express declarative
 * partitioning, so these tables have no entities and the drift check does not see them. Partitions
 * are created and dropped by the MetricsStore (hourly raw, daily 1-minute, monthly 1-hour).
 */
export class MetricsTables1795326522793 implements MigrationInterface {
  name = 'MetricsTables1795326522793';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const [kind, key] of [
      ['host', 'host_id'],
      ['vm', 'vm_id'],
    ] as const) {
      await queryRunner.query(
        `CREATE TABLE ${kind}_samples (${key} uuid NOT NULL, ts timestamptz NOT NULL, ${METRICS}) PARTITION BY RANGE (ts)`,
      );
      await queryRunner.query(`CREATE INDEX ${kind}_samples_key_ts ON ${kind}_samples (${key}, ts)`);
      for (const resolution of ['1m', '1h']) {
        await queryRunner.query(
          `CREATE TABLE ${kind}_samples_${resolution} (${key} uuid NOT NULL, ts timestamptz NOT NULL, ${ROLLUP}, PRIMARY KEY (${key}, ts)) PARTITION BY RANGE (ts)`,
        );
      }
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const kind of ['host', 'vm']) {
      for (const suffix of ['', '_1m', '_1h']) await queryRunner.query(`DROP TABLE ${kind}_samples${suffix}`);
    }
  }
}
