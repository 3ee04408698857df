import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { resetGlobals } from '../../src/globals/reset-globals.js';
import { clearGlobalsBaseline, setGlobalsBaseline, snapshotGlobals } from '../../src/globals/snapshot.js';
import { isListenerTrackingOn } from '../../src/globals/listener-origins.js';
import { install, uninstall } from '../../src/lifecycle/install.js';
import { exitHandlersInstalled, isExitHandler } from '../../src/_internal/exit-handlers.js';

const g = globalThis as Record<PropertyKey, unknown>;

afterEach(() => {
  clearGlobalsBaseline();
});

describe('resetGlobals', () => {
  it('deletes globals added since the baseline and restores changed and deleted ones', async () => {
    g.__custodianKeep = 'original';
    g.__custodianGone = 'there';
    setGlobalsBaseline();
    g.__custodianAdded = { big: true };
    Object.defineProperty(globalThis, '__custodianHidden', { value: 1, configurable: true, enumerable: false });
    g.__custodianKeep = 'changed';
    delete g.__custodianGone;

    const report = await resetGlobals();

    expect('__custodianAdded' in globalThis).toBe(false);
    expect('__custodianHidden' in globalThis).toBe(false);
    expect(g.__custodianKeep).toBe('original');
    expect(g.__custodianGone).toBe('there');
    expect([...report.globals.added].sort()).toEqual(['__custodianAdded', '__custodianHidden']);
    expect(report.globals.changed).toEqual(['__custodianKeep']);
    expect(report.globals.deleted).toEqual(['__custodianGone']);
    expect(report.globals.unrestorable).toEqual([]);
    delete g.__custodianKeep;
    delete g.__custodianGone;
  });

  it('restores a changed descriptor, not only the value', async () => {
    Object.defineProperty(globalThis, '__custodianAccessor', { get: () => 'getter', configurable: true, enumerable: false });
    setGlobalsBaseline();
    Object.defineProperty(globalThis, '__custodianAccessor', { value: 'data', writable: true, configurable: true, enumerable: true });
    const report = await resetGlobals();
    const descriptor = Object.getOwnPropertyDescriptor(globalThis, '__custodianAccessor')!;
    expect(typeof descriptor.get).toBe('function');
    expect(descriptor.enumerable).toBe(false);
    expect(report.globals.changed).toEqual(['__custodianAccessor']);
    delete g.__custodianAccessor;
  });

  it('reports a non-configurable global it cannot delete instead of throwing', async () => {
    setGlobalsBaseline();
    const key = Symbol('stuck');
    Object.defineProperty(globalThis, key, { value: 1, configurable: false });
    const report = await resetGlobals();
    expect(report.ok).toBe(true);
    expect(report.globals.added).toEqual(['Symbol(stuck)']);
    expect(report.globals.unrestorable).toEqual([expect.objectContaining({ name: 'Symbol(stuck)' })]);
  });

  it('does not report Node globals that materialise on first use', async () => {
    // Fresh processes define these as lazy accessors; touching them turns them into data properties.
    setGlobalsBaseline();
    void (globalThis as { BroadcastChannel?: unknown }).BroadcastChannel;
    void (globalThis as { CompressionStream?: unknown }).CompressionStream;
    const report = await resetGlobals();
    expect(report.globals.changed).toEqual([]);
    expect(report.globals.added).toEqual([]);
  });

  it('restores process.env and reports variable names, never values', async () => {
    process.env.CUSTODIAN_TEST_CHANGED = 'before';
    process.env.CUSTODIAN_TEST_DELETED = 'kept';
    setGlobalsBaseline();
    process.env.CUSTODIAN_TEST_ADDED = 'hunter2-secret';
    process.env.CUSTODIAN_TEST_CHANGED = 'after-secret';
    delete process.env.CUSTODIAN_TEST_DELETED;

    const report = await resetGlobals();

    expect(process.env.CUSTODIAN_TEST_ADDED).toBeUndefined();
    expect(process.env.CUSTODIAN_TEST_CHANGED).toBe('before');
    expect(process.env.CUSTODIAN_TEST_DELETED).toBe('kept');
    expect(report.env).toEqual({ added: ['CUSTODIAN_TEST_ADDED'], changed: ['CUSTODIAN_TEST_CHANGED'], deleted: ['CUSTODIAN_TEST_DELETED'] });
    const text = JSON.stringify(report);
    expect(text).not.toContain('secret');
    expect(text).not.toContain('before');
    delete process.env.CUSTODIAN_TEST_CHANGED;
    delete process.env.CUSTODIAN_TEST_DELETED;
  });

  it('removes process listeners added since the baseline and keeps the baseline ones', async () => {
    const atBaseline = (): void => undefined;
    process.on('SIGUSR2', atBaseline);
    const frameworkCount = process.listenerCount('unhandledRejection');
    setGlobalsBaseline();
    const added = (): void => undefined;
    process.on('unhandledRejection', added);
    process.on('unhandledRejection', added); // twice: both go
    process.once('custodian-test-event', () => undefined);
    process.on('SIGUSR2', () => undefined);

    const report = await resetGlobals();

    expect(process.listenerCount('unhandledRejection')).toBe(frameworkCount);
    expect(process.listenerCount('custodian-test-event')).toBe(0);
    expect(process.listeners('SIGUSR2')).toEqual([atBaseline]);
    expect(report.listeners).toHaveLength(3);
    expect(report.listeners).toEqual(
      expect.arrayContaining([
        { event: 'SIGUSR2', removed: 1, restored: 0 },
        { event: 'custodian-test-event', removed: 1, restored: 0 },
        { event: 'unhandledRejection', removed: 2, restored: 0 },
      ]),
    );
    process.removeListener('SIGUSR2', atBaseline);
  });

  it('puts back baseline listeners a test removed', async () => {
    const mine = (): void => undefined;
    process.on('custodian-restore', mine);
    setGlobalsBaseline();
    process.removeAllListeners('custodian-restore');
    const report = await resetGlobals();
    expect(process.listeners('custodian-restore' as 'exit')).toEqual([mine]);
    expect(report.listeners).toEqual([{ event: 'custodian-restore', removed: 0, restored: 1 }]);
    process.removeListener('custodian-restore', mine);
  });

  it('neither removes custodian\'s own listeners nor puts them back after uninstall()', async () => {
    install();
    setGlobalsBaseline();
    uninstall();
    const report = await resetGlobals();
    expect(exitHandlersInstalled()).toBe(false);
    expect(isListenerTrackingOn()).toBe(false);
    expect(process.listeners('SIGTERM').some((listener) => isExitHandler(listener))).toBe(false);
    expect(report.listeners).toEqual([]);
  });

  it('restores EventEmitter.defaultMaxListeners and an exit code a test cleared', async () => {
    const before = EventEmitter.defaultMaxListeners;
    process.exitCode = 2;
    setGlobalsBaseline();
    EventEmitter.defaultMaxListeners = 99;
    process.exitCode = 0;
    const report = await resetGlobals();
    expect(EventEmitter.defaultMaxListeners).toBe(before);
    expect(process.exitCode).toBe(2);
    expect([...report.settings].sort()).toEqual(['EventEmitter.defaultMaxListeners', 'process.exitCode']);
    process.exitCode = undefined;
  });

  it('never clears an exit code that became a failure code, and says so', async () => {
    setGlobalsBaseline();
    process.exitCode = 3;
    const report = await resetGlobals();
    expect(process.exitCode).toBe(3);
    expect(report.kept).toEqual(['process.exitCode']);
    expect(report.settings).toEqual([]);
    process.exitCode = undefined;
  });

  it('leaves ignored globals, variables and events alone', async () => {
    setGlobalsBaseline();
    g.__frameworkLazy = 1;
    process.env.CUSTODIAN_TOOL_OWNED = 'x';
    const listener = (): void => undefined;
    process.on('custodian-owned', listener);
    const report = await resetGlobals({ ignore: { globals: [/^__framework/], env: ['CUSTODIAN_TOOL_OWNED'], events: ['custodian-owned'] } });
    expect(g.__frameworkLazy).toBe(1);
    expect(process.env.CUSTODIAN_TOOL_OWNED).toBe('x');
    expect(process.listeners('custodian-owned' as 'exit')).toEqual([listener]);
    expect(report.globals.added).toEqual([]);
    expect(report.env.added).toEqual([]);
    expect(report.listeners).toEqual([]);
    delete g.__frameworkLazy;
    delete process.env.CUSTODIAN_TOOL_OWNED;
    process.removeListener('custodian-owned', listener);
  });

  it('restores an explicit snapshot instead of the stored baseline', async () => {
    const snapshot = snapshotGlobals();
    g.__custodianExplicit = true;
    const report = await resetGlobals({ baseline: snapshot });
    expect('__custodianExplicit' in globalThis).toBe(false);
    expect(report.restoredBaseline).toBe(true);
  });

  it('only runs the resets when there is no baseline', async () => {
    g.__custodianNoBaseline = true;
    const report = await resetGlobals();
    expect(g.__custodianNoBaseline).toBe(true);
    expect(report.restoredBaseline).toBe(false);
    delete g.__custodianNoBaseline;
  });

  it('never deletes custodian\'s own process-wide slots', async () => {
    setGlobalsBaseline();
    const slot = Symbol.for('custodian.test-slot');
    (globalThis as Record<symbol, unknown>)[slot] = 1;
    const report = await resetGlobals();
    expect((globalThis as Record<symbol, unknown>)[slot]).toBe(1);
    expect(report.globals.added).toEqual([]);
    delete (globalThis as Record<symbol, unknown>)[slot];
  });

  it('rejects a bad baseline or options with ERR_INVALID_ARGUMENT', async () => {
    await expect(resetGlobals({ baseline: {} as never })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    await expect(resetGlobals(null as never)).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
  });
});
