/**
 * The custodian/typeorm entry point: the only code that imports typeorm (its types; the
 * module itself is resolved from the user's project at run time, so TypeORM 0.3 and 1.x
 * both work). Everything here registers DataSources in a custodian registry so that the
 * cleanup after each test destroys them.
 */
export { trackDataSources, type TrackDataSourcesOptions } from './track-data-sources.js';
export { createTestDataSource, defaultTestOptions, type TestDataSourceOptions } from './test-data-source.js';
export { closeSharedDataSources, sharedDataSource, sharedDataSourceRegistry } from './shared-data-source.js';
export { beginTestTransaction, type TestTransaction, type TestTransactionOptions } from './test-transaction.js';
export type { DataSourceClass } from './resolve-typeorm.js';
export { typeormDataSourceAdapter } from '../adapters/databases/typeorm.js';
