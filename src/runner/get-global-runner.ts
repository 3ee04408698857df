import { globalSlot, peekGlobalSlot, setGlobalSlot } from '../_internal/global-slot.js';
import { AsyncRunner } from './async-runner.js';
import { GLOBAL_RUNNER_SLOT } from './global-runner.js';

/**
 * The process-wide runner, created on first use (named `'global'`, default options). A closed
 * one (shut down directly rather than through {@link shutdownGlobalRunner}) is replaced by a
 * fresh one. `cleanupAll()` shuts it down after every test.
 *
 * @example
 * ```ts
 * getGlobalRunner().spawn((signal) => watchQueue(signal), { name: 'queue watcher' });
 * ```
 */
export function getGlobalRunner(): AsyncRunner {
  const current = peekGlobalSlot<AsyncRunner>(GLOBAL_RUNNER_SLOT);
  if (current !== undefined && !current.closed) return current;
  if (current !== undefined) setGlobalSlot(GLOBAL_RUNNER_SLOT, undefined);
  return globalSlot(GLOBAL_RUNNER_SLOT, () => new AsyncRunner({ name: 'global' }));
}
