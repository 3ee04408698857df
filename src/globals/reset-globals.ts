import { CustodianError } from '../errors.js';
import { logger } from '../_internal/debug.js';
import { CustodianTypeError } from '../errors.js';
import { describeValue } from '../_internal/validate.js';
import { envLooksClean, globalsLookClean, listenersLookClean, markClean, markEnvClean } from './clean-state.js';
import { envVersion, watchEnv } from './env-watch.js';
import { globalResetCount, runGlobalResets } from './global-resets.js';
import { restoreGlobalProperties } from './restore-properties.js';
import { envMatches, restoreEnv, restoreListeners, restoreSettings, settingsUnchanged } from './restore-process.js';
import { getGlobalsBaseline, isGlobalsSnapshot } from './snapshot.js';
import type { FailedReset, GlobalsIgnore, GlobalsSnapshot, ResetGlobalsOptions, ResetReport } from './types.js';

const log = logger('globals');
const NONE: readonly never[] = Object.freeze([]);
const NO_GLOBALS: ResetReport['globals'] = Object.freeze({ added: NONE, changed: NONE, deleted: NONE, unrestorable: NONE });
const NO_ENV: ResetReport['env'] = Object.freeze({ added: NONE, changed: NONE, deleted: NONE });

/**
 * A registered reset failed during `resetGlobals()`. Code `ERR_RESET_FAILED`; `report` says
 * which resets failed and everything else the reset did.
 */
export class GlobalsResetError extends CustodianError {
  override name = 'GlobalsResetError';
  /** The full report of the reset. */
  readonly report: ResetReport;

  constructor(report: ResetReport) {
    const lines = report.failedResets.map(({ name, error }) => `  - ${name}: ${error instanceof Error ? error.message : String(error)}`);
    super('ERR_RESET_FAILED', [`${report.failedResets.length} global reset(s) failed:`, ...lines].join('\n'), {
      cause: report.failedResets[0]?.error,
    });
    this.report = report;
  }
}

/** Whether a reset would do anything at all: `cleanupAll()` skips the step without async work when not. */
export function globalsResetIdle(): boolean {
  return getGlobalsBaseline() === undefined && globalResetCount() === 0;
}

/**
 * Puts global state back: runs the registered resets (last registered first, each awaited, one
 * failure does not stop the others), then restores the baseline, if there is one:
 *
 * - deletes globals added since, redefines changed or deleted ones with their old descriptor;
 *   a global that cannot be put back (non-configurable) is reported under
 *   `globals.unrestorable`, never thrown on;
 * - restores `process.env`: removes added variables, puts changed and deleted ones back;
 * - removes `process` listeners added since, by reference. Never removed: listeners present at
 *   the baseline, custodian's own, and listeners added by Node itself or by a test framework
 *   (the code that called `process.on()` is recorded when the listener is added; it counts as a
 *   framework's when it lives in `node_modules/` of vitest, `@vitest/*`, jest, `@jest/*`, mocha,
 *   tinypool, ava, tap or uvu). Baseline listeners that were removed are added back (`once`
 *   listeners excepted: a missing one has fired). `ignore.events` leaves whole events alone;
 * - restores `EventEmitter.defaultMaxListeners`, and `process.exitCode` unless it became a
 *   failure code (non-zero) since the baseline: that one is left and reported under `kept`, as
 *   Node and node:test set it mid-run to mark a failure, and clearing it could hide one.
 *
 * Environment values are never reported or logged, only names.
 *
 * When nothing changed since the last restore, a reset costs a few microseconds: `globalThis`
 * and `process.env` are first checked cheaply (enumerable and symbol keys, data values and
 * getters by identity, a count of uses of `process.env`, which `setGlobalsBaseline()` turns
 * into a counting accessor) and only compared exactly when that check sees a change or a use.
 * Node 20's self-replacing lazy globals are watched instead of read: `setGlobalsBaseline()` gives
 * each a getter and a setter that call Node's own and count their use. The check misses a
 * non-enumerable global added alone with `Object.defineProperty`, one of those lazy globals
 * deleted or redefined keeping its attributes, attribute-only changes, and environment writes through a reference to the environment object
 * kept from before the test by a test that did not use `process.env` itself; `{ full: true }`
 * compares everything exactly and catches those (the integrations run one at the end of each
 * file). Node's lazily created globals (accessors that
 * materialise on first use, and the `Symbol.for('undici.globalDispatcher.<n>')` dispatcher slots
 * that materialising `WebSocket` or `EventSource` creates) are adopted into the baseline, not
 * reported; custodian's own `Symbol.for('custodian.*')` slots are never touched.
 *
 * @returns the report; rejects with `GlobalsResetError` (code `ERR_RESET_FAILED`) when a
 *   registered reset failed, unless `throwOnError` is false.
 *
 * @example
 * ```ts
 * setGlobalsBaseline();
 * process.env.FEATURE_X = '1';
 * const report = await resetGlobals(); // report.env.added = ['FEATURE_X'], and it is gone
 * await resetGlobals({ full: true });    // at the end of a file: the exact comparison
 * ```
 */
export async function resetGlobals(options: ResetGlobalsOptions = {}): Promise<ResetReport> {
  if (typeof options !== 'object' || options === null) {
    throw new CustodianTypeError(`resetGlobals() options must be an object, got ${describeValue(options)}`);
  }
  if (options.baseline !== undefined && !isGlobalsSnapshot(options.baseline)) {
    throw new CustodianTypeError(`resetGlobals() option baseline must come from snapshotGlobals(), got ${describeValue(options.baseline)}`);
  }
  if (options.full !== undefined && typeof options.full !== 'boolean') {
    throw new CustodianTypeError(`resetGlobals() option full must be a boolean, got ${describeValue(options.full)}`);
  }
  const start = performance.now();
  let resets: string[] | readonly never[] = NONE;
  let failedResets: FailedReset[] | readonly never[] = NONE;
  if (globalResetCount() > 0) await runGlobalResets((resets = []), (failedResets = []));
  const baseline = options.baseline ?? getGlobalsBaseline();
  const report = buildReport(start, baseline, options.ignore, resets, failedResets, options.full === true);
  if (log.enabled) logReport(report);
  if (!report.ok && options.throwOnError !== false) throw new GlobalsResetError(report);
  return report;
}

/**
 * `resetGlobals()` without its promise, for `cleanupAll()` after every test: when no reset is
 * registered there is nothing to await, and the report is returned at once (the baseline in
 * use, `ignore` from the options). Undefined when registered resets must run: call
 * `resetGlobals()` then.
 */
export function resetGlobalsNow(ignore: GlobalsIgnore | undefined): ResetReport | undefined {
  if (globalResetCount() > 0) return undefined;
  const report = buildReport(performance.now(), getGlobalsBaseline(), ignore, NONE, NONE);
  if (log.enabled) logReport(report);
  return report;
}

// What a reset that found nothing to restore reports, shared by every such reset.
const UNCHANGED: ResetReport = Object.freeze({
  ok: true,
  durationMs: 0,
  restoredBaseline: true,
  resets: NONE,
  failedResets: NONE,
  globals: NO_GLOBALS,
  env: NO_ENV,
  listeners: NONE,
  settings: NONE,
  kept: NONE,
});

/**
 * The report of a reset with nothing to do, when the cheap checks tell so at once: a baseline is
 * set, no reset is registered, and `globalThis`, `process.env`, the `process` listeners and the
 * settings look as the last restore left them. Undefined otherwise (and nothing is touched):
 * call `resetGlobalsNow()` then. This is what most tests cost: no report is built.
 */
export function resetGlobalsQuick(ignore: GlobalsIgnore | undefined): ResetReport | undefined {
  if (globalResetCount() > 0) return undefined;
  return globalsUnchanged(ignore) ? UNCHANGED : undefined;
}

/**
 * Whether a baseline is set and `globalThis`, `process.env`, the `process` listeners and the
 * settings look as the last restore (or baseline) left them, by the cheap checks. Touches
 * nothing, except that an environment found unchanged after a read is recorded as clean.
 * @internal
 */
export function globalsUnchanged(ignore: GlobalsIgnore | undefined): boolean {
  const baseline = getGlobalsBaseline();
  if (baseline === undefined || !settingsUnchanged(baseline)) return false;
  if (!globalsLookClean(baseline, ignore) || !listenersLookClean(baseline, ignore)) return false;
  if (!envLooksClean(baseline, ignore)) {
    // Code read process.env (vitest and many libraries do while a file loads): one exact
    // comparison, not the whole reset, tells whether it also changed it. Without the counting
    // accessor (process.env redefined) the reset puts it back first.
    if (envVersion() === undefined || !envMatches(baseline.env, ignore?.env)) return false;
    markEnvClean(baseline, ignore);
  }
  return true;
}

/**
 * The synchronous part: restores `baseline` (if any) and assembles the report. `globalThis` and
 * `process.env` are only walked when the cheap check says they changed since the last restore
 * (see `clean-state.ts`), or when `full` is true.
 */
export function buildReport(
  start: number,
  baseline: GlobalsSnapshot | undefined,
  ignore: GlobalsIgnore | undefined,
  resets: readonly string[],
  failedResets: readonly FailedReset[],
  full = false,
): ResetReport {
  let globals: ReturnType<typeof restoreGlobalProperties>;
  let env: ReturnType<typeof restoreEnv>;
  let listeners: ReturnType<typeof restoreListeners>;
  if (baseline !== undefined) {
    const globalsClean = !full && globalsLookClean(baseline, ignore);
    const envClean = !full && envLooksClean(baseline, ignore);
    const listenersClean = !full && listenersLookClean(baseline, ignore);
    let after: Map<PropertyKey, PropertyDescriptor> | undefined;
    if (!globalsClean) globals = restoreGlobalProperties(baseline.globals, ignore?.globals, (after = new Map()));
    if (!envClean) {
      // Someone redefined process.env as a data property: count its uses again.
      if (getGlobalsBaseline() !== undefined) watchEnv();
      env = restoreEnv(baseline.env, ignore?.env);
    }
    if (!listenersClean) listeners = restoreListeners(baseline.listeners, ignore?.events);
    if (!globalsClean || !envClean || !listenersClean) markClean(baseline, ignore, after);
  }
  let settings: string[] | undefined;
  let kept: string[] | undefined;
  if (baseline !== undefined) {
    const changed: string[] = [];
    const left: string[] = [];
    restoreSettings(baseline, changed, left);
    if (changed.length > 0) settings = changed;
    if (left.length > 0) kept = left;
  }
  return {
    ok: failedResets.length === 0,
    durationMs: performance.now() - start,
    restoredBaseline: baseline !== undefined,
    resets,
    failedResets,
    globals: globals ?? NO_GLOBALS,
    env: env ?? NO_ENV,
    listeners: listeners ?? NONE,
    settings: settings ?? NONE,
    kept: kept ?? NONE,
  };
}

function logReport(report: ResetReport): void {
  const { globals, env, listeners } = report;
  log(
    'reset in %d ms: globals +%d ~%d -%d (%d unrestorable), env +%d ~%d -%d, listeners %o, %d reset(s), %d failed',
    Math.round(report.durationMs * 1000) / 1000,
    globals.added.length, globals.changed.length, globals.deleted.length, globals.unrestorable.length,
    env.added.length, env.changed.length, env.deleted.length,
    listeners, report.resets.length, report.failedResets.length,
  );
}
