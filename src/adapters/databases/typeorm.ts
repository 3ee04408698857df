import { defineAdapter } from '../adapter.js';
import { forceDriverHandle } from './_driver-handles.js';
import { asObject, describeEndpoint, endpointFromUrl, first, hasMethods, type Loose } from './_shape.js';
import { mysql2ConnectionAdapter, mysql2PoolAdapter } from './mysql2.js';
import { pgClientAdapter, pgPoolAdapter } from './pg.js';

/** The parts of a TypeORM `DataSource` (0.3 and 1.x) the adapter relies on. */
export interface DataSourceLike extends Loose {
  readonly isInitialized: boolean;
  readonly options: Loose;
  readonly driver?: Loose;
  initialize(): Promise<unknown>;
  destroy(): Promise<void>;
}

const DATA_SOURCE_BRAND = Symbol.for('DataSource');

function isDataSource(value: unknown): value is DataSourceLike {
  if (!hasMethods(value, 'initialize', 'destroy', 'getRepository', 'createQueryRunner')) return false;
  // TypeORM brands its DataSource so instanceof-like checks work across copies of the package.
  return value['@instanceof'] === DATA_SOURCE_BRAND || (typeof value.isInitialized === 'boolean' && asObject(value.options) !== undefined);
}

/** The raw handles a TypeORM driver keeps: pools, replicas, a cluster, an SQLite database. */
export function driverHandles(dataSource: DataSourceLike): unknown[] {
  const driver = asObject(dataSource.driver);
  if (driver === undefined) return [];
  const handles: unknown[] = [driver.master, driver.pool, driver.poolCluster, driver.databaseConnection];
  if (Array.isArray(driver.slaves)) handles.push(...(driver.slaves as unknown[]));
  return handles.filter((handle) => handle !== undefined && handle !== null);
}

function isHandleOpen(handle: unknown): boolean {
  for (const adapter of [pgPoolAdapter, pgClientAdapter, mysql2PoolAdapter, mysql2ConnectionAdapter]) {
    if (adapter.matches(handle)) return !(adapter.isClosed?.(handle as never) ?? false);
  }
  const open = asObject(handle)?.open;
  return open === true;
}

/**
 * Forced close of a DataSource: every driver handle is closed by force (pool sockets destroyed,
 * SQLite closed), then the DataSource is marked not initialized, as its `destroy()` would have.
 */
async function forceDataSource(dataSource: DataSourceLike): Promise<void> {
  await Promise.all(driverHandles(dataSource).map(forceDriverHandle));
  if (dataSource.isInitialized) Object.assign(dataSource, { isInitialized: false });
}

/**
 * TypeORM `DataSource` (0.3 and 1.x): `destroy()`, which closes the driver's pools; when that
 * hangs (a pg pool waiting for a query runner nobody released), the forced close destroys the
 * pools' sockets. `destroy()` throws when the DataSource is not initialized (the TypeORM trap),
 * so a DataSource that is not initialized and holds no open driver handle counts as closed,
 * and one that is not initialized but still holds a pool (an `initialize()` that failed half
 * way) has its handles closed directly.
 */
export const typeormDataSourceAdapter = defineAdapter<DataSourceLike>({
  name: 'typeorm data source',
  kind: 'engine',
  matches: isDataSource,
  isClosed: (dataSource) => !dataSource.isInitialized && !driverHandles(dataSource).some(isHandleOpen),
  close: (dataSource) => (dataSource.isInitialized ? dataSource.destroy() : forceDataSource(dataSource)),
  forceClose: forceDataSource,
  describe: (dataSource) => {
    const options = asObject(dataSource.options) ?? {};
    const fromUrl = endpointFromUrl(options.url);
    const type = typeof options.type === 'string' ? options.type : 'unknown';
    const name = typeof options.name === 'string' && options.name !== '' && options.name !== 'default' ? ` "${options.name}"` : '';
    return describeEndpoint(
      `typeorm ${type}${name}`,
      {
        host: first(options.host, fromUrl.host) as string | undefined,
        port: first(options.port, fromUrl.port),
        database: first(options.database, fromUrl.database),
      },
      dataSource.isInitialized ? 'initialized' : 'not initialized',
    );
  },
});
