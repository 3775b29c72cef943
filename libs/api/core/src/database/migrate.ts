import type { DataSource } from 'typeorm';

/** Arbitrary but fixed: every api instance takes this lock before migrating. */
const MIGRATION_LOCK = 7_140_241_001;

/**
 * Runs pending migrations, each in its own transaction, while holding a session advisory lock so
 * api instances starting together on one database migrate one after another, never concurrently.
 */
export async function runMigrationsLocked(dataSource: DataSource): Promise<string[]> {
  const lock = dataSource.createQueryRunner();
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((migration) => migration.name);
  } finally {
    await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await lock.release();
  }
}

/**
 * The SQL TypeORM would need to bring the database in line with the entities. Empty when the
 * migrations describe the entities exactly; CI fails otherwise.
 */
export async function pendingSchemaChanges(dataSource: DataSource): Promise<string[]> {
  const sql = await dataSource.driver.createSchemaBuilder().log();
  return sql.upQueries.map((query) => query.query);
}
