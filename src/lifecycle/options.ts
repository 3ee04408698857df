import type { GlobalsIgnore } from '../globals/types.js';
import type { LeakFilter } from '../leaks/types.js';

/**
 * What happens to handles a test leaves open: `'off'` no tracking; `'warn'` report them;
 * `'dispose'` report and close them through the adapters, so the next test starts clean;
 * `'fail'` close them and fail the test (`ERR_LEAK_DETECTED`): the CI gate.
 */
export type LeakMode = 'off' | 'warn' | 'dispose' | 'fail';

/** When the memory monitor forces a full GC to get exact post-GC heap figures. */
export type MemoryGcMode = 'auto' | 'always' | 'never';

/** Memory monitoring settings (the monitor itself arrives with the memory work). */
export interface MemoryOptions {
  /**
   * `'auto'` takes post-GC points where they matter and keeps per-test cost low; `'always'` a
   * full GC after every test (exact deltas, costs about 12 ms per test); `'never'` none.
   * @default 'auto'
   */
  gc?: MemoryGcMode;
  /** Warn when one test grows the heap by more than this many bytes. @default undefined (no warning) */
  warnBytes?: number;
  /** Fail the test when it grows the heap by more than this many bytes. @default undefined (never fails) */
  failBytes?: number;
}

/** Deadlines of the `cleanupAll()` steps, in milliseconds. */
export interface TimeoutOptions {
  /** How long `shutdownGlobalRunner()` waits for aborted tasks before abandoning them. @default 5000 */
  runner?: number;
  /**
   * A budget for the whole default-registry cleanup; each resource still has its own deadlines
   * (5000 ms graceful, 1000 ms forced).
   * @default Infinity
   */
  registry?: number;
}

/** Settings of the globals reset step. */
export interface GlobalsOptions {
  /** State the reset leaves alone (framework globals created lazily, variables a tool owns). @default {} */
  ignore?: GlobalsIgnore;
}

/**
 * Everything `configure()` accepts. Each option can also come from a `CUSTODIAN_*` environment
 * variable (see `configure()`); an explicit `configure()` value wins over the variable.
 */
export interface CustodianOptions {
  /** What to do with leaked handles. Environment: `CUSTODIAN_LEAKS`. @default 'dispose' */
  leaks?: LeakMode;
  /** Record creation stacks of tracked handles and resources. Environment: `CUSTODIAN_STACKS`. @default false */
  stacks?: boolean;
  /** Leaks to leave out of reports (see `LeakFilter`). Environment: `CUSTODIAN_IGNORE` (handle types, comma-separated). @default [] */
  ignore?: readonly LeakFilter[];
  /** Memory monitoring: `false` turns it off, `true` means `{ gc: 'auto' }`. Environment: `CUSTODIAN_MEMORY`. @default { gc: 'auto' } */
  memory?: boolean | MemoryOptions;
  /** Deadlines. Environment: `CUSTODIAN_TIMEOUT_MS`, `CUSTODIAN_RUNNER_TIMEOUT_MS`, `CUSTODIAN_REGISTRY_TIMEOUT_MS`. */
  timeouts?: TimeoutOptions;
  /** The globals reset. */
  globals?: GlobalsOptions;
}

/** The options in effect: every field filled in. */
export interface ResolvedOptions {
  readonly leaks: LeakMode;
  readonly stacks: boolean;
  readonly ignore: readonly LeakFilter[];
  /** `false` when memory monitoring is off. */
  readonly memory: false | Readonly<Required<Pick<MemoryOptions, 'gc'>> & Pick<MemoryOptions, 'warnBytes' | 'failBytes'>>;
  readonly timeouts: Readonly<Required<TimeoutOptions>>;
  readonly globals: { readonly ignore: GlobalsIgnore };
}

export const LEAK_MODES: readonly LeakMode[] = ['off', 'warn', 'dispose', 'fail'];
export const MEMORY_GC_MODES: readonly MemoryGcMode[] = ['auto', 'always', 'never'];

/** The defaults, before environment variables and `configure()`. */
export const DEFAULTS: ResolvedOptions = Object.freeze({
  leaks: 'dispose',
  stacks: false,
  ignore: Object.freeze([]) as readonly LeakFilter[],
  memory: Object.freeze({ gc: 'auto' as const }),
  timeouts: Object.freeze({ runner: 5000, registry: Number.POSITIVE_INFINITY }),
  globals: Object.freeze({ ignore: Object.freeze({}) }),
});
