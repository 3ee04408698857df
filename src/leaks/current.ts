import { peekGlobalSlot, setGlobalSlot } from '../_internal/global-slot.js';
import type { HandleTracker } from './handle-tracker.js';
import { LeakDetectedError } from './leak-error.js';
import type { LeakReport } from './types.js';

/**
 * What to do with the handles a test leaves open: `'off'` do not look, `'warn'` report them,
 * `'dispose'` report and close them (so the next test starts clean), `'fail'` close them and
 * fail the test with a {@link LeakDetectedError}.
 */
export type LeakAction = 'off' | 'warn' | 'dispose' | 'fail';

const SLOT = 'activeTracker';

/**
 * The tracker the integrations (and `cleanupAll()`) check after each test, shared by every
 * entry point and by the ESM and CJS copies, or `undefined` when none is set.
 */
export function getActiveTracker(): HandleTracker | undefined {
  return peekGlobalSlot<HandleTracker>(SLOT);
}

/** Makes `tracker` the process-wide active tracker (`undefined` forgets it; it is not stopped). */
export function setActiveTracker(tracker: HandleTracker | undefined): void {
  setGlobalSlot(SLOT, tracker);
}


/**
 * Ends the active tracker's current test (or, outside a test, runs the end-of-file check) and
 * acts on what it found: closes leaked handles under `'dispose'` and `'fail'`, and rejects with
 * a {@link LeakDetectedError} under `'fail'` when anything leaked. Resolves with the report, or
 * `undefined` when the action is `'off'` or no tracker is active.
 */
export async function checkLeaks(action: LeakAction): Promise<LeakReport | undefined> {
  const tracker = getActiveTracker();
  if (action === 'off' || tracker === undefined || tracker.stopped) return undefined;
  const report = await tracker.end({ dispose: action === 'dispose' || action === 'fail' });
  if (action === 'fail' && report.leaks.length > 0) throw new LeakDetectedError(report);
  return report;
}
