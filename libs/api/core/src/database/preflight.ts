import pg from 'pg';

/**
 * Connects once before anything else so a wrong DATABASE_URL ends start-up with one line that names
 * the problem and the fix, instead of TypeORM retrying for half a minute and printing a stack trace.
 */
export async function checkDatabaseReachable(url: string, timeoutMs = 5000): Promise<void> {
  const target = describe(url);
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    throw new Error(explain(error as Error & { code?: string }, target), { cause: error });
  } finally {
    await client.end().catch(() => undefined);
  }
}

function describe(url: string): { where: string; user: string; database: string } {
  const parsed = new URL(url);
  return {
    where: `${parsed.hostname}:${parsed.port || 5432}`,
    user: decodeURIComponent(parsed.username || '(none)'),
    database: decodeURIComponent(parsed.pathname.slice(1) || parsed.username),
  };
}

function explain(error: Error & { code?: string }, { where, user, database }: ReturnType<typeof describe>): string {
  switch (error.code) {
    case 'ECONNREFUSED':
      return `Cannot reach PostgreSQL at ${where} (connection refused). Start it, or fix the host/port in DATABASE_URL.`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `Cannot resolve the PostgreSQL host in DATABASE_URL (${where}). Fix the host name.`;
    case '28P01':
    case '28000':
      return `PostgreSQL at ${where} rejected user "${user}" (wrong password or not allowed). Fix the credentials in DATABASE_URL.`;
    case '3D000':
      return `Database "${database}" does not exist on ${where}. Create it (CREATE DATABASE "${database}") or fix DATABASE_URL.`;
    case 'ECONNRESET':
      return `PostgreSQL at ${where} closed the connection. Check that it accepts connections from this machine (pg_hba.conf, TLS).`;
  }
  if (/timeout/i.test(error.message)) {
    return `PostgreSQL at ${where} did not answer in time. Check that it is running and reachable (firewall, host/port in DATABASE_URL).`;
  }
  return `Cannot use PostgreSQL at ${where}: ${error.message}. Check DATABASE_URL.`;
}
