import { afterEach, describe, expect, it } from 'vitest';
import { getMemoryMonitor, peekMemoryMonitor, setMemoryMonitor } from '../../src/memory/global-monitor.js';
import { MemoryMonitor } from '../../src/memory/memory-monitor.js';

describe('getMemoryMonitor', () => {
  afterEach(() => setMemoryMonitor(undefined));

  it('creates one process-wide monitor on first use and returns it after', () => {
    expect(peekMemoryMonitor()).toBeUndefined();
    const first = getMemoryMonitor({ gc: 'never' });
    expect(getMemoryMonitor({ gc: 'always' })).toBe(first);
    expect(first.mode).toBe('never');
    // Shared with the other build through custodian's one process-wide object on globalThis.
    expect((globalThis as Record<symbol, Record<string, unknown>>)[Symbol.for('custodian.slots')]!.memoryMonitor).toBe(first);
  });

  it('is replaced by setMemoryMonitor', () => {
    const mine = new MemoryMonitor({ gc: 'always' });
    setMemoryMonitor(mine);
    expect(getMemoryMonitor()).toBe(mine);
    setMemoryMonitor(undefined);
    expect(peekMemoryMonitor()).toBeUndefined();
  });
});
