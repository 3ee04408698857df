import pg from 'pg';
import { DataSource as DataSource1 } from 'typeorm1';
import { describe, expect, it } from 'vitest';
import { ResourceRegistry } from '../../src/registry/resource-registry.js';
import { registry as defaultRegistry } from '../../src/registry/default-registry.js';
import { createTestDataSource, defaultTestOptions } from '../../src/typeorm/test-data-source.js';
import { trackDataSources } from '../../src/typeorm/track-data-sources.js';
import { eventually, POSTGRES, serviceAvailable, uniqueName } from '../adapters/databases/_services.js';
import { ItemSchema, ItemSchema1, type Item } from './_entities.js';

const pgAvailable = await serviceAvailable(POSTGRES);

describe('createTestDataSource', () => {
  it('defaults to a synchronized SQLite database in memory, registered in the default registry', async () => {
    expect(defaultTestOptions()).toMatchObject({ type: 'better-sqlite3', database: ':memory:', synchronize: true, logging: false });
    const dataSource = await createTestDataSource({ entities: [ItemSchema] });
    expect(dataSource.isInitialized).toBe(true);
    expect(dataSource.options.type).toBe('better-sqlite3');
    await dataSource.getRepository<Item>(ItemSchema).save({ name: 'ada' });
    expect(await dataSource.getRepository<Item>(ItemSchema).count()).toBe(1);
    expect(defaultRegistry.snapshot().map((info) => info.name)).toContain('typeorm better-sqlite3 :memory: (initialized)');

    const report = await defaultRegistry.cleanupAll();
    expect(report.ok).toBe(true);
    expect(dataSource.isInitialized).toBe(false);
  });

  it('gives every call its own empty database', async () => {
    const registry = new ResourceRegistry({ name: 'tds' });
    const a = await createTestDataSource({ entities: [ItemSchema], registry });
    const b = await createTestDataSource({ entities: [ItemSchema], registry });
    await a.getRepository<Item>(ItemSchema).save({ name: 'only in a' });
    expect(await b.getRepository<Item>(ItemSchema).count()).toBe(0);
    await registry.cleanupAll();
  });

  it('uses the DataSource class given (TypeORM 1.x) and registers once while tracking is on', async () => {
    const registry = new ResourceRegistry({ name: 'tds' });
    using _tracking = trackDataSources({ registry, DataSource: DataSource1 });
    const dataSource = await createTestDataSource({ DataSource: DataSource1, entities: [ItemSchema1 as never], registry });
    expect(dataSource).toBeInstanceOf(DataSource1);
    expect(registry.size).toBe(1);
    await registry.cleanupAll();
    expect(dataSource.isInitialized).toBe(false);
  });

  it('uses sqlite3 when asked to', async () => {
    const registry = new ResourceRegistry({ name: 'tds' });
    const dataSource = await createTestDataSource({ type: 'sqlite', database: ':memory:', synchronize: true, entities: [ItemSchema], registry });
    await dataSource.getRepository<Item>(ItemSchema).save({ name: 'ada' });
    await registry.cleanupAll();
    expect(dataSource.isInitialized).toBe(false);
  });

  it('registers nothing when initialization fails', async () => {
    const registry = new ResourceRegistry({ name: 'tds' });
    const refused = createTestDataSource({ type: 'postgres', host: '127.0.0.1', port: 1, username: 'nobody', registry });
    await expect(refused).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(registry.size).toBe(0);
  });

  it.skipIf(!pgAvailable)('connects to any driver the options name (PostgreSQL) and closes its pool', async () => {
    const name = uniqueName('tds-pg');
    const registry = new ResourceRegistry({ name: 'tds' });
    await createTestDataSource({
      type: 'postgres', host: POSTGRES.host, port: POSTGRES.port, username: 'postgres', database: 'test', applicationName: name, registry,
    });
    const admin = new pg.Client({ host: POSTGRES.host, port: POSTGRES.port, user: 'postgres', database: 'test' });
    await admin.connect();
    const count = async (): Promise<number> =>
      (await admin.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1', [name])).rows[0]!.n;
    expect(await count()).toBeGreaterThan(0);
    await registry.cleanupAll();
    expect(await eventually(count, (n) => n === 0)).toBe(0);
    await admin.end();
  });
});
