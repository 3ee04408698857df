import { CustodianTypeError } from '../errors.js';
import { describeValue } from '../_internal/validate.js';
import type { RunnerOptions } from './types.js';

/** Which tasks record their call site, by the `stacks` option. */
export const STACKS = { none: 0, spawn: 1, all: 2 } as const;
export type StacksLevel = (typeof STACKS)[keyof typeof STACKS];

export function checkStacks(value: unknown): StacksLevel {
  const stacks = value ?? 'spawn';
  if (typeof stacks !== 'string' || !Object.hasOwn(STACKS, stacks)) {
    throw new CustodianTypeError(`AsyncRunner option stacks must be 'all', 'spawn' or 'none', got ${describeValue(value)}`);
  }
  return STACKS[stacks as NonNullable<RunnerOptions['stacks']>];
}

export function stacksName(level: StacksLevel): NonNullable<RunnerOptions['stacks']> {
  return level === STACKS.all ? 'all' : level === STACKS.spawn ? 'spawn' : 'none';
}

export function checkName(value: unknown, what: string): string | undefined {
  if (value !== undefined && typeof value !== 'string') throw new CustodianTypeError(`${what} must be a string, got ${describeValue(value)}`);
  return value;
}

export function checkSignal(value: unknown, what: string): AbortSignal | undefined {
  if (value === undefined) return undefined;
  // Duck-typed, so a signal from another realm (a vm context, a test environment) is accepted.
  const candidate = value as Partial<AbortSignal> | null;
  if (
    typeof candidate !== 'object' ||
    candidate === null ||
    typeof candidate.addEventListener !== 'function' ||
    typeof candidate.aborted !== 'boolean'
  ) {
    throw new CustodianTypeError(`${what} must be an AbortSignal, got ${describeValue(value)}`);
  }
  return value as AbortSignal;
}

export function checkOptions(value: unknown, what: string): void {
  if (value !== undefined && (typeof value !== 'object' || value === null)) {
    throw new CustodianTypeError(`${what} must be an object, got ${describeValue(value)}`);
  }
}

export function checkTask(value: unknown, method: string): void {
  if (typeof value !== 'function') {
    throw new CustodianTypeError(`${method}() needs a task function (signal) => ..., got ${describeValue(value)}`);
  }
}
