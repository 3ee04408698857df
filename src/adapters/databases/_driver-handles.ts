/**
 * Forced closes of the raw driver handles that ORMs and query builders (TypeORM, knex) keep
 * inside: when the ORM's own close hangs, these get to the sockets underneath.
 */
import { destroyStream, hasMethods, quietly, type Loose } from './_shape.js';
import { coreConnection, corePool, forceMysql2Connection, forceMysql2Pool, mysql2ConnectionAdapter, mysql2PoolAdapter } from './mysql2.js';
import { forcePgClient, forcePgPool, pgClientAdapter, pgPoolAdapter } from './pg.js';

/** `better-sqlite3`'s Database: synchronous `close()`, `open` flag, `pragma()`. */
function isBetterSqlite3(value: unknown): value is Loose & { open: boolean; close(): void } {
  return hasMethods(value, 'close', 'pragma', 'prepare') && typeof value.open === 'boolean';
}

/** `sqlite3`'s Database: `close(callback)`, `serialize()`. */
function isSqlite3(value: unknown): value is Loose & { open?: boolean; close(callback: (error: unknown) => void): void } {
  return hasMethods(value, 'close', 'serialize', 'run', 'all');
}

/**
 * Forced close of one raw driver handle: a pg client or pool, a mysql2 connection or pool, a
 * sqlite3 or better-sqlite3 database. Never throws; resolves once the sockets are closed.
 * Anything else is closed through its `destroy()` or `end()` when it has one.
 */
export function forceDriverHandle(handle: unknown): Promise<void> {
  if (handle === undefined || handle === null) return Promise.resolve();
  if (pgPoolAdapter.matches(handle)) return forcePgPool(handle).catch(() => undefined);
  if (pgClientAdapter.matches(handle)) return forcePgClient(handle);
  if (mysql2PoolAdapter.matches(handle)) return forceMysql2Pool(corePool(handle)).catch(() => undefined);
  if (mysql2ConnectionAdapter.matches(handle)) return forceMysql2Connection(coreConnection(handle)).catch(() => undefined);
  if (isBetterSqlite3(handle)) return quietly(() => (handle.open ? handle.close() : undefined));
  if (isSqlite3(handle)) return quietly(() => new Promise((resolve) => handle.close(resolve)));
  const loose = handle as Loose;
  if (typeof loose.stream === 'object') return destroyStream(loose.stream);
  if (typeof loose.destroy === 'function') return quietly(() => (loose.destroy as () => unknown)());
  if (typeof loose.end === 'function') return quietly(() => (loose.end as () => unknown)());
  return Promise.resolve();
}
