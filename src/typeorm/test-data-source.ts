import type { DataSource, DataSourceOptions } from 'typeorm';
import { CustodianTypeError } from '../errors.js';
import { describeValue } from '../_internal/validate.js';
import { registry as defaultRegistry } from '../registry/default-registry.js';
import type { ResourceRegistry } from '../registry/resource-registry.js';
import { registerDataSource } from './register-data-source.js';
import { canResolve, dataSourceClasses, type DataSourceClass } from './resolve-typeorm.js';

/** Options of {@link createTestDataSource}: TypeORM's own options, all optional, plus where to register. */
export type TestDataSourceOptions = Partial<DataSourceOptions> & {
  /**
   * Where the DataSource is registered.
   * @default the process-wide default `registry`, so it is destroyed by the next cleanup
   */
  registry?: ResourceRegistry;
  /**
   * The DataSource class to instantiate.
   * @default `require('typeorm').DataSource`, resolved from `process.cwd()`
   */
  DataSource?: DataSourceClass;
};

/**
 * The settings used when no `type` is given: a private SQLite database in memory.
 *
 * - `type`: `'better-sqlite3'` when the project can load `better-sqlite3` (the only SQLite
 *   driver of TypeORM 1.x, synchronous and the faster one), else `'sqlite'` (`sqlite3`);
 * - `database: ':memory:'`: no file, no disk I/O, every DataSource starts empty and its data
 *   vanishes when it is destroyed, so tests never see each other's rows;
 * - `synchronize: true`: the schema is created from the entities at initialization, with no
 *   migrations to run;
 * - `logging: false`, `migrationsRun: false`.
 */
export function defaultTestOptions(): Record<string, unknown> {
  return {
    type: canResolve('better-sqlite3') ? 'better-sqlite3' : 'sqlite',
    database: ':memory:',
    synchronize: true,
    logging: false,
    migrationsRun: false,
  };
}

/**
 * Creates, initializes and registers a DataSource for a test. With no `type` it is the SQLite
 * database in memory of {@link defaultTestOptions}; with a `type` (and its connection options)
 * any driver TypeORM supports is used, with TypeORM's defaults for everything not given
 * (`synchronize` is then only on when asked for: it rewrites the schema of a real database).
 *
 * The DataSource is registered in the default registry (or `options.registry`), so the next
 * cleanup destroys it; when initialization fails nothing is registered and the error is
 * TypeORM's, as is.
 *
 * @example
 * ```ts
 * const dataSource = await createTestDataSource({ entities: [User] });
 * await dataSource.getRepository(User).save({ name: 'Ada' });
 * // afterEach(() => cleanupAll()) destroys it
 * ```
 */
export async function createTestDataSource(options: TestDataSourceOptions = {}): Promise<DataSource> {
  if (typeof options !== 'object' || options === null) {
    throw new CustodianTypeError(`createTestDataSource() options must be an object, got ${describeValue(options)}`);
  }
  const { registry = defaultRegistry, DataSource: DataSourceOption, ...typeormOptions } = options;
  const [DataSourceClass] = dataSourceClasses(DataSourceOption, 'createTestDataSource()');
  const settings = typeormOptions.type === undefined ? { ...defaultTestOptions(), ...typeormOptions } : typeormOptions;
  const Constructor = DataSourceClass as unknown as new (options: unknown) => DataSource;
  const dataSource = new Constructor(settings);
  await dataSource.initialize();
  registerDataSource(registry, dataSource);
  return dataSource;
}
