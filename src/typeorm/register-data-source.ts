import type { DataSource } from 'typeorm';
import { typeormDataSourceAdapter, type DataSourceLike } from '../adapters/databases/typeorm.js';
import { globalSlot } from '../_internal/global-slot.js';
import type { ResourceRegistry } from '../registry/resource-registry.js';
import type { Registration } from '../registry/types.js';

/**
 * Which registries currently hold each DataSource, shared by the ESM and CJS builds: a
 * DataSource created by createTestDataSource() while trackDataSources() is on is registered
 * once, and sharedDataSource() can take one back from every per-test registry.
 */
const live = globalSlot('typeorm.registrations', () => new WeakMap<object, Map<ResourceRegistry, Registration>>());

/**
 * Registers a DataSource in `registry` unless it is already there. Closed through the
 * TypeORM adapter (destroy(), then the driver's sockets by force); the bookkeeping entry is
 * dropped once it is closed, so a DataSource initialized again is registered again.
 */
export function registerDataSource(registry: ResourceRegistry, dataSource: DataSource): Registration {
  let holders = live.get(dataSource);
  const existing = holders?.get(registry);
  if (existing !== undefined) return existing;
  if (holders === undefined) {
    holders = new Map();
    live.set(dataSource, holders);
  }
  const adapter = typeormDataSourceAdapter;
  const value = dataSource as unknown as DataSourceLike;
  const forget = (): void => {
    holders.delete(registry);
    if (holders.size === 0) live.delete(dataSource);
  };
  const registration = registry.register(value, {
    kind: adapter.kind,
    name: adapter.describe!(value),
    dispose: (source, context) => {
      forget();
      return adapter.isClosed!(source) ? undefined : adapter.close(source, context);
    },
    forceDispose: (source) => adapter.forceClose!(source),
  });
  holders.set(registry, registration);
  return registration;
}

/** Removes a DataSource from every registry that holds it through registerDataSource(). */
export function unregisterDataSource(dataSource: DataSource): void {
  const holders = live.get(dataSource);
  if (holders === undefined) return;
  for (const registration of holders.values()) registration.unregister();
  live.delete(dataSource);
}
