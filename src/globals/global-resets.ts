import { CustodianTypeError } from '../errors.js';
import { globalSlot } from '../_internal/global-slot.js';
import { describeValue } from '../_internal/validate.js';
import type { FailedReset } from './types.js';

interface ResetEntry {
  readonly name: string;
  readonly reset: () => unknown;
}

// Shared by the ESM and CJS copies: a reset registered through one must run from the other.
const resets: ResetEntry[] = globalSlot('globalResets', () => [] as ResetEntry[]);

/**
 * Registers a function that puts some module-level state back (a cache, a singleton, a
 * memoised config) each time `resetGlobals()` / `cleanupAll()` runs.
 *
 * Resets run last-registered first, each awaited before the next; one that throws or rejects
 * does not stop the others and is named in the report (`failedResets`). Disposing the returned
 * handle unregisters the reset (a second dispose does nothing).
 *
 * @throws {TypeError} code `ERR_INVALID_ARGUMENT` when `name` is not a non-empty string or
 *   `reset` is not a function.
 *
 * @example
 * ```ts
 * using _ = registerGlobalReset('config cache', () => configCache.clear());
 * ```
 */
export function registerGlobalReset(name: string, reset: () => unknown): Disposable {
  if (typeof name !== 'string' || name.length === 0) {
    throw new CustodianTypeError(`registerGlobalReset() needs a non-empty name, got ${describeValue(name)}`);
  }
  if (typeof reset !== 'function') {
    throw new CustodianTypeError(`registerGlobalReset("${name}") needs a function, got ${describeValue(reset)}`);
  }
  const entry: ResetEntry = { name, reset };
  resets.push(entry);
  return {
    [Symbol.dispose](): void {
      const index = resets.lastIndexOf(entry);
      if (index !== -1) resets.splice(index, 1);
    },
  };
}

/** How many resets are registered: zero lets `cleanupAll()` skip the step without any async work. */
export function globalResetCount(): number {
  return resets.length;
}

/** Runs every registered reset, last registered first; collects failures instead of stopping. */
export async function runGlobalResets(ran: string[], failed: FailedReset[]): Promise<void> {
  // A copy: a reset may register or unregister resets while the round runs.
  const round = resets.slice();
  for (let index = round.length - 1; index >= 0; index--) {
    const { name, reset } = round[index]!;
    ran.push(name);
    try {
      await reset();
    } catch (error) {
      failed.push({ name, error });
    }
  }
}
