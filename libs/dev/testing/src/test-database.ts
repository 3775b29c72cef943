import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * A fresh, empty database in the PostgreSQL that the integration run's global setup started
 * (COCKPIT_TEST_PG_URL), so test files never see each other's rows.
 */
export async function createTestDatabase(prefix: string): Promise<string> {
  const adminUrl = process.env['COCKPIT_TEST_PG_URL'];
  if (!adminUrl)
    throw new Error('COCKPIT_TEST_PG_URL is not set: run integration tests through their jest config (test-int target)');
  const name = `t_${prefix.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Run one SQL statement on its own connection and answer the rows (tests inspecting the database). */
export async function queryRows(url: string, text: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text, params)).rows as Record<string, unknown>[];
  } finally {
    await client.end();
  }
}
