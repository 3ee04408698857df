import type { DataSource } from 'typeorm';
import { CustodianTypeError } from '../errors.js';
import { logger } from '../_internal/debug.js';
import { globalSlot } from '../_internal/global-slot.js';
import { describeValue } from '../_internal/validate.js';
import { ResourceRegistry } from '../registry/resource-registry.js';
import { registerDataSource, unregisterDataSource } from './register-data-source.js';

const log = logger('typeorm');

interface SharedState {
  readonly registry: ResourceRegistry;
  readonly byKey: Map<string, Promise<DataSource>>;
  exitHook: boolean;
}

// One per process (worker), shared by the ESM and CJS builds.
const state = globalSlot<SharedState>('typeorm.shared', () => ({
  registry: new ResourceRegistry({ name: 'typeorm shared data sources' }),
  byKey: new Map(),
  exitHook: false,
}));

/**
 * The registry that owns the shared DataSources of this process. It is not the default
 * registry: the per-test `cleanupAll()` must not close a DataSource every test file shares.
 * It is disposed by {@link closeSharedDataSources}, and at the latest when the process is
 * about to exit on its own (`beforeExit`).
 */
export function sharedDataSourceRegistry(): ResourceRegistry {
  return state.registry;
}

function installExitHook(): void {
  if (state.exitHook) return;
  state.exitHook = true;
  // beforeExit only fires once the loop is empty, i.e. when the pools were already idle and
  // unreferenced; a worker killed by its test runner closes its sockets by exiting anyway.
  process.once('beforeExit', () => void closeSharedDataSources().catch(() => undefined));
}

/**
 * One DataSource per `key` per process: the first call runs `factory` (initializing the
 * DataSource if the factory did not), later calls, concurrent ones included, get the same
 * one. Test files running in one worker then share one pool instead of each opening its own
 * and exhausting the server's connections.
 *
 * The shared DataSource is owned by a process-wide registry of its own
 * ({@link sharedDataSourceRegistry}), never by the default one: `trackDataSources()` would
 * register it there (it is initialized like any other), so it is taken back from every
 * per-test registry, and the `cleanupAll()` after each test leaves it open. It is destroyed
 * by {@link closeSharedDataSources} (call it in a global teardown or an `afterAll` of the
 * last file) or when the process is about to exit. A factory that rejects is not cached: the
 * next call tries again. A DataSource that was destroyed meanwhile is created anew.
 *
 * @example
 * ```ts
 * const dataSource = await sharedDataSource('app', () =>
 *   new DataSource({ type: 'postgres', url: process.env.DATABASE_URL, entities: [User] }).initialize());
 * ```
 */
export function sharedDataSource(key: string, factory: () => Promise<DataSource> | DataSource): Promise<DataSource> {
  if (typeof key !== 'string' || key === '') {
    throw new CustodianTypeError(`sharedDataSource() key must be a non-empty string, got ${describeValue(key)}`);
  }
  if (typeof factory !== 'function') {
    throw new CustodianTypeError(`sharedDataSource() factory must be a function returning a DataSource, got ${describeValue(factory)}`);
  }
  const cached = state.byKey.get(key);
  if (cached !== undefined) {
    return cached.then((dataSource) => (dataSource.isInitialized ? dataSource : recreate(key, factory)));
  }
  return recreate(key, factory);
}

function recreate(key: string, factory: () => Promise<DataSource> | DataSource): Promise<DataSource> {
  const pending = (async () => {
    const dataSource = await factory();
    if (!dataSource.isInitialized) await dataSource.initialize();
    unregisterDataSource(dataSource);
    registerDataSource(state.registry.disposed ? renewRegistry() : state.registry, dataSource);
    installExitHook();
    if (log.enabled) log('shared data source "%s" ready', key);
    return dataSource;
  })();
  state.byKey.set(key, pending);
  pending.catch(() => {
    if (state.byKey.get(key) === pending) state.byKey.delete(key);
  });
  return pending;
}

function renewRegistry(): ResourceRegistry {
  (state as { registry: ResourceRegistry }).registry = new ResourceRegistry({ name: 'typeorm shared data sources' });
  return state.registry;
}

/**
 * Destroys every shared DataSource of this process (graceful, then forced, with the registry's
 * deadlines) and forgets them, so the next {@link sharedDataSource} call creates a fresh one.
 * Rejects like `ResourceRegistry.disposeAsync()` when a DataSource could not be closed.
 */
export async function closeSharedDataSources(): Promise<void> {
  const registry = state.registry;
  state.byKey.clear();
  renewRegistry();
  await registry.disposeAsync();
}
