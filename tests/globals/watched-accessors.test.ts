import { afterEach, describe, expect, it } from 'vitest';
import { resetGlobals } from '../../src/globals/reset-globals.js';
import { clearGlobalsBaseline, getGlobalsBaseline, setGlobalsBaseline } from '../../src/globals/snapshot.js';
import { isWatchedGetter, watchedChanges } from '../../src/globals/watched-accessors.js';

// Accessors shaped like Node 20's lazy globals (configurable, non-enumerable, getter and
// setter), defined before the baseline so that setGlobalsBaseline() watches them.
const g = globalThis as Record<PropertyKey, unknown>;
const cleanups: (() => void)[] = [];

afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
  clearGlobalsBaseline();
});

/** A global that, like Node's lazy ones, becomes a data property holding `value` on first read. */
function defineSelfReplacing(key: string, value: unknown): { loads: () => number } {
  let loads = 0;
  Object.defineProperty(globalThis, key, {
    get() {
      loads++;
      Object.defineProperty(globalThis, key, { value, writable: true });
      return value;
    },
    set(next: unknown) {
      Object.defineProperty(globalThis, key, { value: next, writable: true });
    },
    enumerable: false,
    configurable: true,
  });
  cleanups.push(() => delete g[key]);
  return { loads: () => loads };
}

describe('watched accessors', () => {
  it("watches Node's kind of accessor when the baseline is set, and sees an assignment through its count", async () => {
    defineSelfReplacing('__custodianWatchedA', 'node value');
    setGlobalsBaseline();
    await resetGlobals();
    expect(isWatchedGetter(Object.getOwnPropertyDescriptor(globalThis, '__custodianWatchedA')?.get)).toBe(true);
    const before = watchedChanges();
    g.__custodianWatchedA = 'stub';
    expect(watchedChanges()).toBe(before + 1);
    const report = await resetGlobals();
    expect(report.globals.changed).toEqual(['__custodianWatchedA']);
    // Restored: reading it now gives Node's value, not the stub.
    expect(g.__custodianWatchedA).toBe('node value');
  });

  it("adopts a materialisation on first use, then sees a later assignment to the data property it became", async () => {
    const lazy = defineSelfReplacing('__custodianWatchedB', 'node value');
    setGlobalsBaseline();
    await resetGlobals();
    expect(g.__custodianWatchedB).toBe('node value');
    expect(lazy.loads()).toBe(1);
    expect((await resetGlobals()).globals).toEqual({ added: [], changed: [], deleted: [], unrestorable: [] });
    expect(Object.getOwnPropertyDescriptor(globalThis, '__custodianWatchedB')).toMatchObject({ value: 'node value' });
    // No setter runs now: the cheap check compares the data property's value.
    g.__custodianWatchedB = 'stub';
    expect((await resetGlobals()).globals.changed).toEqual(['__custodianWatchedB']);
    expect(g.__custodianWatchedB).toBe('node value');
  });

  it('puts back at once a getter that does not replace itself, in the global and in the baseline', async () => {
    let reads = 0;
    const get = (): number => ++reads;
    Object.defineProperty(globalThis, '__custodianWatchedC', { get, set() {}, enumerable: false, configurable: true });
    cleanups.push(() => delete g.__custodianWatchedC);
    setGlobalsBaseline();
    await resetGlobals();
    expect(g.__custodianWatchedC).toBe(1);
    expect(Object.getOwnPropertyDescriptor(globalThis, '__custodianWatchedC')?.get).toBe(get);
    expect(getGlobalsBaseline()?.globals.get('__custodianWatchedC')?.get).toBe(get);
    // One full comparison notes it, then nothing: reading it no longer counts as a change.
    expect((await resetGlobals()).globals.changed).toEqual([]);
    const settled = watchedChanges();
    expect(g.__custodianWatchedC).toBe(2);
    expect(watchedChanges()).toBe(settled);
    expect((await resetGlobals()).globals.changed).toEqual([]);
  });

  it('leaves alone process, Buffer and enumerable accessors', () => {
    setGlobalsBaseline();
    for (const key of ['process', 'Buffer']) {
      expect(isWatchedGetter(Object.getOwnPropertyDescriptor(globalThis, key)?.get)).toBe(false);
    }
    Object.defineProperty(globalThis, '__custodianWatchedD', { get: () => 1, set() {}, enumerable: true, configurable: true });
    cleanups.push(() => delete g.__custodianWatchedD);
    setGlobalsBaseline();
    expect(isWatchedGetter(Object.getOwnPropertyDescriptor(globalThis, '__custodianWatchedD')?.get)).toBe(false);
  });

  it('misses a watched global deleted by a test until the exact reset, which puts it back', async () => {
    defineSelfReplacing('__custodianWatchedE', 'node value');
    setGlobalsBaseline();
    await resetGlobals();
    delete g.__custodianWatchedE;
    expect((await resetGlobals()).globals.deleted).toEqual([]);
    expect((await resetGlobals({ full: true })).globals.deleted).toEqual(['__custodianWatchedE']);
    expect(g.__custodianWatchedE).toBe('node value');
  });
});
