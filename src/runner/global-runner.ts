import { peekGlobalSlot, setGlobalSlot } from '../_internal/global-slot.js';
// Only the type: cleanupAll() imports this module, and the runner class (with p-limit) loads
// only where a runner is created (get-global-runner.ts, the main entry).
import type { AsyncRunner } from './async-runner.js';
import type { ShutdownOptions, ShutdownReport } from './types.js';

// Shared through globalThis, so the ESM and CJS copies of the library (and every entry point)
// see one global runner. Only `closed` and `shutdown()` are relied on across copies.
export const GLOBAL_RUNNER_SLOT = 'globalRunner';

/**
 * Shuts the global runner down (see `AsyncRunner.shutdown()`) and forgets it, so the next
 * `getGlobalRunner()` builds a fresh one; it is forgotten before the shutdown starts, so
 * work started meanwhile goes to a new runner. Resolves with the report, or `undefined` when
 * no global runner existed. Never rejects, except with a TypeError/RangeError on bad options.
 */
export async function shutdownGlobalRunner(options?: ShutdownOptions): Promise<ShutdownReport | undefined> {
  const runner = peekGlobalSlot<AsyncRunner>(GLOBAL_RUNNER_SLOT);
  if (runner === undefined) return undefined;
  // shutdown() validates the options and closes the runner synchronously, before it is forgotten.
  const report = runner.shutdown(options);
  if (peekGlobalSlot<AsyncRunner>(GLOBAL_RUNNER_SLOT) === runner) setGlobalSlot(GLOBAL_RUNNER_SLOT, undefined);
  return report;
}

/**
 * Whether a global runner exists right now, without creating one: a synchronous, cheap check
 * for `cleanupAll()`, whose runner step is skipped when there is nothing to shut down.
 */
export function hasGlobalRunner(): boolean {
  return peekGlobalSlot<AsyncRunner>(GLOBAL_RUNNER_SLOT) !== undefined;
}
