import { EventEmitter } from 'node:events';
import { inspect } from 'node:util';
import { CustodianTypeError } from '../errors.js';
import { globalSlot } from '../_internal/global-slot.js';
import { logger } from '../_internal/debug.js';
import { describeValue } from '../_internal/validate.js';
import { forgetClean, globalPropertiesCheckedPerReset } from './clean-state.js';
import { envTarget, unwatchEnv, watchEnv } from './env-watch.js';
import { startListenerTracking } from './listener-origins.js';
import type { GlobalsSnapshot } from './types.js';
import { isWatchedGetter, watchAccessors } from './watched-accessors.js';

const log = logger('globals');

class Snapshot implements GlobalsSnapshot {
  readonly takenAt: number;
  readonly globals: ReadonlyMap<PropertyKey, PropertyDescriptor>;
  readonly env: ReadonlyMap<string, string>;
  readonly listeners: ReadonlyMap<string | symbol, readonly Function[]>;
  readonly defaultMaxListeners: number;
  readonly exitCode: number | string | null | undefined;

  constructor() {
    this.takenAt = performance.now();
    const globals = new Map<PropertyKey, PropertyDescriptor>();
    // Reading a descriptor can create globals: on Node 24, Node's lazy globals are data
    // properties that load their module when read, and loading undici (WebSocket, EventSource)
    // defines its dispatcher slots. Those belong to the baseline too, so walk until none appear.
    for (let pass = 0; pass < 3; pass++) {
      const size = globals.size;
      for (const key of Reflect.ownKeys(globalThis)) {
        if (globals.has(key)) continue;
        const descriptor = Object.getOwnPropertyDescriptor(globalThis, key);
        if (descriptor !== undefined) globals.set(key, descriptor);
      }
      if (globals.size === size) break;
    }
    this.globals = globals;
    const env = new Map<string, string>();
    const source = envTarget();
    for (const name of Object.keys(source)) {
      const value = source[name];
      if (value !== undefined) env.set(name, value);
    }
    this.env = env;
    const listeners = new Map<string | symbol, readonly Function[]>();
    for (const event of process.eventNames()) listeners.set(event, process.rawListeners(event));
    this.listeners = listeners;
    this.defaultMaxListeners = EventEmitter.defaultMaxListeners;
    this.exitCode = process.exitCode;
  }

  /** Names only, so a snapshot that ends up in a log or a report never shows a secret. */
  toJSON(): object {
    return {
      takenAt: this.takenAt,
      globals: [...this.globals.keys()].map(String),
      env: [...this.env.keys()],
      listeners: Object.fromEntries([...this.listeners].map(([event, list]) => [String(event), list.length])),
      defaultMaxListeners: this.defaultMaxListeners,
      exitCode: this.exitCode,
    };
  }

  [inspect.custom](): string {
    return `GlobalsSnapshot ${inspect(this.toJSON(), { breakLength: Infinity, maxArrayLength: 10 })}`;
  }
}

/**
 * Records the process-wide state a test can change: every own property of `globalThis` with its
 * descriptor, `process.env`, the listeners on `process` for every event (raw, so `once` stays
 * `once`), `EventEmitter.defaultMaxListeners` and `process.exitCode`.
 *
 * The first call also starts recording where `process` listeners are added from (one
 * `newListener` listener on `process`), so `resetGlobals()` can keep the ones Node and the test
 * framework add later. Costs about 50 µs; environment values stay in memory and are never
 * printed (`toJSON()` and `util.inspect()` show names only).
 */
export function snapshotGlobals(): GlobalsSnapshot {
  startListenerTracking();
  return new Snapshot();
}

/** Whether `value` came from {@link snapshotGlobals}. */
export function isGlobalsSnapshot(value: unknown): value is GlobalsSnapshot {
  return value instanceof Snapshot || (
    typeof value === 'object' && value !== null &&
    (value as GlobalsSnapshot).globals instanceof Map &&
    (value as GlobalsSnapshot).env instanceof Map &&
    (value as GlobalsSnapshot).listeners instanceof Map
  );
}

interface BaselineSlot {
  baseline: GlobalsSnapshot | undefined;
}

// Shared by both builds: the integration that sets it and the cleanupAll() that restores it may
// come from different copies.
const slot: BaselineSlot = globalSlot('globalsBaseline', () => ({ baseline: undefined }));

/**
 * Stores the state `resetGlobals()` and `cleanupAll()` restore after every test: `snapshot`, or a
 * fresh `snapshotGlobals()` when none is given. The integrations call it once when the suite (or
 * file) starts; call it yourself at the top of a test file or in `beforeAll` otherwise. Calling
 * it again replaces the baseline; `clearGlobalsBaseline()` forgets it.
 *
 * It also turns `process.env` into an accessor on `process` that returns the same environment
 * object and counts its uses, so that a reset after a test in which no code used `process.env`
 * skips reading the environment (see `resetGlobals()`); assigning `process.env` still works.
 * `clearGlobalsBaseline()` makes it a data property again. On Node 20 it also puts a counting
 * getter and setter (calling Node's own) over each self-replacing lazy global, which stay
 * (see `resetGlobals()`).
 *
 * @throws {TypeError} code `ERR_INVALID_ARGUMENT` when `snapshot` is not from `snapshotGlobals()`.
 *
 * @example
 * ```ts
 * beforeAll(() => setGlobalsBaseline());
 * afterEach(() => cleanupAll()); // every test starts from the state beforeAll saw
 * ```
 */
export function setGlobalsBaseline(snapshot?: GlobalsSnapshot): void {
  if (snapshot !== undefined && !isGlobalsSnapshot(snapshot)) {
    throw new CustodianTypeError(`setGlobalsBaseline() needs a snapshot from snapshotGlobals(), got ${describeValue(snapshot)}`);
  }
  // Before the snapshot, so that the baseline holds the watching accessors and a restore puts
  // them back.
  if (globalPropertiesCheckedPerReset()) watchAccessors(adoptUnwrapped);
  slot.baseline = snapshot ?? snapshotGlobals();
  startListenerTracking();
  forgetClean();
  watchEnv();
  if (log.enabled) log('baseline set: %d globals, %d env vars, %d events', slot.baseline.globals.size, slot.baseline.env.size, slot.baseline.listeners.size);
}

/** A watched accessor put back to Node's own (see `watched-accessors.ts`): the baseline holds Node's too. */
function adoptUnwrapped(key: PropertyKey, original: PropertyDescriptor): void {
  const globals = slot.baseline?.globals;
  const entry = globals?.get(key);
  if (globals instanceof Map && entry !== undefined && isWatchedGetter(entry.get)) globals.set(key, original);
}

/**
 * Forgets the baseline: from then on `resetGlobals()` only runs the registered resets. Also makes
 * `process.env` a plain data property again (see `setGlobalsBaseline()`).
 */
export function clearGlobalsBaseline(): void {
  slot.baseline = undefined;
  forgetClean();
  unwatchEnv();
}

/** The stored baseline, if any. */
export function getGlobalsBaseline(): GlobalsSnapshot | undefined {
  return slot.baseline;
}
