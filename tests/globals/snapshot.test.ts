import { EventEmitter } from 'node:events';
import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { clearGlobalsBaseline, getGlobalsBaseline, setGlobalsBaseline, snapshotGlobals } from '../../src/globals/snapshot.js';

afterEach(() => {
  clearGlobalsBaseline();
  delete process.env.CUSTODIAN_SNAPSHOT_SECRET;
});

describe('snapshotGlobals', () => {
  it('records globals with descriptors, env, listeners for every event, defaultMaxListeners and exitCode', () => {
    const listener = (): void => undefined;
    process.on('custodian-snapshot', listener);
    process.env.CUSTODIAN_SNAPSHOT_SECRET = 'swordfish';
    const snapshot = snapshotGlobals();
    process.removeListener('custodian-snapshot', listener);

    expect(snapshot.globals.get('globalThis')).toMatchObject({ value: globalThis });
    expect(snapshot.globals.has('process')).toBe(true);
    expect(snapshot.env.get('CUSTODIAN_SNAPSHOT_SECRET')).toBe('swordfish');
    expect(snapshot.listeners.get('custodian-snapshot')).toEqual([listener]);
    expect(snapshot.defaultMaxListeners).toBe(EventEmitter.defaultMaxListeners);
    expect(snapshot.exitCode).toBe(process.exitCode);
  });

  it('never shows environment values when serialised or inspected', () => {
    process.env.CUSTODIAN_SNAPSHOT_SECRET = 'swordfish';
    const snapshot = snapshotGlobals();
    expect(JSON.stringify(snapshot)).toContain('CUSTODIAN_SNAPSHOT_SECRET');
    expect(JSON.stringify(snapshot)).not.toContain('swordfish');
    expect(inspect(snapshot, { depth: 10 })).not.toContain('swordfish');
  });
});

describe('setGlobalsBaseline', () => {
  it('stores a fresh snapshot, or the one it is given', () => {
    setGlobalsBaseline();
    const taken = getGlobalsBaseline();
    expect(taken).toBeDefined();
    const pinned = snapshotGlobals();
    setGlobalsBaseline(pinned);
    expect(getGlobalsBaseline()).toBe(pinned);
    clearGlobalsBaseline();
    expect(getGlobalsBaseline()).toBeUndefined();
  });

  it('rejects something that is not a snapshot with ERR_INVALID_ARGUMENT', () => {
    expect(() => setGlobalsBaseline({ globals: {} } as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
  });
});
