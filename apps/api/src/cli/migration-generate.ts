/**
 * `npm run db:migration:generate -- <Name>`: writes the migration that brings a database built from
 * the existing migrations in line with the entities. Uses a throwaway embedded PostgreSQL, so it
 * never touches a real database.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DataSource } from 'typeorm';
import { dataSourceOptions, runMigrationsLocked } from '@cockpit/api-core';
import { EmbeddedPostgres } from '@cockpit/embedded-postgres';
import { schema } from '../schema.js';

const name = process.argv[2];
if (!name || !/^[A-Z][A-Za-z0-9]+$/.test(name)) {
  process.stderr.write('Usage: npm run db:migration:generate -- <PascalCaseName>   e.g. AddHosts\n');
  process.exit(2);
}

const dir = await mkdtemp(path.join(tmpdir(), 'cockpit-migration-'));
const server = await EmbeddedPostgres.start({ dir, settings: { fsync: 'off' } });
try {
  const dataSource = await new DataSource(dataSourceOptions(server.url(), schema, 'cockpit-migration-generate')).initialize();
  await runMigrationsLocked(dataSource);
  const sql = await dataSource.driver.createSchemaBuilder().log();
  await dataSource.destroy();
  if (!sql.upQueries.length) {
    process.stdout.write('The migrations already match the entities; nothing to generate.\n');
  } else {
    const timestamp = Date.now();
    const className = `${name}${timestamp}`;
    const quote = (query: string) => `\`${query.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${')}\``;
    const lines = (queries: { query: string }[]) =>
      queries.map((q) => `    await queryRunner.query(${quote(q.query)});`).join('\n');
    const source = `import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ${className} implements MigrationInterface {
  name = '${className}';

  async up(queryRunner: QueryRunner): Promise<void> {
${lines(sql.upQueries)}
  }

  async down(queryRunner: QueryRunner): Promise<void> {
${lines([...sql.downQueries].reverse())}
  }
}
`;
    const file = fileURLToPath(new URL(`../../src/migrations/${timestamp}-${name}.ts`, import.meta.url));
    await writeFile(file, source);
    process.stdout.write(`Wrote ${file}\nAdd ${className} to the migrations list in apps/api/src/schema.ts.\n`);
  }
} finally {
  await server.stop();
  await rm(dir, { recursive: true, force: true });
}
