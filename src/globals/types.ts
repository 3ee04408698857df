/** What `snapshotGlobals()` records: the process-wide state a test can leave behind. */
export interface GlobalsSnapshot {
  /** `performance.now()` when the snapshot was taken. */
  readonly takenAt: number;
  /** Every own property of `globalThis` (string and symbol keys) with its descriptor. */
  readonly globals: ReadonlyMap<PropertyKey, PropertyDescriptor>;
  /**
   * `process.env` as it was. The values are kept in memory only to restore them: no report,
   * log line, `toJSON()` or `util.inspect()` of a snapshot ever shows them.
   */
  readonly env: ReadonlyMap<string, string>;
  /** The raw listeners (`process.rawListeners()`, so `once` wrappers stay `once`) per event. */
  readonly listeners: ReadonlyMap<string | symbol, readonly Function[]>;
  /** `EventEmitter.defaultMaxListeners`. */
  readonly defaultMaxListeners: number;
  /** `process.exitCode`. */
  readonly exitCode: number | string | null | undefined;
}

/**
 * State `resetGlobals()` must leave alone even when it differs from the baseline: framework
 * globals created lazily, variables a tool rewrites on purpose, events someone else owns.
 */
export interface GlobalsIgnore {
  /** Global names (or symbols) never deleted or restored; a RegExp is tested against the name (`String(symbol)` for symbols). */
  readonly globals?: readonly (string | symbol | RegExp)[];
  /** Environment variable names never touched. */
  readonly env?: readonly (string | RegExp)[];
  /** `process` events whose listeners are never touched. */
  readonly events?: readonly (string | symbol)[];
}

/** Options of {@link resetGlobals}. */
export interface ResetGlobalsOptions {
  /**
   * The state to restore.
   * @default the baseline stored by `setGlobalsBaseline()`; without one, only the registered resets run
   */
  baseline?: GlobalsSnapshot;
  /** What to leave alone. @default nothing beyond the built-in rules (custodian's own state, framework listeners) */
  ignore?: GlobalsIgnore;
  /**
   * Compare everything exactly instead of first checking cheaply whether anything changed since
   * the last restore. The cheap check (a few microseconds) misses three things, which a full
   * reset catches: a non-enumerable string-keyed global added on its own with
   * `Object.defineProperty`, a global whose attributes alone changed (same value), and an
   * environment write made through a reference to the environment object kept from before the
   * test, in a test where no code used `process.env` itself. The integrations run a full reset
   * at the end of each file; a full reset costs about 50 µs.
   * @default false
   */
  full?: boolean;
  /**
   * Reject with a `GlobalsResetError` (code `ERR_RESET_FAILED`, carrying `.report`) when a
   * registered reset failed.
   * @default true
   */
  throwOnError?: boolean;
}

/** A global that differed from the baseline and could not be put back. */
export interface UnrestorableGlobal {
  /** The global's name (`String(symbol)` for a symbol). */
  readonly name: string;
  /** Why: it is non-configurable, or read-only and cannot be redefined. */
  readonly reason: string;
}

/** A registered reset that threw or rejected. */
export interface FailedReset {
  readonly name: string;
  readonly error: unknown;
}

/** How many `process` listeners of one event `resetGlobals()` removed and put back. */
export interface ListenerChange {
  /** The event name (`String(symbol)` for a symbol). */
  readonly event: string;
  /** Listeners added since the baseline, removed. */
  readonly removed: number;
  /** Baseline listeners someone removed, added back. */
  readonly restored: number;
}

/** What `resetGlobals()` did. Names only: environment variable values never appear. */
export interface ResetReport {
  /** False when a registered reset failed. Unrestorable globals are reported but do not make it false. */
  readonly ok: boolean;
  readonly durationMs: number;
  /** Whether a baseline was restored (false: only the registered resets ran). */
  readonly restoredBaseline: boolean;
  /** The registered resets that ran, in the order they ran (last registered first). */
  readonly resets: readonly string[];
  readonly failedResets: readonly FailedReset[];
  /** Globals added since the baseline (deleted), changed (put back) and deleted (defined again). */
  readonly globals: {
    readonly added: readonly string[];
    readonly changed: readonly string[];
    readonly deleted: readonly string[];
    readonly unrestorable: readonly UnrestorableGlobal[];
  };
  /** Environment variable NAMES added (removed again), changed and deleted (both restored). */
  readonly env: {
    readonly added: readonly string[];
    readonly changed: readonly string[];
    readonly deleted: readonly string[];
  };
  /** One line per event whose listeners changed. */
  readonly listeners: readonly ListenerChange[];
  /** Other settings put back: `'EventEmitter.defaultMaxListeners'`, `'process.exitCode'`. */
  readonly settings: readonly string[];
  /**
   * State that differs from the baseline and was left alone on purpose: `'process.exitCode'`
   * when it became a failure code (custodian never clears one).
   */
  readonly kept: readonly string[];
}
