import type { GlobalsIgnore } from '../globals/types.js';
import { LEAK_KINDS, type LeakFilter } from '../leaks/types.js';
import { InvalidOptionError } from './invalid-option-error.js';
import { LEAK_MODES, MEMORY_GC_MODES, type CustodianOptions } from './options.js';

const WHERE = 'configure()';
const TOP = ['leaks', 'stacks', 'ignore', 'memory', 'timeouts', 'globals'] as const;
const MEMORY_KEYS = ['gc', 'warnBytes', 'failBytes'] as const;
const TIMEOUT_KEYS = ['runner', 'registry'] as const;
const GLOBALS_KEYS = ['ignore'] as const;
const GLOBALS_IGNORE_KEYS = ['globals', 'env', 'events'] as const;
const FILTER_KEYS = ['type', 'kind', 'frame', 'description'] as const;

const MS = ['a number of milliseconds >= 0', 'Infinity'];
const BYTES = ['an integer number of bytes >= 0'];
const PATTERN = ['a string', 'a RegExp'];

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function object(value: unknown, path: string, known: readonly string[]): Record<string, unknown> {
  if (!isPlainObject(value)) throw InvalidOptionError.value(WHERE, path, [`an object with ${known.join(', ')}`], value);
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) throw InvalidOptionError.unknown(WHERE, path === '' ? key : `${path}.${key}`, known);
  }
  return value;
}

function oneOf(value: unknown, path: string, allowed: readonly string[]): void {
  if (typeof value !== 'string' || !allowed.includes(value)) throw InvalidOptionError.value(WHERE, path, allowed.map((v) => `'${v}'`), value);
}

function milliseconds(value: unknown, path: string): void {
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0) throw InvalidOptionError.value(WHERE, path, MS, value);
}

function bytes(value: unknown, path: string): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw InvalidOptionError.value(WHERE, path, BYTES, value);
}

function pattern(value: unknown, path: string, allowSymbol = false): void {
  if (typeof value === 'string' || value instanceof RegExp || (allowSymbol && typeof value === 'symbol')) return;
  throw InvalidOptionError.value(WHERE, path, allowSymbol ? [...PATTERN, 'a symbol'] : PATTERN, value);
}

function array(value: unknown, path: string, what: string): readonly unknown[] {
  if (!Array.isArray(value)) throw InvalidOptionError.value(WHERE, path, [`an array of ${what}`], value);
  return value as readonly unknown[];
}

function leakFilter(value: unknown, path: string): asserts value is LeakFilter {
  if (typeof value === 'string' || value instanceof RegExp || typeof value === 'function') return;
  if (!isPlainObject(value)) {
    throw InvalidOptionError.value(WHERE, path, ['a string', 'a RegExp', 'a function (leak) => boolean', `an object with ${FILTER_KEYS.join(', ')}`], value);
  }
  const filter = object(value, path, FILTER_KEYS);
  if (filter.type !== undefined) pattern(filter.type, `${path}.type`);
  if (filter.frame !== undefined) pattern(filter.frame, `${path}.frame`);
  if (filter.description !== undefined) pattern(filter.description, `${path}.description`);
  if (filter.kind !== undefined) oneOf(filter.kind, `${path}.kind`, LEAK_KINDS);
}

function globalsIgnore(value: unknown, path: string): asserts value is GlobalsIgnore {
  const ignore = object(value, path, GLOBALS_IGNORE_KEYS);
  if (ignore.globals !== undefined) array(ignore.globals, `${path}.globals`, 'names, symbols or RegExps').forEach((item, i) => pattern(item, `${path}.globals[${i}]`, true));
  if (ignore.env !== undefined) array(ignore.env, `${path}.env`, 'names or RegExps').forEach((item, i) => pattern(item, `${path}.env[${i}]`));
  if (ignore.events !== undefined) {
    array(ignore.events, `${path}.events`, 'event names').forEach((item, i) => {
      if (typeof item !== 'string' && typeof item !== 'symbol') throw InvalidOptionError.value(WHERE, `${path}.events[${i}]`, ['a string', 'a symbol'], item);
    });
  }
}

/**
 * Checks everything `configure()` was given: an unknown option (at any depth) or a value of the
 * wrong type or range throws an {@link InvalidOptionError} naming the option and what it accepts.
 * `undefined` values are allowed everywhere: they mean "back to the default".
 */
export function validateOptions(options: unknown): asserts options is CustodianOptions {
  if (!isPlainObject(options)) throw InvalidOptionError.value(WHERE, 'options', [`an object with ${TOP.join(', ')}`], options);
  const given = object(options, '', TOP);
  if (given.leaks !== undefined) oneOf(given.leaks, 'leaks', LEAK_MODES);
  if (given.stacks !== undefined && typeof given.stacks !== 'boolean') throw InvalidOptionError.value(WHERE, 'stacks', ['true', 'false'], given.stacks);
  if (given.ignore !== undefined) {
    array(given.ignore, 'ignore', 'leak filters').forEach((item, index) => leakFilter(item, `ignore[${index}]`));
  }
  if (given.memory !== undefined && typeof given.memory !== 'boolean') {
    const memory = object(given.memory, 'memory', MEMORY_KEYS);
    if (memory.gc !== undefined) oneOf(memory.gc, 'memory.gc', MEMORY_GC_MODES);
    bytes(memory.warnBytes, 'memory.warnBytes');
    bytes(memory.failBytes, 'memory.failBytes');
  }
  if (given.timeouts !== undefined) {
    const timeouts = object(given.timeouts, 'timeouts', TIMEOUT_KEYS);
    for (const key of TIMEOUT_KEYS) if (timeouts[key] !== undefined) milliseconds(timeouts[key], `timeouts.${key}`);
  }
  if (given.globals !== undefined) {
    const globals = object(given.globals, 'globals', GLOBALS_KEYS);
    if (globals.ignore !== undefined) globalsIgnore(globals.ignore, 'globals.ignore');
  }
}
