import { globalSlot } from '../_internal/global-slot.js';
import { envVersion } from './env-watch.js';
import { listenersMatch, takeListenersFingerprint, type ListenersFingerprint } from './listeners-fingerprint.js';
import type { GlobalsIgnore, GlobalsSnapshot } from './types.js';
import { isWatchedGetter, watchedChanges } from './watched-accessors.js';

/**
 * What global state looked like right after the last restore, kept so that the next
 * `resetGlobals()` can tell in a few microseconds that nothing changed since and skip the exact
 * walk (about 30 µs over `globalThis`'s descriptors, 20 µs over `process.env`).
 *
 * The cheap check sees: a global added or removed among the enumerable string keys (what
 * assignment and `vi.stubGlobal` create) and among the symbol keys; a data global whose value
 * changed or that was deleted; an accessor global whose getter changed (redefined, replaced by a
 * data property through its setter, or materialised by Node), or, for Node 20's lazy globals, any
 * use of the counting getter and setter installed over them (see `watched-accessors.ts`); a
 * non-configurable global whose value cannot change is not read; any use of `process.env` (see
 * `env-watch.ts`), after which the environment is compared exactly. It does not see a
 * non-enumerable string-keyed global added on its own with `Object.defineProperty`,
 * attribute-only changes (writable, enumerable, configurable with the same value), or an
 * environment write through a reference to the environment object kept from before the test,
 * with no use of `process.env` in the test: the exact walk of `resetGlobals({ full: true })` does. The `process` listeners are
 * compared exactly, without a copy (see `listeners-fingerprint.ts`).
 */
interface CleanState {
  readonly baseline: GlobalsSnapshot;
  readonly ignore: GlobalsIgnore | undefined;
  readonly globals: GlobalsState;
  /** `envVersion()` right after the environment was restored; `undefined`: always check it. */
  readonly env: number | undefined;
  /** The `process` listeners right after they were restored; `undefined`: always check them. */
  readonly listeners: ListenersFingerprint | undefined;
  /** `watchedChanges()` right after the restore (see `watched-accessors.ts`). */
  readonly watched: number;
}

interface GlobalsState {
  readonly enumerable: readonly string[];
  readonly symbols: readonly symbol[];
  readonly dataKeys: readonly PropertyKey[];
  readonly dataValues: readonly unknown[];
  readonly accessorKeys: readonly PropertyKey[];
  readonly getters: readonly (Function | undefined)[];
  readonly check: Check;
}

/** `(globalThis, dataKeys, dataValues, accessorKeys, getters, lookupGetter) => unchanged`. */
type Check = (
  g: object,
  dataKeys: readonly PropertyKey[],
  dataValues: readonly unknown[],
  accessorKeys: readonly PropertyKey[],
  getters: readonly (Function | undefined)[],
  lookup: LookupGetter,
) => boolean;

type LookupGetter = (this: object, key: PropertyKey) => Function | undefined;

const slot: { state: CleanState | undefined; propertiesPerTest: boolean } = globalSlot('globalsCleanState', () => ({ state: undefined, propertiesPerTest: true }));

/**
 * Whether the cheap check looks at `globalThis`'s properties at all (the environment and the
 * `process` listeners are always checked). The jest integration turns it off: jest gives every
 * test file a global object of its own, a vm context whose property interceptors make
 * `Object.keys(globalThis)` alone cost about 36 µs (0.7 µs on a plain global), and the exact
 * reset at the end of each file still restores its properties.
 * @internal
 */
export function checkGlobalPropertiesPerReset(enabled: boolean): void {
  slot.propertiesPerTest = enabled;
}

/** Whether the cheap check looks at `globalThis`'s properties (see `checkGlobalPropertiesPerReset`). */
export function globalPropertiesCheckedPerReset(): boolean {
  return slot.propertiesPerTest;
}

// Bound once: `__lookupGetter__` reads a getter without allocating a descriptor, and without
// calling it (Node's lazy globals load a module when their getter runs).
const lookupGetter = (Object.prototype as unknown as { __lookupGetter__: LookupGetter }).__lookupGetter__;

function sameList(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let index = 0; index < a.length; index++) if (a[index] !== b[index]) return false;
  return true;
}

const loopCheck: Check = (g, dataKeys, dataValues, accessorKeys, getters, lookup) => {
  const record = g as Record<PropertyKey, unknown>;
  for (let index = 0; index < dataKeys.length; index++) {
    // A data global turned into an accessor by a test would run that test's getter here; Node's
    // own lazy getters only ever turn into data properties, never back.
    if (!Object.is(record[dataKeys[index] as string], dataValues[index])) return false;
  }
  for (let index = 0; index < accessorKeys.length; index++) {
    if (lookup.call(g, accessorKeys[index]!) !== getters[index]) return false;
  }
  return true;
};

/** Keys that can follow a dot in generated code: ASCII identifier names (reserved words are fine after a dot). */
const IDENTIFIER_NAME = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * One comparison per global, each at its own site in a generated function. A key that is an
 * identifier name is read as `G.name` with `G = globalThis`: a named load from the global object,
 * which V8 compiles to a direct read of the global's property cell (about 1 ns, against 30 ns for
 * a keyed read through the global proxy); the key text only ever comes from `globalThis`'s own
 * keys and must match IDENTIFIER_NAME, so nothing but a property name is generated. Other keys
 * (symbols, names with other characters) are read by index. Falls back to a loop where code
 * generation from strings is disabled.
 */
function compileCheck(dataKeys: readonly PropertyKey[], accessorCount: number): Check {
  const terms: string[] = [];
  dataKeys.forEach((key, index) => {
    const read = typeof key === 'string' && IDENTIFIER_NAME.test(key) ? `G.${key}` : `g[k[${index}]]`;
    terms.push(`(${read} === v[${index}] || (v[${index}] !== v[${index}] && ${read} !== ${read}))`);
  });
  for (let index = 0; index < accessorCount; index++) terms.push(`l.call(g, a[${index}]) === f[${index}]`);
  try {
    const body = `'use strict'; const G = globalThis; return ${terms.length === 0 ? 'true' : terms.join(' &&\n')};`;
    return new Function('g', 'k', 'v', 'a', 'f', 'l', body) as Check;
  } catch {
    return loopCheck;
  }
}

function captureGlobals(descriptors: ReadonlyMap<PropertyKey, PropertyDescriptor>, previous: GlobalsState | undefined): GlobalsState {
  const dataKeys: PropertyKey[] = [];
  const dataValues: unknown[] = [];
  const accessorKeys: PropertyKey[] = [];
  const getters: (Function | undefined)[] = [];
  for (const [key, descriptor] of descriptors) {
    // A non-configurable global whose value cannot change either (NaN, Infinity, undefined, a
    // framework's read-only accessor) needs no check.
    if (descriptor.configurable === false && !(descriptor.writable === true)) continue;
    if ('value' in descriptor) {
      dataKeys.push(key);
      dataValues.push(descriptor.value);
    } else if (!isWatchedGetter(descriptor.get)) {
      // A watched accessor is checked through the count of its uses instead.
      accessorKeys.push(key);
      getters.push(descriptor.get);
    }
  }
  // The same shape as last time (the usual case: a test added a global, the reset removed it):
  // reuse the generated function, already optimised.
  const reuse = previous !== undefined && sameList(previous.dataKeys, dataKeys) && previous.accessorKeys.length === accessorKeys.length;
  return {
    enumerable: Object.keys(globalThis),
    symbols: Object.getOwnPropertySymbols(globalThis),
    dataKeys,
    dataValues,
    accessorKeys,
    getters,
    check: reuse ? previous.check : compileCheck(dataKeys, accessorKeys.length),
  };
}

function currentDescriptors(): Map<PropertyKey, PropertyDescriptor> {
  const descriptors = new Map<PropertyKey, PropertyDescriptor>();
  for (const key of Reflect.ownKeys(globalThis)) {
    const descriptor = Object.getOwnPropertyDescriptor(globalThis, key);
    if (descriptor !== undefined) descriptors.set(key, descriptor);
  }
  return descriptors;
}

/**
 * Records the current state (globals, environment, `process` listeners) as clean for `baseline`
 * and `ignore`, after an exact restore.
 * `globals`: every own property of `globalThis` with its descriptor as the restore left it, or
 * `undefined` when `globalThis` was found unchanged (the recorded part is kept).
 */
export function markClean(baseline: GlobalsSnapshot, ignore: GlobalsIgnore | undefined, globals: ReadonlyMap<PropertyKey, PropertyDescriptor> | undefined): void {
  const previous = slot.state;
  let state: GlobalsState;
  if (globals !== undefined) state = captureGlobals(globals, previous?.globals);
  else if (previous !== undefined && sameOptions(previous, baseline, ignore)) state = previous.globals;
  else state = captureGlobals(currentDescriptors(), previous?.globals);
  slot.state = { baseline, ignore, globals: state, env: envVersion(), listeners: takeListenersFingerprint(), watched: watchedChanges() };
}

/**
 * Records the environment as clean for `baseline` and `ignore`, the rest of the clean state
 * unchanged: after an exact comparison found it as the baseline has it. Does nothing when the
 * clean state is for another baseline or other rules.
 */
export function markEnvClean(baseline: GlobalsSnapshot, ignore: GlobalsIgnore | undefined): void {
  const state = slot.state;
  if (state !== undefined && sameOptions(state, baseline, ignore)) slot.state = { ...state, env: envVersion() };
}

/** Forgets the clean state: the next reset walks everything. */
export function forgetClean(): void {
  slot.state = undefined;
}

function sameOptions(state: CleanState, baseline: GlobalsSnapshot, ignore: GlobalsIgnore | undefined): boolean {
  if (state.baseline !== baseline) return false;
  if (state.ignore === ignore) return true;
  // cleanupAll() passes the configured rules, often a fresh object with the same lists.
  return state.ignore?.globals === ignore?.globals && state.ignore?.env === ignore?.env && state.ignore?.events === ignore?.events;
}

/**
 * Whether `globalThis` looks exactly as it did when it was last marked clean for this baseline
 * (see the top of this file for what the check can and cannot see).
 */
export function globalsLookClean(baseline: GlobalsSnapshot, ignore: GlobalsIgnore | undefined): boolean {
  const state = slot.state;
  if (state === undefined || !sameOptions(state, baseline, ignore)) return false;
  if (!slot.propertiesPerTest) return true;
  if (watchedChanges() !== state.watched) return false;
  const { globals } = state;
  if (!sameList(Object.keys(globalThis), globals.enumerable)) return false;
  if (!sameList(Object.getOwnPropertySymbols(globalThis), globals.symbols)) return false;
  return globals.check(globalThis, globals.dataKeys, globals.dataValues, globals.accessorKeys, globals.getters, lookupGetter);
}

/** Whether no code used `process.env` since the environment was last restored for this baseline. */
export function envLooksClean(baseline: GlobalsSnapshot, ignore: GlobalsIgnore | undefined): boolean {
  const state = slot.state;
  if (state === undefined || !sameOptions(state, baseline, ignore) || state.env === undefined) return false;
  return envVersion() === state.env;
}

/** Whether the `process` listeners are exactly those the last restore for this baseline left. */
export function listenersLookClean(baseline: GlobalsSnapshot, ignore: GlobalsIgnore | undefined): boolean {
  const state = slot.state;
  if (state === undefined || !sameOptions(state, baseline, ignore) || state.listeners === undefined) return false;
  return listenersMatch(state.listeners);
}
