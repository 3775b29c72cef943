import 'reflect-metadata';
import { ConfigError, loadConfig, type AppConfig } from '@cockpit/api-config';
import { AdminBootstrapService } from '@cockpit/api-auth';
import { checkDatabaseReachable } from '@cockpit/api-core';
import { createApp } from './app.js';

/** Start-up failures end in one line naming the problem and the fix, and a non-zero exit. */
function fail(message: string, code = 1): never {
  process.stderr.write(`cockpit-api: ${message}\n`);
  process.exit(code);
}

async function main(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) fail(`${error.message}. Fix the environment variable(s) and start again.`);
    throw error;
  }
  if (!config.databaseUrl) {
    fail(
      'DATABASE_URL is not set. Start Cockpit with `npm start` (it runs an embedded PostgreSQL) or point DATABASE_URL at your PostgreSQL.',
    );
  }
  try {
    await checkDatabaseReachable(config.databaseUrl);
  } catch (error) {
    fail((error as Error).message);
  }

  const app = await createApp(config);
  try {
    await app.listen(config.port, config.host);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    await app.close().catch(() => undefined);
    if (code === 'EADDRINUSE')
      fail(`Port ${config.port} on ${config.host} is already in use. Stop whatever holds it or set PORT to a free port.`);
    if (code === 'EACCES')
      fail(`Not allowed to listen on port ${config.port}. Use a port above 1023 or run with the needed privilege.`);
    if (code === 'EADDRNOTAVAIL')
      fail(`HOST ${config.host} is not an address of this machine. Set HOST to one (0.0.0.0 for all).`);
    throw error;
  }
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = config.publicUrlExplicit
    ? config.publicUrl
    : `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port}`;
  // The launcher (npm start) waits for this before printing the URL. Should the launcher die
  // without stopping us (SIGKILL), its IPC channel closes: shut down rather than linger as an orphan.
  const admin = app.get(AdminBootstrapService).created;
  if (admin && !process.send) {
    process.stdout.write(
      `cockpit-api: first administrator created: ${admin.username} / ${admin.password} (shown once; change it after signing in)\n`,
    );
  }
  if (process.send) {
    process.send({ type: 'ready', url, port, admin });
    process.once('disconnect', () => void app.close().finally(() => process.exit(0)));
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`cockpit-api: failed to start: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
