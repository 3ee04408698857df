import { DataSource } from 'typeorm';
import { DataSource as DataSource1 } from 'typeorm1';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ResourceRegistry } from '../../src/registry/resource-registry.js';
import { trackDataSources } from '../../src/typeorm/track-data-sources.js';
import { isCustodianError } from '../../src/errors.js';

describe('trackDataSources', () => {
  it("registers every DataSource of the project's typeorm (0.3, sqlite3) initialized afterwards", async () => {
    const registry = new ResourceRegistry({ name: 'tracked' });
    using _tracking = trackDataSources({ registry });
    const first = await new DataSource({ type: 'sqlite', database: ':memory:' }).initialize();
    const second = await new DataSource({ type: 'sqlite', database: ':memory:' }).initialize();
    expect(registry.snapshot().map((info) => info.name)).toEqual([
      'typeorm sqlite :memory: (initialized)',
      'typeorm sqlite :memory: (initialized)',
    ]);

    const report = await registry.cleanupAll();
    expect(report.disposed).toHaveLength(2);
    expect(first.isInitialized || second.isInitialized).toBe(false);
  });

  it('tracks TypeORM 1.x (better-sqlite3) when given its DataSource class', async () => {
    const registry = new ResourceRegistry({ name: 'tracked' });
    using _tracking = trackDataSources({ registry, DataSource: DataSource1 });
    const dataSource = await new DataSource1({ type: 'better-sqlite3', database: ':memory:' }).initialize();
    expect(registry.size).toBe(1);
    await registry.cleanupAll();
    expect(dataSource.isInitialized).toBe(false);
  });

  it('registers a DataSource once per initialization, and again after a destroy', async () => {
    const registry = new ResourceRegistry({ name: 'tracked' });
    using _tracking = trackDataSources({ registry });
    const dataSource = new DataSource({ type: 'sqlite', database: ':memory:' });
    await dataSource.initialize();
    // TypeORM rejects a second initialize(); the wrapper passes that through and registers nothing.
    await expect(dataSource.initialize()).rejects.toThrow();
    expect(registry.size).toBe(1);
    await registry.cleanupAll();
    await dataSource.initialize();
    expect(registry.size).toBe(1);
    await registry.cleanupAll();
    expect(dataSource.isInitialized).toBe(false);
  });

  it('stops tracking and restores initialize() once its handle is disposed', async () => {
    const original = DataSource.prototype.initialize;
    const registry = new ResourceRegistry({ name: 'tracked' });
    const tracking = trackDataSources({ registry });
    expect(DataSource.prototype.initialize).not.toBe(original);
    tracking[Symbol.dispose]();
    tracking[Symbol.dispose]();
    expect(DataSource.prototype.initialize).toBe(original);

    const dataSource = await new DataSource({ type: 'sqlite', database: ':memory:' }).initialize();
    expect(registry.size).toBe(0);
    await dataSource.destroy();
  });

  it('feeds several registries while several trackers are active', async () => {
    const a = new ResourceRegistry({ name: 'a' });
    const b = new ResourceRegistry({ name: 'b' });
    using _a = trackDataSources({ registry: a });
    {
      using _b = trackDataSources({ registry: b });
      await new DataSource({ type: 'sqlite', database: ':memory:' }).initialize();
    }
    await new DataSource({ type: 'sqlite', database: ':memory:' }).initialize();
    expect([a.size, b.size]).toEqual([2, 1]);
    await b.cleanupAll();
    const report = await a.cleanupAll();
    // The one b closed is found closed by a.
    expect(report.disposed).toHaveLength(2);
  });

  it("says how to fix it when the project's typeorm cannot be found", () => {
    const cwd = process.cwd();
    // Somewhere no node_modules above can provide typeorm (os.tmpdir() may have one).
    const empty = mkdtempSync(join(existsSync('/var/tmp') ? '/var/tmp' : tmpdir(), 'custodian-no-typeorm-'));
    process.chdir(empty);
    try {
      let error: unknown;
      try {
        trackDataSources();
      } catch (caught) {
        error = caught;
      }
      expect(isCustodianError(error, 'ERR_UNSUPPORTED_RESOURCE')).toBe(true);
    } finally {
      process.chdir(cwd);
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('rejects a DataSource option that is not a class and a registry that is not one', () => {
    expect(() => trackDataSources({ DataSource: {} as never })).toThrow(TypeError);
    let error: unknown;
    try {
      trackDataSources({ registry: {} as never });
    } catch (caught) {
      error = caught;
    }
    expect(isCustodianError(error, 'ERR_INVALID_ARGUMENT')).toBe(true);
  });
});
