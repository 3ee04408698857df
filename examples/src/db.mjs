// The service's database: one TypeORM entity, and the DataSource the app opens at startup.
import { DataSource, EntitySchema } from 'typeorm';

export const Order = new EntitySchema({
  name: 'Order',
  tableName: 'orders',
  columns: {
    id: { type: 'integer', primary: true, generated: true },
    customer: { type: 'varchar' },
    total: { type: 'integer' },
    status: { type: 'varchar', default: 'new' },
  },
});

/**
 * Opens the app's database. SQLite in memory here (better-sqlite3), so the example needs no
 * server; a real app would pass its Postgres settings. The caller must destroy() it.
 */
export async function openDatabase() {
  const dataSource = new DataSource({ type: 'better-sqlite3', database: ':memory:', entities: [Order], synchronize: true });
  await dataSource.initialize();
  return dataSource;
}
