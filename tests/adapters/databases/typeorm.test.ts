import pg from 'pg';
import { DataSource } from 'typeorm';
import { DataSource as DataSource1 } from 'typeorm1';
import { describe, expect, it } from 'vitest';
import { typeormDataSourceAdapter } from '../../../src/adapters/databases/typeorm.js';
import { ResourceRegistry } from '../../../src/registry/resource-registry.js';
import { baselineHandles, handlesBackTo, eventually, MARIADB, POSTGRES, serviceAvailable, uniqueName, postgresBackends } from './_services.js';

const available = await serviceAvailable(POSTGRES);
const base = { type: 'postgres' as const, host: POSTGRES.host, port: POSTGRES.port, username: 'postgres', database: 'test' };
const backends = postgresBackends(available, 'custodian-typeorm-admin');

describe.skipIf(!available)('typeormDataSourceAdapter (PostgreSQL)', () => {
  for (const [version, DataSourceClass] of [['0.3', DataSource], ['1.x', DataSource1]] as const) {
    it(`destroys a TypeORM ${version} DataSource and its pool's connections`, async () => {
      const handlesBefore = await baselineHandles();
      const name = uniqueName(`typeorm-${version}`);
      const registry = new ResourceRegistry({ name: 'typeorm' });
      const dataSource = new DataSourceClass({ ...base, applicationName: name, poolSize: 3 });
      await dataSource.initialize();
      await Promise.all([dataSource.query('SELECT pg_sleep(0.05)'), dataSource.query('SELECT pg_sleep(0.05)')]);
      expect(await backends(name)).toBe(2);

      expect(registry.register(dataSource).name).toBe('typeorm postgres 127.0.0.1:5432/test (initialized)');
      const report = await registry.cleanupAll();

      expect(report.disposed.map((outcome) => outcome.phase)).toEqual(['graceful']);
      expect(dataSource.isInitialized).toBe(false);
      expect(await eventually(() => backends(name), (n) => n === 0)).toBe(0);
      expect(await handlesBackTo(handlesBefore)).toBe(handlesBefore);
    });
  }

  it('forces a DataSource whose destroy() waits on a pool client never released', async () => {
    const handlesBefore = await baselineHandles();
    const name = uniqueName('typeorm-runner');
    const registry = new ResourceRegistry({ name: 'typeorm' });
    const dataSource = await new DataSource({ ...base, applicationName: name, poolSize: 2 }).initialize();
    // TypeORM releases its own query runners on destroy(); a client taken from the driver's
    // pool directly (as LISTEN/NOTIFY or advisory-lock code does) is what blocks pool.end().
    const leaked = await (dataSource.driver as unknown as { master: pg.Pool }).master.connect();
    await leaked.query('SELECT 1');

    registry.register(dataSource, { timeoutMs: 300 });
    const report = await registry.cleanupAll();

    expect(report.ok).toBe(true);
    expect(report.forced).toHaveLength(1);
    expect(dataSource.isInitialized).toBe(false);
    expect(await eventually(() => backends(name), (n) => n === 0)).toBe(0);
    expect(await handlesBackTo(handlesBefore)).toBe(handlesBefore);
  });

  it('counts a DataSource that was never initialized, or destroyed, as closed instead of calling destroy()', async () => {
    const registry = new ResourceRegistry({ name: 'typeorm' });
    const never = new DataSource(base);
    const destroyed = await new DataSource({ ...base, applicationName: uniqueName('typeorm-destroyed') }).initialize();
    await destroyed.destroy();
    registry.register(never);
    registry.register(destroyed);
    const report = await registry.cleanupAll();
    expect(report.ok).toBe(true);
    expect(report.disposed.map((outcome) => outcome.phase)).toEqual(['closed', 'closed']);
  });

  it('describes the DataSource without the password, from options or a URL', () => {
    const fromOptions = new DataSource({ ...base, password: 's3cret-pw' });
    const fromUrl = new DataSource({ type: 'postgres', url: 'postgres://alice:s3cret-pw@127.0.0.1:5432/test' });
    for (const dataSource of [fromOptions, fromUrl]) {
      const text = typeormDataSourceAdapter.describe!(dataSource as never);
      expect(text).toBe('typeorm postgres 127.0.0.1:5432/test (not initialized)');
    }
  });
});

describe('typeormDataSourceAdapter (SQLite)', () => {
  it('destroys a TypeORM 1.x DataSource on better-sqlite3 and a 0.3 one on sqlite3', async () => {
    const registry = new ResourceRegistry({ name: 'typeorm' });
    const modern = await new DataSource1({ type: 'better-sqlite3', database: ':memory:' }).initialize();
    const classic = await new DataSource({ type: 'sqlite', database: ':memory:' }).initialize();
    expect(registry.register(modern).name).toBe('typeorm better-sqlite3 :memory: (initialized)');
    registry.register(classic);
    const report = await registry.cleanupAll();
    expect(report.disposed.map((outcome) => outcome.phase)).toEqual(['graceful', 'graceful']);
    expect(modern.isInitialized || classic.isInitialized).toBe(false);
  });
});

const mariadbAvailable = await serviceAvailable(MARIADB);

describe.skipIf(!mariadbAvailable)('typeormDataSourceAdapter (MariaDB)', () => {
  it('destroys a DataSource on mysql2 and its server connections', async () => {
    const handlesBefore = await baselineHandles();
    const registry = new ResourceRegistry({ name: 'typeorm' });
    const options = { type: 'mysql' as const, host: MARIADB.host, port: MARIADB.port, username: 'root', password: '', database: 'test' };
    const dataSource = await new DataSource({ ...options, poolSize: 2 }).initialize();
    const [{ id }] = (await dataSource.query('SELECT CONNECTION_ID() AS id')) as [{ id: number }];
    const admin = await new DataSource(options).initialize();
    const alive = async (): Promise<number> => ((await admin.query('SELECT ID FROM information_schema.processlist WHERE ID = ?', [id])) as unknown[]).length;
    expect(await alive()).toBe(1);

    expect(registry.register(dataSource).name).toBe('typeorm mysql 127.0.0.1:3306/test (initialized)');
    const report = await registry.cleanupAll();

    expect(report.disposed.map((outcome) => outcome.phase)).toEqual(['graceful']);
    expect(await eventually(alive, (n) => n === 0)).toBe(0);
    await admin.destroy();
    expect(await handlesBackTo(handlesBefore)).toBe(handlesBefore);
  });
});
