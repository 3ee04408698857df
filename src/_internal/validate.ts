import { CustodianRangeError, CustodianTypeError } from '../errors.js';

/** A non-negative finite duration in milliseconds, or `undefined`. */
export function checkDuration(value: unknown, what: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number') {
    throw new CustodianTypeError(`${what} must be a number of milliseconds, got ${describeValue(value)}`);
  }
  if (Number.isNaN(value) || value < 0) {
    throw new CustodianRangeError(`${what} must be a non-negative number of milliseconds (or Infinity), got ${String(value)}`);
  }
  return value;
}

/** A positive integer or `Infinity`, or `undefined`. */
export function checkConcurrency(value: unknown, what: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number') {
    throw new CustodianTypeError(`${what} must be a positive integer or Infinity, got ${describeValue(value)}`);
  }
  if (!(value === Number.POSITIVE_INFINITY || (Number.isInteger(value) && value >= 1))) {
    throw new CustodianRangeError(`${what} must be a positive integer or Infinity, got ${String(value)}`);
  }
  return value;
}

/** A function, or `undefined`. */
export function checkFunction(value: unknown, what: string): void {
  if (value !== undefined && typeof value !== 'function') {
    throw new CustodianTypeError(`${what} must be a function, got ${describeValue(value)}`);
  }
}

/** A short, secret-free description of an arbitrary value for error messages. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  switch (typeof value) {
    case 'string':
      return `a string (${value.length} characters)`;
    case 'number':
    case 'bigint':
    case 'boolean':
      return `${typeof value} ${String(value)}`;
    case 'symbol':
      return `symbol ${value.description ?? ''}`.trim();
    case 'function':
      return `function ${value.name || '(anonymous)'}`;
    default: {
      if (Array.isArray(value)) return `an array of ${value.length}`;
      const constructorName = (Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null)?.constructor?.name;
      return constructorName && constructorName !== 'Object' ? `an instance of ${constructorName}` : 'a plain object';
    }
  }
}
