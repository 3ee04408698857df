import { DataSource } from 'typeorm';
import { describe, expect, it } from 'vitest';
import { registry as defaultRegistry } from '../../src/registry/default-registry.js';
import { closeSharedDataSources, sharedDataSource, sharedDataSourceRegistry } from '../../src/typeorm/shared-data-source.js';
import { trackDataSources } from '../../src/typeorm/track-data-sources.js';

const factory = (): DataSource => new DataSource({ type: 'sqlite', database: ':memory:' });

describe('sharedDataSource', () => {
  it('returns one initialized DataSource per key, to concurrent callers too', async () => {
    let created = 0;
    const make = (): DataSource => {
      created++;
      return factory();
    };
    const [a, b] = await Promise.all([sharedDataSource('one', make), sharedDataSource('one', make)]);
    const c = await sharedDataSource('one', make);
    const other = await sharedDataSource('two', make);
    expect(a).toBe(b);
    expect(a).toBe(c);
    expect(other).not.toBe(a);
    expect(created).toBe(2);
    expect(a.isInitialized).toBe(true);
    await closeSharedDataSources();
    expect(a.isInitialized || other.isInitialized).toBe(false);
  });

  it('survives the per-test cleanup of the default registry, even while tracking is on', async () => {
    using _tracking = trackDataSources();
    const shared = await sharedDataSource('tracked', () => factory().initialize());
    const perTest = await factory().initialize();

    const report = await defaultRegistry.cleanupAll();
    expect(report.disposed).toHaveLength(1);
    expect(perTest.isInitialized).toBe(false);
    expect(shared.isInitialized).toBe(true);
    expect(sharedDataSourceRegistry().size).toBe(1);

    await closeSharedDataSources();
    expect(shared.isInitialized).toBe(false);
    expect(sharedDataSourceRegistry().size).toBe(0);
  });

  it('creates a new DataSource after the shared one was closed, and does not cache a failing factory', async () => {
    const first = await sharedDataSource('again', factory);
    await closeSharedDataSources();
    const second = await sharedDataSource('again', factory);
    expect(second).not.toBe(first);
    expect(second.isInitialized).toBe(true);

    await expect(sharedDataSource('broken', () => Promise.reject(new Error('no database')))).rejects.toThrow('no database');
    const fixed = await sharedDataSource('broken', factory);
    expect(fixed.isInitialized).toBe(true);
    await closeSharedDataSources();
  });

  it('rejects a bad key or factory', () => {
    expect(() => sharedDataSource('', factory)).toThrow(TypeError);
    expect(() => sharedDataSource('k', 'nope' as never)).toThrow(TypeError);
  });
});
