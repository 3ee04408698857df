import { mkdtempSync, rmSync, watch, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ResourceRegistry } from '../../src/registry/resource-registry.js';
import { findAdapter } from '../../src/adapters/table.js';
import { watcherAdapter } from '../../src/adapters/watchers.js';
import { baselineResources, expectResourcesBack } from './helpers.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'custodian-watch-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('watcherAdapter', () => {
  it('closes a watcher and releases its handle', async () => {
    const baseline = await baselineResources();
    let events = 0;
    const watcher = watch(dir, () => events++);
    expect(findAdapter(watcher)).toBe(watcherAdapter);
    let closeEvents = 0;
    watcher.on('close', () => closeEvents++);
    const registry = new ResourceRegistry();
    expect(registry.register(watcher).name).toBe('fs watcher');
    const report = await registry.cleanupAll();
    expect(report.disposed[0]).toMatchObject({ kind: 'watcher', phase: 'graceful' });
    await expectResourcesBack(baseline, ['FSEventWrap']);
    expect(closeEvents).toBe(1);
    writeFileSync(join(dir, 'after'), 'x');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(events).toBe(0);
  });

  it('closes a recursive watcher', async () => {
    const baseline = await baselineResources();
    const watcher = watch(dir, { recursive: true });
    expect(findAdapter(watcher)).toBe(watcherAdapter);
    const closed = new Promise((resolve) => watcher.once('close', resolve));
    const registry = new ResourceRegistry();
    registry.register(watcher);
    const report = await registry.cleanupAll();
    expect(report.disposed[0]).toMatchObject({ kind: 'watcher', phase: 'graceful' });
    await closed;
    await expectResourcesBack(baseline, ['FSEventWrap']);
  });

  it('reports a watcher that was already closed as closed', async () => {
    const watcher = watch(dir);
    watcher.close();
    const registry = new ResourceRegistry();
    registry.register(watcher);
    const report = await registry.cleanupAll();
    expect(report.disposed[0]!.phase).toBe('closed');
  });

  it('does not claim other event emitters', async () => {
    const { EventEmitter } = await import('node:events');
    expect(watcherAdapter.matches(new EventEmitter())).toBe(false);
    expect(watcherAdapter.matches({ constructor: { name: 'FSWatcher' }, close() {}, ref() {}, unref() {} })).toBe(false);
  });
});
