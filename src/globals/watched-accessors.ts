import { globalSlot } from '../_internal/global-slot.js';

/**
 * Node 20 defines about 45 globals (the web streams, `Blob`, `MessageChannel`, `Request`, the
 * crypto classes, ...) as accessors that replace themselves with a data property on first use.
 * Telling after every test that none of them changed took one `__lookupGetter__` call per
 * accessor (a call into C++ each, about 10 µs per test for all of them before V8 warms up).
 *
 * So, when the baseline is set, each such accessor (configurable, with a getter and a setter) is
 * put back with a getter and a setter that call Node's own and count: an assignment
 * (`globalThis.Blob = FakeBlob`) goes through the setter, Node's materialisation on first use
 * through the getter. The per-test check then compares one count instead of reading every getter.
 * A getter that does not replace itself (`performance` on Node 20) is unwrapped on its first call,
 * as it may be read constantly, and checked by lookup like any other accessor from then on; the
 * baseline keeps Node's own descriptor for it.
 *
 * Left to the lookup: `process` and `Buffer` (read all the time; their setters keep the
 * accessor), accessors without a setter, and enumerable ones (`vi.stubGlobal()` makes a global
 * enumerable, which the check of enumerable keys sees for the others). Not seen by the count: a
 * non-enumerable one of them deleted, or redefined with `Object.defineProperty()` keeping its
 * attributes; the exact reset at the end of each file catches those.
 */
interface WatchState {
  /** Calls of the watched getters and setters; only ever grows. */
  changes: number;
  /** The getters installed here, and the descriptor each replaced. */
  readonly originals: WeakMap<Function, PropertyDescriptor>;
}

const state: WatchState = globalSlot('watchedAccessors', () => ({ changes: 0, originals: new WeakMap() }));

/** Read constantly through their getters, which never replace themselves. */
const HOT = new Set<PropertyKey>(['process', 'Buffer']);

const lookupGetter = (Object.prototype as unknown as { __lookupGetter__(this: object, key: PropertyKey): Function | undefined }).__lookupGetter__;

/** A token that changes whenever a watched accessor was used. */
export function watchedChanges(): number {
  return state.changes;
}

/** Whether `get` is a getter installed here. */
export function isWatchedGetter(get: unknown): boolean {
  return typeof get === 'function' && state.originals.has(get);
}

/**
 * Wraps every watchable accessor of `globalThis` that is not watched yet. `onUnwrap` is told the
 * key and Node's descriptor when a getter turns out not to replace itself and is put back.
 */
export function watchAccessors(onUnwrap: (key: PropertyKey, original: PropertyDescriptor) => void): void {
  for (const key of Reflect.ownKeys(globalThis)) {
    if (HOT.has(key)) continue;
    const original = Object.getOwnPropertyDescriptor(globalThis, key);
    if (original === undefined || original.configurable !== true || original.enumerable === true) continue;
    const { get: nodeGet, set: nodeSet } = original;
    if (typeof nodeGet !== 'function' || typeof nodeSet !== 'function' || state.originals.has(nodeGet)) continue;
    const get = function (this: unknown): unknown {
      const value: unknown = nodeGet.call(this);
      state.changes++;
      // Still this accessor: the getter does not replace itself, and may be read after every
      // line of a test. Put Node's back.
      if (lookupGetter.call(globalThis, key) === get) {
        Object.defineProperty(globalThis, key, original);
        onUnwrap(key, original);
      }
      return value;
    };
    const set = function (this: unknown, value: unknown): void {
      state.changes++;
      nodeSet.call(this, value);
    };
    Object.defineProperty(get, 'name', { value: nodeGet.name, configurable: true });
    Object.defineProperty(set, 'name', { value: nodeSet.name, configurable: true });
    state.originals.set(get, original);
    Object.defineProperty(globalThis, key, { get, set, enumerable: false, configurable: true });
  }
}
