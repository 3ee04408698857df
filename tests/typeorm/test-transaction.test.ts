import { DataSource } from 'typeorm';
import { DataSource as DataSource1 } from 'typeorm1';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ResourceRegistry } from '../../src/registry/resource-registry.js';
import { beginTestTransaction } from '../../src/typeorm/test-transaction.js';
import { MARIADB, POSTGRES, serviceAvailable } from '../adapters/databases/_services.js';
import { ItemSchema, ItemSchema1, type Item } from './_entities.js';

const pgAvailable = await serviceAvailable(POSTGRES);
const mariadbAvailable = await serviceAvailable(MARIADB);

interface Engine {
  label: string;
  available: boolean;
  create: () => DataSource | DataSource1;
}

const engines: Engine[] = [
  { label: 'SQLite (sqlite3, TypeORM 0.3)', available: true, create: () => new DataSource({ type: 'sqlite', database: ':memory:', synchronize: true, entities: [ItemSchema] }) },
  {
    label: 'SQLite (better-sqlite3, TypeORM 1.x)',
    available: true,
    create: () => new DataSource1({ type: 'better-sqlite3', database: ':memory:', synchronize: true, entities: [ItemSchema1] }),
  },
  {
    label: 'PostgreSQL',
    available: pgAvailable,
    create: () =>
      new DataSource({
        type: 'postgres', host: POSTGRES.host, port: POSTGRES.port, username: 'postgres', database: 'test', synchronize: true,
        entities: [ItemSchema], applicationName: 'custodian-test-transaction',
      }),
  },
  {
    label: 'MariaDB',
    available: mariadbAvailable,
    create: () =>
      new DataSource({ type: 'mysql', host: MARIADB.host, port: MARIADB.port, username: 'root', password: '', database: 'test', synchronize: true, entities: [ItemSchema] }),
  },
];

for (const engine of engines) {
  describe.skipIf(!engine.available)(`beginTestTransaction on ${engine.label}`, () => {
    let dataSource: DataSource;
    let rowsBefore: number;
    const registry = new ResourceRegistry({ name: 'tx' });
    const count = (): Promise<number> => dataSource.getRepository<Item>('Item').count();

    beforeAll(async () => {
      dataSource = (await engine.create().initialize()) as DataSource;
      rowsBefore = await count();
    });

    afterAll(async () => {
      await dataSource?.destroy();
    });

    it('writes rows inside the transaction', async () => {
      await using tx = await beginTestTransaction(dataSource, { registry });
      await tx.manager.getRepository<Item>('Item').save([{ name: 'ada' }, { name: 'grace' }]);
      expect(await tx.manager.getRepository<Item>('Item').count()).toBe(rowsBefore + 2);
      expect(tx.queryRunner.isTransactionActive).toBe(true);
    });

    it('leaves none of them behind for the next test', async () => {
      expect(await count()).toBe(rowsBefore);
      expect(registry.size).toBe(0);
    });

    it('rolls back a transaction the test forgot to dispose at the next cleanup', async () => {
      const tx = await beginTestTransaction(dataSource, { registry });
      await tx.manager.getRepository<Item>('Item').save({ name: 'forgotten' });
      const report = await registry.cleanupAll();
      expect(report.disposed).toHaveLength(1);
      expect(tx.queryRunner.isTransactionActive).toBe(false);
      expect(await count()).toBe(rowsBefore);
      await tx[Symbol.asyncDispose]();
    });
  });
}

describe('beginTestTransaction', () => {
  it('rolls back at once and rejects when the registry is disposed', async () => {
    const dataSource = await new DataSource1({ type: 'better-sqlite3', database: ':memory:', synchronize: true, entities: [ItemSchema1] }).initialize();
    const disposed = new ResourceRegistry({ name: 'gone' });
    await disposed.disposeAsync();
    await expect(beginTestTransaction(dataSource as unknown as DataSource, { registry: disposed })).rejects.toMatchObject({
      code: 'ERR_REGISTRY_DISPOSED',
    });
    // SQLite has one connection: a transaction left open would make this BEGIN fail.
    await using tx = await beginTestTransaction(dataSource as unknown as DataSource, { registry: null });
    expect(tx.queryRunner.isTransactionActive).toBe(true);
    await tx.rollback();
    await dataSource.destroy();
  });

  it('rejects what is not a DataSource', async () => {
    await expect(beginTestTransaction({} as never)).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
  });
});
