/**
 * Process-wide state lives in one object on `globalThis`, under one registered symbol, so that
 * the ESM and CJS copies of the library, and every entry point, share one instance. One symbol
 * rather than one per slot: the globals check after every test lists `globalThis`'s symbols, and
 * each one more on the global object makes that slower.
 */
const SLOTS = Symbol.for('custodian.slots');

type Slots = Record<string, unknown>;

function slots(): Slots {
  const store = globalThis as unknown as Record<symbol, Slots | undefined>;
  let found = store[SLOTS];
  if (found === undefined) {
    found = Object.create(null) as Slots;
    Object.defineProperty(globalThis, SLOTS, { value: found, configurable: true, writable: false, enumerable: false });
  }
  return found;
}

// The object never changes once created (the property is read-only): read it once per copy.
const shared = slots();

/** The process-wide value under `key`, created with `create()` on first use. */
export function globalSlot<T>(key: string, create: () => T): T {
  let value = shared[key] as T | undefined;
  if (value === undefined) {
    value = create();
    shared[key] = value;
  }
  return value;
}

/** Replaces (or, with `undefined`, forgets) a process-wide value. */
export function setGlobalSlot<T>(key: string, value: T | undefined): void {
  if (value === undefined) delete shared[key];
  else shared[key] = value;
}

/** Reads a process-wide value without creating it. */
export function peekGlobalSlot<T>(key: string): T | undefined {
  return shared[key] as T | undefined;
}
