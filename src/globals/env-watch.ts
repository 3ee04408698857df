import { globalSlot } from '../_internal/global-slot.js';

/**
 * Reading all of `process.env` goes through a C++ interceptor and costs about 20 µs, too much to
 * do after every test when nothing changed. So once a baseline is set, `process.env` becomes an
 * accessor on `process` that returns the very same environment object as before and counts how
 * often it is used: a reset after a test in which no code touched `process.env` (read or write)
 * skips the environment; after any use, the environment is compared exactly, as before.
 *
 * Why not a Proxy over the environment that counts writes only: a Proxy cannot be structured
 * cloned, so `structuredClone(process.env)`, `postMessage(process.env)` or `workerData` holding
 * it would throw a DataCloneError under custodian, and `util.types.isProxy(process.env)` would
 * change. With the accessor the object is untouched; only `process`'s own property changes
 * shape (`util.inspect(process)` shows `env: [Getter/Setter]`).
 *
 * Limit: a write made through a reference to the environment object kept from before the test
 * (`const env = process.env` at import time, used later without touching `process.env` again)
 * is not seen by the cheap check. `resetGlobals({ full: true })` compares the whole environment
 * and catches it; the integrations run it at the end of each file.
 */
interface EnvWatchState {
  /** What `process.env` holds: the real environment object, or what a test assigned. */
  current: NodeJS.ProcessEnv | undefined;
  /** The accessor installed on `process`, when it is. */
  descriptor: PropertyDescriptor | undefined;
  /** Uses of `process.env` (get or set) through the accessor; only ever grows. */
  uses: number;
}

// Shared by the ESM and CJS copies: both must see one accessor and one count.
const state: EnvWatchState = globalSlot('envWatch', () => ({ current: undefined, descriptor: undefined, uses: 0 }));

// Reads the getter without allocating a descriptor: this runs after every test.
const lookupGetter = (Object.prototype as unknown as { __lookupGetter__(this: object, key: PropertyKey): Function | undefined }).__lookupGetter__;

function installed(): boolean {
  const descriptor = state.descriptor;
  return descriptor !== undefined && lookupGetter.call(process, 'env') === descriptor.get;
}

/**
 * Makes `process.env` the counting accessor (idempotent). Does nothing when `process.env` is not
 * a plain, configurable data property (someone else made it something else).
 */
export function watchEnv(): void {
  const own = Object.getOwnPropertyDescriptor(process, 'env');
  if (own === undefined || own.configurable !== true) return;
  if (state.descriptor !== undefined && own.get === state.descriptor.get) return;
  if (!('value' in own) || typeof own.value !== 'object' || own.value === null) return;
  state.current = own.value as NodeJS.ProcessEnv;
  state.descriptor ??= {
    get(): NodeJS.ProcessEnv | undefined {
      state.uses++;
      return state.current;
    },
    set(value: NodeJS.ProcessEnv): void {
      // `process.env = { ... }` works as before: later reads (and child processes) get the new object.
      state.uses++;
      state.current = value;
    },
    enumerable: own.enumerable === true,
    configurable: true,
  };
  Object.defineProperty(process, 'env', state.descriptor);
}

/** Makes `process.env` a plain data property again, holding what it holds now. */
export function unwatchEnv(): void {
  if (!installed()) return;
  Object.defineProperty(process, 'env', { value: state.current, writable: true, enumerable: state.descriptor!.enumerable, configurable: true });
}

/**
 * A token for "`process.env` untouched", or `undefined` when uses cannot be seen (the accessor
 * is not installed). Two equal tokens mean no code used `process.env` in between.
 */
export function envVersion(): number | undefined {
  return installed() ? state.uses : undefined;
}

/** The environment object to read and restore, without counting that as a use. */
export function envTarget(): NodeJS.ProcessEnv {
  return installed() ? state.current! : process.env;
}

/** Whether `process.env` is custodian's counting accessor right now. */
export function isEnvWatched(): boolean {
  return installed();
}
