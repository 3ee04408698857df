import { logger } from '../_internal/debug.js';
import { globalSlot } from '../_internal/global-slot.js';
import type { LeakFilter } from '../leaks/types.js';
import { install } from './install.js';
import { InvalidOptionError } from './invalid-option-error.js';
import { DEFAULTS, LEAK_MODES, MEMORY_GC_MODES, type CustodianOptions, type LeakMode, type MemoryGcMode, type ResolvedOptions } from './options.js';
import { validateOptions } from './validate-options.js';

const log = logger('lifecycle');

interface ConfigState {
  /** What configure() was given, merged call after call. */
  explicit: CustodianOptions;
  /** Defaults < environment < explicit, computed once per change. */
  resolved: ResolvedOptions | undefined;
}

// Shared by both builds: configure() from an ESM setup file must reach a CJS cleanupAll().
const state: ConfigState = globalSlot('config', () => ({ explicit: {}, resolved: undefined }));

/** Every variable custodian reads, for errors and docs. */
export const ENVIRONMENT_VARIABLES = [
  'CUSTODIAN_LEAKS',
  'CUSTODIAN_STACKS',
  'CUSTODIAN_IGNORE',
  'CUSTODIAN_MEMORY',
  'CUSTODIAN_MEMORY_WARN_BYTES',
  'CUSTODIAN_MEMORY_FAIL_BYTES',
  'CUSTODIAN_TIMEOUT_MS',
  'CUSTODIAN_RUNNER_TIMEOUT_MS',
  'CUSTODIAN_REGISTRY_TIMEOUT_MS',
] as const;

const WHERE = 'environment';
const TRUE = ['1', 'true', 'yes', 'on'];
const FALSE = ['0', 'false', 'no', 'off'];

function read(env: NodeJS.ProcessEnv, name: (typeof ENVIRONMENT_VARIABLES)[number]): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function envMs(env: NodeJS.ProcessEnv, name: (typeof ENVIRONMENT_VARIABLES)[number]): number | undefined {
  const raw = read(env, name);
  if (raw === undefined) return undefined;
  const value = raw === 'Infinity' ? Number.POSITIVE_INFINITY : /^\d+(\.\d+)?$/.test(raw) ? Number(raw) : Number.NaN;
  if (Number.isNaN(value)) throw InvalidOptionError.value(WHERE, name, ['a number of milliseconds >= 0', 'Infinity'], raw);
  return value;
}

function envBytes(env: NodeJS.ProcessEnv, name: (typeof ENVIRONMENT_VARIABLES)[number]): number | undefined {
  const raw = read(env, name);
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(Number(raw))) throw InvalidOptionError.value(WHERE, name, ['an integer number of bytes'], raw);
  return Number(raw);
}

/** Reads the CUSTODIAN_* variables into options (only those that are set). */
export function optionsFromEnvironment(env: NodeJS.ProcessEnv = process.env): CustodianOptions {
  const options: { -readonly [K in keyof CustodianOptions]: CustodianOptions[K] } = {};
  const leaks = read(env, 'CUSTODIAN_LEAKS');
  if (leaks !== undefined) {
    if (!LEAK_MODES.includes(leaks as LeakMode)) throw InvalidOptionError.value(WHERE, 'CUSTODIAN_LEAKS', LEAK_MODES, leaks);
    options.leaks = leaks as LeakMode;
  }
  const stacks = read(env, 'CUSTODIAN_STACKS')?.toLowerCase();
  if (stacks !== undefined) {
    if (!TRUE.includes(stacks) && !FALSE.includes(stacks)) throw InvalidOptionError.value(WHERE, 'CUSTODIAN_STACKS', [...TRUE, ...FALSE], stacks);
    options.stacks = TRUE.includes(stacks);
  }
  const ignore = read(env, 'CUSTODIAN_IGNORE');
  if (ignore !== undefined) {
    options.ignore = ignore.split(',').map((type) => type.trim()).filter((type) => type !== '').map((type): LeakFilter => ({ type }));
  }
  const memory = read(env, 'CUSTODIAN_MEMORY');
  const warnBytes = envBytes(env, 'CUSTODIAN_MEMORY_WARN_BYTES');
  const failBytes = envBytes(env, 'CUSTODIAN_MEMORY_FAIL_BYTES');
  if (memory === 'off') {
    options.memory = false;
  } else if (memory !== undefined || warnBytes !== undefined || failBytes !== undefined) {
    if (memory !== undefined && !MEMORY_GC_MODES.includes(memory as MemoryGcMode)) {
      throw InvalidOptionError.value(WHERE, 'CUSTODIAN_MEMORY', ['off', ...MEMORY_GC_MODES], memory);
    }
    options.memory = { gc: memory as MemoryGcMode | undefined, warnBytes, failBytes };
  }
  const both = envMs(env, 'CUSTODIAN_TIMEOUT_MS');
  const runner = envMs(env, 'CUSTODIAN_RUNNER_TIMEOUT_MS') ?? both;
  const registry = envMs(env, 'CUSTODIAN_REGISTRY_TIMEOUT_MS') ?? both;
  if (runner !== undefined || registry !== undefined) options.timeouts = { runner, registry };
  return options;
}

function defined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Layers `over` onto `base`: scalars replace, the nested objects merge key by key, `undefined` leaves alone. */
function layer(base: CustodianOptions, over: CustodianOptions): CustodianOptions {
  const merged: CustodianOptions = { ...base, ...defined(over) };
  if (typeof over.memory === 'object' && typeof base.memory === 'object') merged.memory = { ...base.memory, ...defined(over.memory) };
  if (over.timeouts !== undefined && base.timeouts !== undefined) merged.timeouts = { ...base.timeouts, ...defined(over.timeouts) };
  if (over.globals !== undefined && base.globals !== undefined) merged.globals = { ...base.globals, ...defined(over.globals) };
  return merged;
}

function resolve(explicit: CustodianOptions): ResolvedOptions {
  const options = layer(optionsFromEnvironment(), explicit);
  const memory: ResolvedOptions['memory'] =
    options.memory === false ? false
    : options.memory === true || options.memory === undefined ? DEFAULTS.memory
    : { gc: options.memory.gc ?? 'auto', ...defined({ warnBytes: options.memory.warnBytes, failBytes: options.memory.failBytes }) };
  return Object.freeze({
    leaks: options.leaks ?? DEFAULTS.leaks,
    stacks: options.stacks ?? DEFAULTS.stacks,
    ignore: Object.freeze([...(options.ignore ?? DEFAULTS.ignore)]),
    memory: memory === false ? false : Object.freeze(memory),
    timeouts: Object.freeze({ ...DEFAULTS.timeouts, ...defined(options.timeouts ?? {}) }),
    globals: Object.freeze({ ignore: options.globals?.ignore ?? DEFAULTS.globals.ignore }),
  });
}

/**
 * Sets custodian's options for the whole process (every entry point and both builds share
 * them). Each call merges into the previous ones: an option left out keeps its value, a top-level
 * option set to `undefined` goes back to its environment variable or default, and the nested objects
 * (`memory`, `timeouts`, `globals`) merge key by key.
 *
 * Options come, in increasing precedence, from the defaults, the environment and `configure()`:
 *
 * | Variable | Option | Values |
 * | --- | --- | --- |
 * | `CUSTODIAN_LEAKS` | `leaks` | `off`, `warn`, `dispose`, `fail` |
 * | `CUSTODIAN_STACKS` | `stacks` | `1`/`true`/`yes`/`on`, `0`/`false`/`no`/`off` |
 * | `CUSTODIAN_IGNORE` | `ignore` | handle types, comma-separated (`Timeout,FSWatcher`) |
 * | `CUSTODIAN_MEMORY` | `memory` / `memory.gc` | `off`, `auto`, `always`, `never` |
 * | `CUSTODIAN_MEMORY_WARN_BYTES` | `memory.warnBytes` | integer bytes |
 * | `CUSTODIAN_MEMORY_FAIL_BYTES` | `memory.failBytes` | integer bytes |
 * | `CUSTODIAN_TIMEOUT_MS` | `timeouts.runner` and `timeouts.registry` | milliseconds or `Infinity` |
 * | `CUSTODIAN_RUNNER_TIMEOUT_MS` | `timeouts.runner` | milliseconds or `Infinity` |
 * | `CUSTODIAN_REGISTRY_TIMEOUT_MS` | `timeouts.registry` | milliseconds or `Infinity` |
 *
 * Empty variables count as unset. The environment is read when `configure()` is called and at
 * the first `cleanupAll()`, not on every call. `configure()` also installs the handlers that
 * keep registered child processes from outliving the process (see `install()`).
 *
 * @throws {TypeError} an {@link InvalidOptionError} (code `ERR_INVALID_ARGUMENT`, with `option`
 *   and `allowed`) for an unknown option, at any depth, or a value of the wrong type; also for a
 *   `CUSTODIAN_*` variable with a value it does not accept. Nothing is changed then.
 *
 * @example
 * ```ts
 * configure({ leaks: process.env.CI ? 'fail' : 'dispose', timeouts: { runner: 2000 } });
 * ```
 */
export function configure(options: CustodianOptions): void {
  validateOptions(options);
  const explicit = layer(state.explicit, options);
  for (const [key, value] of Object.entries(options)) if (value === undefined) delete (explicit as Record<string, unknown>)[key];
  const resolved = resolve(explicit);
  state.explicit = explicit;
  state.resolved = resolved;
  install();
  if (log.enabled) log('configured: leaks=%s stacks=%s memory=%o timeouts=%o', resolved.leaks, resolved.stacks, resolved.memory, resolved.timeouts);
}

/** The options in effect (defaults < environment < `configure()`). Throws for a bad `CUSTODIAN_*` variable. */
export function currentOptions(): ResolvedOptions {
  return (state.resolved ??= resolve(state.explicit));
}

/** Forgets every `configure()` call and re-reads the environment at next use (for tests and integrations). */
export function resetConfiguration(): void {
  state.explicit = {};
  state.resolved = undefined;
}
