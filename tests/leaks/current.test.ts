import { afterEach, describe, expect, it } from 'vitest';
import { isCustodianError } from '../../src/errors.js';
import { checkLeaks, getActiveTracker, setActiveTracker } from '../../src/leaks/current.js';
import { trackHandles } from '../../src/leaks/handle-tracker.js';
import { LeakDetectedError } from '../../src/leaks/leak-error.js';
import { listeningServer } from './_resources.js';

afterEach(() => {
  getActiveTracker()?.stop();
  setActiveTracker(undefined);
});

describe('setActiveTracker', () => {
  it('shares the tracker through a process-wide slot', () => {
    expect(getActiveTracker()).toBeUndefined();
    const tracker = trackHandles();
    setActiveTracker(tracker);
    expect(getActiveTracker()).toBe(tracker);
    expect((globalThis as Record<symbol, Record<string, unknown>>)[Symbol.for('custodian.slots')]!.activeTracker).toBe(tracker);
  });
});

describe('checkLeaks', () => {
  it('does nothing without an active tracker or with off', async () => {
    expect(await checkLeaks('fail')).toBeUndefined();
    setActiveTracker(trackHandles());
    expect(await checkLeaks('off')).toBeUndefined();
  });

  it('reports without closing under warn', async () => {
    const tracker = trackHandles();
    setActiveTracker(tracker);
    tracker.begin('warns');
    const interval = setInterval(() => undefined, 1000);
    const report = await checkLeaks('warn');
    clearInterval(interval);
    expect(report).toMatchObject({ scope: 'warns', leaks: [{ kind: 'timer', disposed: false }] });
  });

  it('closes under dispose', async () => {
    const tracker = trackHandles();
    setActiveTracker(tracker);
    tracker.begin('disposes');
    const server = await listeningServer();
    const report = await checkLeaks('dispose');
    expect(report?.leaks).toMatchObject([{ kind: 'server', disposed: true }]);
    expect(server.listening).toBe(false);
  });

  it('closes and rejects with ERR_LEAK_DETECTED under fail', async () => {
    const tracker = trackHandles({ stacks: true });
    setActiveTracker(tracker);
    tracker.begin('fails');
    const interval = setInterval(() => undefined, 1000);
    const error: unknown = await checkLeaks('fail').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LeakDetectedError);
    expect(isCustodianError(error, 'ERR_LEAK_DETECTED')).toBe(true);
    expect((error as LeakDetectedError).report).toMatchObject({ scope: 'fails', leaks: [{ kind: 'timer', disposed: true }] });
    expect((interval as unknown as { _destroyed: boolean })._destroyed).toBe(true);
    // The message names the leak, where it was created and the way out.
    const message = (error as Error).message;
    expect(message).toContain('interval 1000 ms');
    expect(message).toContain('current.test.ts');
    expect(message).toContain('registry.register');
  });

  it('resolves with an empty report for a clean test under fail', async () => {
    const tracker = trackHandles();
    setActiveTracker(tracker);
    tracker.begin('clean');
    expect(await checkLeaks('fail')).toEqual({ scope: 'clean', leaks: [] });
  });
});
