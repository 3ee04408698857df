/**
 * The library's errors: one base class with a stable `code`, subclasses that carry
 * the context a user needs, and {@link isCustodianError}, which works across realms
 * and across the ESM and CJS copies of the library.
 */

/** Every code a custodian error can carry. Tests and callers should branch on these, never on message text. */
export type CustodianErrorCode =
  | 'ERR_CLEANUP_FAILED'
  | 'ERR_DISPOSE_TIMEOUT'
  | 'ERR_REGISTRY_DISPOSED'
  | 'ERR_RUNNER_CLOSED'
  | 'ERR_TASK_TIMEOUT'
  | 'ERR_SHUTDOWN'
  | 'ERR_LEAK_DETECTED'
  | 'ERR_UNSUPPORTED_RESOURCE'
  | 'ERR_INVALID_ARGUMENT'
  | 'ERR_RESET_FAILED'
  | 'ERR_MEMORY_THRESHOLD';

// A registered symbol is shared by every realm and by both builds, unlike `instanceof`.
const BRAND = Symbol.for('custodian.error');

function brand(error: Error, code: CustodianErrorCode): void {
  Object.defineProperty(error, BRAND, { value: true, enumerable: false });
  Object.defineProperty(error, 'code', { value: code, enumerable: true, writable: false });
}

/** Options accepted by every custodian error constructor. */
export interface CustodianErrorOptions {
  /** The underlying error, exposed as the standard `cause`. */
  cause?: unknown;
}

/**
 * Base class of every error custodian throws (except the `TypeError`, `RangeError`
 * and `ReferenceError` subclasses, which keep their standard base class and are
 * still recognised by {@link isCustodianError}).
 */
export class CustodianError extends Error {
  override name = 'CustodianError';
  declare readonly code: CustodianErrorCode;

  constructor(code: CustodianErrorCode, message: string, options?: CustodianErrorOptions) {
    super(message, options);
    brand(this, code);
  }
}

/**
 * Bad input to a custodian API: a value of the wrong type, or one that cannot be registered.
 * Code `ERR_INVALID_ARGUMENT`, or `ERR_UNSUPPORTED_RESOURCE` for a value no adapter recognises.
 */
export class CustodianTypeError extends TypeError {
  override name = 'TypeError';
  declare readonly code: CustodianErrorCode;

  constructor(message: string, code: CustodianErrorCode = 'ERR_INVALID_ARGUMENT', options?: CustodianErrorOptions) {
    super(message, options);
    brand(this, code);
  }
}

/** A number out of range (a negative or NaN timeout, a zero concurrency). Code `ERR_INVALID_ARGUMENT`. */
export class CustodianRangeError extends RangeError {
  override name = 'RangeError';
  declare readonly code: CustodianErrorCode;

  constructor(message: string, options?: CustodianErrorOptions) {
    super(message, options);
    brand(this, 'ERR_INVALID_ARGUMENT');
  }
}

/**
 * A registry was used after it was disposed (or moved). A `ReferenceError`, as with the
 * standard `AsyncDisposableStack`. Code `ERR_REGISTRY_DISPOSED`.
 */
export class RegistryDisposedError extends ReferenceError {
  override name = 'ReferenceError';
  declare readonly code: CustodianErrorCode;
  /** The name of the registry that was used. */
  readonly registry: string;

  constructor(registry: string, operation: string) {
    super(
      `registry "${registry}" is disposed; ${operation}() is no longer allowed. ` +
        'Create a new ResourceRegistry, or use cleanupAll() instead of disposeAsync() when the registry must stay usable.',
    );
    brand(this, 'ERR_REGISTRY_DISPOSED');
    this.registry = registry;
  }
}

/** A disposer or a task did not finish within its deadline. Code `ERR_DISPOSE_TIMEOUT` or `ERR_TASK_TIMEOUT`. */
export class TimeoutError extends CustodianError {
  override name = 'TimeoutError';
  /** The deadline that passed, in milliseconds. */
  readonly timeoutMs: number;

  constructor(code: 'ERR_DISPOSE_TIMEOUT' | 'ERR_TASK_TIMEOUT', message: string, timeoutMs: number, options?: CustodianErrorOptions) {
    super(code, message, options);
    this.timeoutMs = timeoutMs;
  }
}

/**
 * Whether `error` was thrown by custodian (any copy of it, in any realm), optionally with the given code.
 *
 * @example
 * ```ts
 * try { await registry.cleanupAll(); }
 * catch (error) { if (isCustodianError(error, 'ERR_CLEANUP_FAILED')) console.log(error.report); }
 * ```
 */
export function isCustodianError(error: unknown, code?: CustodianErrorCode): error is Error & { readonly code: CustodianErrorCode } {
  if (typeof error !== 'object' || error === null) return false;
  if ((error as Record<PropertyKey, unknown>)[BRAND] !== true) return false;
  return code === undefined || (error as { code?: unknown }).code === code;
}

