import { describe, expect, it } from 'vitest';
import { forceGc } from '../../src/memory/force-gc.js';

describe('forceGc', () => {
  it('runs a real full GC without --expose-gc', async () => {
    expect(process.execArgv.join(' ')).not.toContain('expose-gc');
    let garbage: { payload: number[] } | undefined = { payload: new Array(100_000).fill(1) };
    const ref = new WeakRef(garbage);
    garbage = undefined;
    await new Promise((resolve) => setImmediate(resolve));
    expect(forceGc()).toBe(true);
    expect(ref.deref()).toBeUndefined();
  });
});
