import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { resetGlobals, resetGlobalsQuick } from '../../src/globals/reset-globals.js';
import { clearGlobalsBaseline, getGlobalsBaseline, setGlobalsBaseline } from '../../src/globals/snapshot.js';
import { checkGlobalPropertiesPerReset, envLooksClean } from '../../src/globals/clean-state.js';

// Each test starts after one reset, so the state is marked clean and the next reset goes
// through the cheap check: what it must still see, and what only { full: true } sees.
const g = globalThis as Record<PropertyKey, unknown>;
const cleanups: (() => void)[] = [];

beforeEach(async () => {
  setGlobalsBaseline();
  await resetGlobals();
});

afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
  vi.unstubAllEnvs();
  vi.unstubAllGlobals();
  clearGlobalsBaseline();
});

describe('resetGlobals after a clean reset (the cheap check)', () => {
  it('changes nothing and reports nothing when nothing changed', async () => {
    const report = await resetGlobals();
    expect(report.restoredBaseline).toBe(true);
    expect(report.globals).toEqual({ added: [], changed: [], deleted: [], unrestorable: [] });
    expect(report.env).toEqual({ added: [], changed: [], deleted: [] });
  });

  it('sees an environment variable set, changed or deleted through process.env', async () => {
    process.env.CUSTODIAN_CLEAN_ADDED = 'x';
    const report = await resetGlobals();
    expect(report.env.added).toEqual(['CUSTODIAN_CLEAN_ADDED']);
    expect('CUSTODIAN_CLEAN_ADDED' in process.env).toBe(false);
    expect((await resetGlobals()).env.added).toEqual([]);
  });

  it('sees a global assigned, a symbol-keyed global added, and vi.stubGlobal', async () => {
    const key = Symbol('custodian clean');
    g.__custodianClean = 1;
    g[key] = 2;
    vi.stubGlobal('__custodianStubbed', 3);
    const report = await resetGlobals();
    expect([...report.globals.added].sort()).toEqual(['Symbol(custodian clean)', '__custodianClean', '__custodianStubbed']);
    expect('__custodianClean' in globalThis || key in globalThis || '__custodianStubbed' in globalThis).toBe(false);
  });

  it('sees a non-enumerable data global replaced or deleted', async () => {
    const original = globalThis.URL;
    cleanups.push(() => (globalThis.URL = original));
    globalThis.URL = class FakeUrl {} as unknown as typeof URL;
    expect((await resetGlobals()).globals.changed).toEqual(['URL']);
    expect(globalThis.URL).toBe(original);
    delete (g as { URL?: unknown }).URL;
    expect((await resetGlobals()).globals.deleted).toEqual(['URL']);
    expect(globalThis.URL).toBe(original);
  });

  it('sees a change to a data global whose name is not an identifier, and to one holding NaN', async () => {
    // Baseline globals read by index rather than by name in the generated check.
    const odd = 'custodian odd-name';
    setGlobalsBaseline();
    Object.defineProperty(globalThis, odd, { value: 1, writable: true, configurable: true, enumerable: false });
    g.__custodianNaN = Number.NaN;
    cleanups.push(() => {
      delete g[odd];
      delete g.__custodianNaN;
    });
    setGlobalsBaseline();
    await resetGlobals();
    expect((await resetGlobals()).globals).toEqual({ added: [], changed: [], deleted: [], unrestorable: [] });
    g[odd] = 2;
    g.__custodianNaN = 3;
    expect([...(await resetGlobals()).globals.changed].sort()).toEqual(['__custodianNaN', odd]);
    expect(g[odd]).toBe(1);
    expect(g.__custodianNaN).toBeNaN();
  });

  it('sees an accessor global replaced through its setter, and never calls a getter to check', async () => {
    clearGlobalsBaseline();
    let reads = 0;
    // Shaped like Node's lazy globals: the setter turns the accessor into a data property.
    const descriptor = {
      get: () => ++reads,
      set(value: unknown) {
        Object.defineProperty(globalThis, '__custodianLazy', { value, writable: true, configurable: true, enumerable: false });
      },
      configurable: true,
      enumerable: false,
    };
    Object.defineProperty(globalThis, '__custodianLazy', descriptor);
    cleanups.push(() => delete g.__custodianLazy);
    setGlobalsBaseline();
    await resetGlobals();
    await resetGlobals();
    expect(reads).toBe(0);
    g.__custodianLazy = 'replaced';
    const report = await resetGlobals();
    expect(report.globals.changed).toEqual(['__custodianLazy']);
    // Back as the baseline had it: the watching accessor over the original (see
    // watched-accessors.test.ts), whose first read finds that this getter does not replace itself
    // and puts the original back.
    const read = g.__custodianLazy;
    expect(read).toBe(reads);
    expect(Object.getOwnPropertyDescriptor(globalThis, '__custodianLazy')?.get).toBe(descriptor.get);
  });

  it('sees a process listener added, and a baseline listener removed', async () => {
    clearGlobalsBaseline();
    const atBaseline = (): void => undefined;
    process.on('custodian-clean', atBaseline);
    cleanups.push(() => process.removeAllListeners('custodian-clean'));
    setGlobalsBaseline();
    await resetGlobals();
    process.on('custodian-clean', () => undefined);
    expect((await resetGlobals()).listeners).toEqual([{ event: 'custodian-clean', removed: 1, restored: 0 }]);
    process.removeListener('custodian-clean', atBaseline);
    expect((await resetGlobals()).listeners).toEqual([{ event: 'custodian-clean', removed: 0, restored: 1 }]);
    expect(process.listeners('custodian-clean' as 'exit')).toEqual([atBaseline]);
    process.on('custodian-clean-other', () => undefined);
    expect((await resetGlobals()).listeners).toEqual([{ event: 'custodian-clean-other', removed: 1, restored: 0 }]);
    expect((await resetGlobals()).listeners).toEqual([]);
  });

  it('misses a non-enumerable global added on its own, which a full reset removes', async () => {
    Object.defineProperty(globalThis, '__custodianQuiet', { value: 1, configurable: true, enumerable: false, writable: true });
    cleanups.push(() => delete g.__custodianQuiet);
    expect((await resetGlobals()).globals.added).toEqual([]);
    const report = await resetGlobals({ full: true });
    expect(report.globals.added).toEqual(['__custodianQuiet']);
    expect('__custodianQuiet' in globalThis).toBe(false);
  });

  it('misses a write through a reference kept from before, in a test that did not use process.env; a full reset undoes it', async () => {
    const env = process.env;
    env.CUSTODIAN_CLEAN_KEPT = 'baseline';
    cleanups.push(() => delete env.CUSTODIAN_CLEAN_KEPT);
    setGlobalsBaseline();
    await resetGlobals();
    env.CUSTODIAN_CLEAN_OLD_REF = 'x';
    delete env.CUSTODIAN_CLEAN_KEPT;
    expect((await resetGlobals()).env).toEqual({ added: [], changed: [], deleted: [] });
    const report = await resetGlobals({ full: true });
    expect(report.env).toEqual({ added: ['CUSTODIAN_CLEAN_OLD_REF'], changed: [], deleted: ['CUSTODIAN_CLEAN_KEPT'] });
    expect(process.env.CUSTODIAN_CLEAN_KEPT).toBe('baseline');
    expect('CUSTODIAN_CLEAN_OLD_REF' in process.env).toBe(false);
  });

  it('compares the environment after any read of process.env', async () => {
    const env = process.env;
    env.CUSTODIAN_CLEAN_READ = 'x';
    void process.env.HOME;
    expect((await resetGlobals()).env.added).toEqual(['CUSTODIAN_CLEAN_READ']);
  });

  it('answers a test that only read process.env from the cheap check, after one exact comparison', () => {
    const baseline = getGlobalsBaseline()!;
    void process.env.HOME;
    expect(envLooksClean(baseline, undefined)).toBe(false);
    const report = resetGlobalsQuick(undefined);
    expect(report?.env).toEqual({ added: [], changed: [], deleted: [] });
    // Recorded as clean: the next test that does not touch process.env skips the comparison.
    expect(envLooksClean(baseline, undefined)).toBe(true);
  });

  it('leaves a test that changed process.env to the full reset, touching nothing itself', async () => {
    process.env.CUSTODIAN_CLEAN_QUICK = 'x';
    expect(resetGlobalsQuick(undefined)).toBeUndefined();
    expect(process.env.CUSTODIAN_CLEAN_QUICK).toBe('x');
    expect((await resetGlobals()).env.added).toEqual(['CUSTODIAN_CLEAN_QUICK']);
  });

  it('counts uses again when a test redefined process.env as a data property', async () => {
    const env = process.env;
    Object.defineProperty(process, 'env', { value: env, writable: true, enumerable: true, configurable: true });
    env.CUSTODIAN_CLEAN_REDEFINED = 'x';
    expect((await resetGlobals()).env.added).toEqual(['CUSTODIAN_CLEAN_REDEFINED']);
    expect(typeof Object.getOwnPropertyDescriptor(process, 'env')?.get).toBe('function');
  });

  it('adopts the undici dispatcher slots Node creates on first use instead of reporting them', async () => {
    const { getGlobalDispatcher } = await import('undici');
    getGlobalDispatcher();
    const report = await resetGlobals({ full: true });
    expect(report.globals.added.filter((name) => name.includes('undici'))).toEqual([]);
    expect(report.globals.unrestorable).toEqual([]);
    expect(getGlobalsBaseline()?.globals.has(Symbol.for('undici.globalDispatcher.1'))).toBe(true);
  });

  it('rejects a full option that is not a boolean with ERR_INVALID_ARGUMENT', async () => {
    await expect(resetGlobals({ full: 'yes' as never })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
  });
});

describe('resetGlobals with global properties left to the exact reset (the jest integration)', () => {
  it('still restores the environment after every reset, and the properties with { full: true }', async () => {
    checkGlobalPropertiesPerReset(false);
    cleanups.push(() => checkGlobalPropertiesPerReset(true));
    g.__custodianPerFile = 1;
    cleanups.push(() => delete g.__custodianPerFile);
    process.env.CUSTODIAN_PER_FILE = 'x';
    const cheap = await resetGlobals();
    expect(cheap.globals.added).toEqual([]);
    expect(g.__custodianPerFile).toBe(1);
    expect(cheap.env.added).toEqual(['CUSTODIAN_PER_FILE']);
    const full = await resetGlobals({ full: true });
    expect(full.globals.added).toEqual(['__custodianPerFile']);
    expect('__custodianPerFile' in g).toBe(false);
  });
});
