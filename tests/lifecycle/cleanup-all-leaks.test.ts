import { afterEach, describe, expect, it } from 'vitest';
import { setActiveTracker } from '../../src/leaks/current.js';
import { trackHandles, type HandleTracker } from '../../src/leaks/handle-tracker.js';
import { cleanupAll } from '../../src/lifecycle/cleanup-all.js';
import { configure, resetConfiguration } from '../../src/lifecycle/configure.js';
import { isCustodianError } from '../../src/errors.js';

let tracker: HandleTracker | undefined;

// Node marks a cleared timer destroyed; hasRef() keeps its old answer.
const isCleared = (timer: NodeJS.Timeout): boolean => (timer as NodeJS.Timeout & { _destroyed?: boolean })._destroyed === true;

function startTracking(testName: string): HandleTracker {
  tracker = trackHandles();
  setActiveTracker(tracker);
  tracker.begin(testName);
  return tracker;
}

afterEach(() => {
  tracker?.stop();
  tracker = undefined;
  setActiveTracker(undefined);
  resetConfiguration();
});

describe('cleanupAll (leak check step)', () => {
  it('reports and closes what the running test leaked under leaks: dispose', async () => {
    configure({ leaks: 'dispose' });
    const timers = (): number => process.getActiveResourcesInfo().filter((type) => type === 'Timeout').length;
    const baseline = timers();
    startTracking('leaks an interval');
    const interval = setInterval(() => undefined, 60_000);
    const report = await cleanupAll();
    expect(report.leaks?.leaks).toHaveLength(1);
    expect(report.leaks?.leaks[0]).toMatchObject({ kind: 'timer', test: 'leaks an interval', disposed: true });
    expect(report.steps.find((step) => step.step === 'leaks')?.status).toBe('ok');
    expect(isCleared(interval)).toBe(true);
    // Other timers (the runner's own) may come and go; ours must not be among those left.
    expect(timers()).toBeLessThanOrEqual(baseline);
  });

  it('rejects with ERR_LEAK_DETECTED under leaks: fail, after closing the leak', async () => {
    configure({ leaks: 'fail' });
    startTracking('leaks a timeout');
    const timeout = setTimeout(() => undefined, 60_000);
    const error = await cleanupAll().catch((caught: unknown) => caught);
    expect(isCustodianError(error, 'ERR_LEAK_DETECTED')).toBe(true);
    expect((error as Error).message).toContain('leaks a timeout');
    expect(isCleared(timeout)).toBe(true);
  });

  it('only reports under leaks: warn', async () => {
    configure({ leaks: 'warn' });
    startTracking('warns');
    const interval = setInterval(() => undefined, 60_000);
    const report = await cleanupAll();
    expect(report.leaks?.leaks[0]).toMatchObject({ disposed: false });
    expect(isCleared(interval)).toBe(false);
    clearInterval(interval);
  });

  it('skips the check outside a test, leaving the end-of-file check to the integration', async () => {
    startTracking('ended');
    await cleanupAll();
    const interval = setInterval(() => undefined, 60_000);
    const report = await cleanupAll();
    expect(report.leaks).toBeUndefined();
    expect(report.steps.find((step) => step.step === 'leaks')?.status).toBe('skipped');
    clearInterval(interval);
  });
});
