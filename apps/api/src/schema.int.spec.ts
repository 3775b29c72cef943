import { afterAll, describe, expect, it } from '@jest/globals';
import { Column, DataSource, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { dataSourceOptions, pendingSchemaChanges, runMigrationsLocked } from '@cockpit/api-core';
import { createTestDatabase } from '@cockpit/dev-testing';
import { schema } from './schema.js';

const open: DataSource[] = [];
afterAll(async () => {
  await Promise.all(open.map((ds) => ds.destroy()));
});

async function migrated(definition = schema): Promise<DataSource> {
  const dataSource = await new DataSource(dataSourceOptions(await createTestDatabase('schema'), definition)).initialize();
  open.push(dataSource);
  await runMigrationsLocked(dataSource);
  return dataSource;
}

@Entity('drift_fixture')
class DriftFixture {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column() name!: string;
}

describe('database schema', () => {
  it('is exactly what the migrations build: generating a migration from the entities yields nothing', async () => {
    expect(await pendingSchemaChanges(await migrated())).toEqual([]);
  });

  it('the drift check does catch an entity without a migration', async () => {
    const changes = await pendingSchemaChanges(
      await migrated({ ...schema, entities: [...(schema.entities as []), DriftFixture] }),
    );
    expect(changes.join('\n')).toMatch(/CREATE TABLE "drift_fixture"/);
  });

  it('migrates concurrently started instances one at a time', async () => {
    const url = await createTestDatabase('concurrent');
    const sources = await Promise.all([1, 2, 3].map(() => new DataSource(dataSourceOptions(url, schema)).initialize()));
    open.push(...sources);
    await Promise.all(sources.map((ds) => runMigrationsLocked(ds)));
    const rows = (await sources[0]?.query('SELECT count(*)::int AS count FROM typeorm_migrations')) as [{ count: number }];
    const count = rows[0].count;
    expect(count).toBe((schema.migrations as unknown[]).length);
  });
});
