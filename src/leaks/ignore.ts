import { CustodianTypeError } from '../errors.js';
import { describeValue } from '../_internal/validate.js';
import type { LeakFilter, LeakInfo } from './types.js';

function matches(pattern: string | RegExp, text: string): boolean {
  return typeof pattern === 'string' ? text.includes(pattern) : pattern.test(text);
}

/** Whether a filter needs creation stacks to decide (so the tracker records them). */
export function needsStacks(filters: readonly LeakFilter[]): boolean {
  return filters.some(
    (filter) => typeof filter === 'string' || filter instanceof RegExp || (typeof filter === 'object' && filter.frame !== undefined),
  );
}

/** Checks the `ignore` option up front, so a typo fails at setup rather than hiding leaks later. */
export function checkFilters(filters: unknown): readonly LeakFilter[] {
  if (filters === undefined) return [];
  if (!Array.isArray(filters)) throw new CustodianTypeError(`trackHandles() option ignore must be an array, got ${describeValue(filters)}`);
  for (const filter of filters) {
    const ok =
      typeof filter === 'string' ||
      typeof filter === 'function' ||
      filter instanceof RegExp ||
      (typeof filter === 'object' && filter !== null);
    if (!ok) {
      throw new CustodianTypeError(
        `trackHandles() ignore filters are strings, RegExps, functions or { type, kind, frame, description } objects, got ${describeValue(filter)}`,
      );
    }
  }
  return filters as LeakFilter[];
}

/** Whether any filter ignores the leak; `stack` is the recorded creation stack (reported or not). */
export function isIgnored(filters: readonly LeakFilter[], leak: LeakInfo, stack: string | undefined): boolean {
  for (const filter of filters) {
    if (typeof filter === 'function') {
      if (filter(leak)) return true;
      continue;
    }
    if (typeof filter === 'string' || filter instanceof RegExp) {
      if (stack !== undefined && matches(filter, stack)) return true;
      continue;
    }
    if (filter.type !== undefined && !matches(filter.type, leak.type)) continue;
    if (filter.kind !== undefined && filter.kind !== leak.kind) continue;
    if (filter.description !== undefined && !matches(filter.description, leak.description)) continue;
    if (filter.frame !== undefined && (stack === undefined || !matches(filter.frame, stack))) continue;
    return true;
  }
  return false;
}
