import type { DataSource } from 'typeorm';
import { CustodianTypeError } from '../errors.js';
import { logger } from '../_internal/debug.js';
import { globalSlot } from '../_internal/global-slot.js';
import { describeValue } from '../_internal/validate.js';
import { registry as defaultRegistry } from '../registry/default-registry.js';
import type { ResourceRegistry } from '../registry/resource-registry.js';
import { registerDataSource } from './register-data-source.js';
import { dataSourceClasses, type DataSourceClass } from './resolve-typeorm.js';

const log = logger('typeorm');

/** Options of {@link trackDataSources}. */
export interface TrackDataSourcesOptions {
  /**
   * Where every DataSource initialized from now on is registered.
   * @default the process-wide default `registry` (cleaned up after every test by the integrations)
   */
  registry?: ResourceRegistry;
  /**
   * The DataSource class(es) to watch, for a project that has more than one copy of TypeORM
   * or loads it from somewhere `require('typeorm')` from the working directory does not reach.
   * @default `require('typeorm').DataSource`, resolved from `process.cwd()`
   */
  DataSource?: DataSourceClass | readonly DataSourceClass[];
}

type Initialize = (this: DataSource, ...args: unknown[]) => Promise<DataSource>;

/** One patched prototype: its original initialize() and the registries that want its DataSources. */
interface Patch {
  readonly original: Initialize;
  readonly wrapper: Initialize;
  readonly registries: ResourceRegistry[];
}

// Shared by the ESM and CJS builds, so two copies of custodian patch a prototype once.
const patches = globalSlot('typeorm.patches', () => new Map<object, Patch>());

function patch(prototype: { initialize: Initialize }): Patch {
  const existing = patches.get(prototype);
  if (existing !== undefined) return existing;
  const original = prototype.initialize;
  const registries: ResourceRegistry[] = [];
  const wrapper: Initialize = async function initialize(this: DataSource, ...args: unknown[]) {
    // initialize() on an initialized DataSource returns at once; it was registered back then.
    const wasInitialized = this.isInitialized;
    const result = await original.apply(this, args);
    if (!wasInitialized && this.isInitialized) {
      for (const registry of registries) {
        if (registry.disposed) continue;
        const registration = registerDataSource(registry, this);
        if (log.enabled) log('tracked %s in "%s"', registration.name, registry.name);
      }
    }
    return result;
  };
  const created: Patch = { original, wrapper, registries };
  Object.defineProperty(prototype, 'initialize', { value: wrapper, configurable: true, writable: true, enumerable: false });
  patches.set(prototype, created);
  return created;
}

function unpatch(prototype: { initialize: Initialize }, entry: Patch): void {
  if (entry.registries.length > 0) return;
  patches.delete(prototype);
  // Someone patched it again on top of us: leave their wrapper, ours now only passes through.
  if (prototype.initialize === entry.wrapper) {
    Object.defineProperty(prototype, 'initialize', { value: entry.original, configurable: true, writable: true, enumerable: false });
  }
}

/**
 * Registers every TypeORM DataSource initialized from now on, with TypeORM 0.3 and 1.x: it
 * wraps `DataSource.prototype.initialize` of the user's `typeorm` (or of the classes given),
 * so a DataSource a test (or the code under test) creates and forgets is destroyed by the next
 * cleanup, and its pool stops holding server connections. DataSources initialized before the
 * call are not affected; register those yourself.
 *
 * Disposing the returned handle stops the tracking (DataSources already registered stay
 * registered); once no tracker is left the original `initialize` is put back. Calling it twice
 * with the same registry tracks once per call: dispose each handle.
 *
 * @throws {CustodianError} code `ERR_UNSUPPORTED_RESOURCE` when `typeorm` cannot be loaded and
 *   no `DataSource` option is given.
 * @example
 * ```ts
 * // vitest.setup.ts
 * import { trackDataSources } from 'custodian/typeorm';
 * trackDataSources();                      // into the default registry
 * afterEach(() => cleanupAll());           // every DataSource a test initialized is destroyed
 * ```
 */
export function trackDataSources(options: TrackDataSourcesOptions = {}): Disposable {
  if (typeof options !== 'object' || options === null) {
    throw new CustodianTypeError(`trackDataSources() options must be an object, got ${describeValue(options)}`);
  }
  // Duck-typed: a registry from the other build (ESM/CJS) is not an instance of this class.
  if (options.registry !== undefined && typeof (options.registry as { register?: unknown } | null)?.register !== 'function') {
    throw new CustodianTypeError(`trackDataSources() option registry must be a ResourceRegistry, got ${describeValue(options.registry)}`);
  }
  const target = options.registry ?? defaultRegistry;
  const prototypes = dataSourceClasses(options.DataSource, 'trackDataSources()').map(
    (DataSourceClass) => DataSourceClass.prototype as unknown as { initialize: Initialize },
  );
  for (const prototype of new Set(prototypes)) patch(prototype).registries.push(target);
  let active = true;
  return {
    [Symbol.dispose]() {
      if (!active) return;
      active = false;
      for (const prototype of new Set(prototypes)) {
        const entry = patches.get(prototype);
        if (entry === undefined) continue;
        const index = entry.registries.indexOf(target);
        if (index !== -1) entry.registries.splice(index, 1);
        unpatch(prototype, entry);
      }
    },
  };
}
