import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type GcFunction = (options?: { type?: 'major' | 'minor'; execution?: 'sync' | 'async' }) => void;

let cached: GcFunction | null | undefined;

function obtainGc(): GcFunction | null {
  const exposed = (globalThis as { gc?: GcFunction }).gc;
  if (typeof exposed === 'function') return exposed;
  try {
    // V8 reads --expose-gc when a context is created: turning the flag on and creating a
    // fresh context yields a working gc() without the process having been started with it.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as unknown;
    return typeof gc === 'function' ? (gc as GcFunction) : null;
  } catch {
    return null;
  }
}

/**
 * Runs a real, full, synchronous garbage collection, also when the process was not started
 * with `--expose-gc`. Returns true when a GC ran, false when the runtime refused.
 *
 * A full GC costs milliseconds (about 12 ms in a vitest worker): call it where exact
 * numbers matter, not after every small test.
 *
 * @example
 * ```ts
 * const ref = new WeakRef(resource);
 * await registry.cleanupAll();
 * forceGc();
 * expect(ref.deref()).toBeUndefined();
 * ```
 */
export function forceGc(): boolean {
  if (cached === undefined) cached = obtainGc();
  if (cached === null) return false;
  cached();
  return true;
}
