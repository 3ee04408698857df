/**
 * `SuppressedError` as the explicit resource management proposal defines it: the native
 * class where the runtime has one (Node 24+), a shape-compatible one otherwise (Node 20).
 */

interface SuppressedErrorLike extends Error {
  readonly error: unknown;
  readonly suppressed: unknown;
}

type SuppressedErrorClass = new (error: unknown, suppressed: unknown, message?: string) => SuppressedErrorLike;

class SuppressedErrorShim extends Error implements SuppressedErrorLike {
  readonly error: unknown;
  readonly suppressed: unknown;

  constructor(error: unknown, suppressed: unknown, message = 'An error was suppressed during disposal.') {
    super(message);
    // The proposal makes these own, non-enumerable-by-spec data properties; plain fields keep them inspectable.
    this.error = error;
    this.suppressed = suppressed;
  }
}
Object.defineProperty(SuppressedErrorShim.prototype, 'name', { value: 'SuppressedError', configurable: true, writable: true });

const native = (globalThis as { SuppressedError?: SuppressedErrorClass }).SuppressedError;

/** The `SuppressedError` constructor in use: native when available. */
export const SuppressedErrorCtor: SuppressedErrorClass = native ?? SuppressedErrorShim;

/**
 * Folds the errors of a disposal, in the order they were thrown, the way `await using`
 * does: one error is returned as is, each later one wraps the earlier ones as
 * `new SuppressedError(newer, suppressed)`.
 */
export function chainDisposalErrors(errors: readonly unknown[]): unknown {
  let result: unknown = errors[0];
  for (let index = 1; index < errors.length; index++) {
    result = new SuppressedErrorCtor(errors[index], result);
  }
  return result;
}
