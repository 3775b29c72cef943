// One throwaway PostgreSQL for a whole integration run; each test file makes its own database in it.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EmbeddedPostgres } from '../../libs/dev/embedded-postgres/dist/index.js';

export default async function globalSetup() {
  const dir = await mkdtemp(path.join(tmpdir(), 'cockpit-test-pg-'));
  // Durability is pointless for a cluster deleted after the run; skipping fsync makes it fast.
  const server = await EmbeddedPostgres.start({
    dir,
    database: 'postgres',
    settings: { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off', max_connections: '300' },
  });
  process.env.COCKPIT_TEST_PG_URL = server.url('postgres');
  globalThis.__cockpitTestPostgres = { server, dir };
}
