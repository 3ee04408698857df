import { describe, expect, it, vi } from 'vitest';
import { ResourceRegistry } from '../../src/registry/resource-registry.js';
import { immediateAdapter, timeoutAdapter } from '../../src/adapters/timers.js';
import { findAdapter } from '../../src/adapters/table.js';
import { baselineResources, expectResourcesBack, nextTurn } from './helpers.js';

describe('timeoutAdapter', () => {
  it('recognises timeouts and intervals, and nothing else', () => {
    const timeout = setTimeout(() => undefined, 60_000);
    const interval = setInterval(() => undefined, 60_000);
    try {
      expect(findAdapter(timeout)).toBe(timeoutAdapter);
      expect(findAdapter(interval)).toBe(timeoutAdapter);
      expect(timeoutAdapter.matches({})).toBe(false);
      expect(timeoutAdapter.matches(setImmediate)).toBe(false);
    } finally {
      clearTimeout(timeout);
      clearInterval(interval);
    }
  });

  it('clears timeouts and intervals so they never fire and hold no handle', async () => {
    const baseline = await baselineResources();
    const registry = new ResourceRegistry();
    let fired = 0;
    registry.register(setTimeout(() => fired++, 10));
    registry.register(setInterval(() => fired++, 5));
    registry.register(setTimeout(() => fired++, 50).unref());
    const report = await registry.cleanupAll();
    expect(report.disposed.map((outcome) => outcome.phase)).toEqual(['graceful', 'graceful', 'graceful']);
    expect(report.disposed.map((outcome) => outcome.kind)).toEqual(['timer', 'timer', 'timer']);
    await expectResourcesBack(baseline, ['Timeout']);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(fired).toBe(0);
  });

  it('reports a timeout that already fired, or was cleared, as closed', async () => {
    const registry = new ResourceRegistry();
    const fired = setTimeout(() => undefined, 1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const cleared = setInterval(() => undefined, 1000);
    clearInterval(cleared);
    registry.register(fired);
    registry.register(cleared);
    const report = await registry.cleanupAll();
    expect(report.disposed.map((outcome) => outcome.phase)).toEqual(['closed', 'closed']);
  });

  it('does not claim every object when loaded under fake timers', async () => {
    vi.useFakeTimers();
    vi.resetModules();
    let fresh: typeof import('../../src/adapters/timers.js');
    try {
      fresh = await import('../../src/adapters/timers.js');
    } finally {
      vi.useRealTimers();
    }
    const timeout = setTimeout(() => undefined, 60_000);
    try {
      expect(fresh.timeoutAdapter.matches({})).toBe(false);
      expect(fresh.timeoutAdapter.matches(new Map())).toBe(false);
      expect(fresh.timeoutAdapter.matches(timeout)).toBe(true);
      expect(fresh.immediateAdapter.matches({})).toBe(false);
    } finally {
      clearTimeout(timeout);
    }
  });

  it('describes itself as timeout or interval with its delay', () => {
    const timeout = setTimeout(() => undefined, 1500);
    const interval = setInterval(() => undefined, 250).unref();
    try {
      expect(timeoutAdapter.describe!(timeout)).toBe('timeout 1500 ms');
      expect(timeoutAdapter.describe!(interval)).toBe('interval 250 ms (unref)');
    } finally {
      clearTimeout(timeout);
      clearInterval(interval);
    }
    expect(timeoutAdapter.describe!(interval)).toBe('interval 250 ms (unref)');
  });
});

describe('immediateAdapter', () => {
  it('clears an immediate before it runs', async () => {
    const baseline = await baselineResources();
    const registry = new ResourceRegistry();
    let ran = false;
    const immediate = setImmediate(() => {
      ran = true;
    });
    expect(findAdapter(immediate)).toBe(immediateAdapter);
    const registration = registry.register(immediate);
    expect(registration.name).toBe('immediate');
    const report = await registry.cleanupAll();
    expect(report.disposed).toHaveLength(1);
    expect(report.disposed[0]!.phase).toBe('graceful');
    await expectResourcesBack(baseline, ['Immediate']);
    expect(ran).toBe(false);
  });

  it('reports an immediate that already ran as closed', async () => {
    const registry = new ResourceRegistry();
    const immediate = setImmediate(() => undefined);
    await nextTurn();
    await nextTurn();
    registry.register(immediate);
    const report = await registry.cleanupAll();
    expect(report.disposed[0]!.phase).toBe('closed');
  });
});
