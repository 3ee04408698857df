import { logger } from '../_internal/debug.js';
import { globalSlot } from '../_internal/global-slot.js';
import { isThenable } from '../_internal/thenable.js';
import type { ResetReport } from '../globals/types.js';
import type { LeakReport } from '../leaks/types.js';
import type { MemorySample } from '../memory/types.js';
import type { CleanupReport } from '../registry/types.js';
import type { ShutdownReport } from '../runner/types.js';
import { currentOptions } from './configure.js';
import { InvalidOptionError } from './invalid-option-error.js';
import { isCustodianError } from '../errors.js';
import { LifecycleError } from './lifecycle-error.js';
import type { ResolvedOptions } from './options.js';
import { stepDefinition, type StepResult } from './steps.js';
import { LIFECYCLE_STEPS, type CleanupAllOptions, type LifecycleReport, type LifecycleStep, type LifecycleStepOutcome } from './types.js';

const log = logger('lifecycle');

const SKIPPED: Readonly<Record<LifecycleStep, LifecycleStepOutcome>> = Object.freeze(
  Object.fromEntries(LIFECYCLE_STEPS.map((step) => [step, Object.freeze({ step, status: 'skipped', durationMs: 0 })])) as Record<LifecycleStep, LifecycleStepOutcome>,
);

// What every call that finds nothing to do gets: one frozen report and one settled promise,
// so the common case (a test that registered nothing) allocates nothing.
const IDLE_REPORT: LifecycleReport = Object.freeze({
  ok: true,
  durationMs: 0,
  steps: Object.freeze(LIFECYCLE_STEPS.map((step) => SKIPPED[step])),
  failed: Object.freeze([]),
  runner: undefined,
  registry: undefined,
  globals: undefined,
  leaks: undefined,
  memory: undefined,
});
const IDLE: Promise<LifecycleReport> = Promise.resolve(IDLE_REPORT);

// The cleanup running now and the one queued behind it, shared by every copy of custodian in the
// process (the integrations' build and the core one, ESM and CJS): a user's cleanupAll() that
// is still running when an integration's own call comes queues that call, whichever copy made it.
const run: { running: Promise<LifecycleReport> | undefined; queued: Promise<LifecycleReport> | undefined } = globalSlot('cleanupRun', () => ({
  running: undefined,
  queued: undefined,
}));

function allIdle(): boolean {
  for (const step of LIFECYCLE_STEPS) if (!stepDefinition(step).idle()) return false;
  return true;
}

/** `stepStart` -1: a result from the step's `quick()`, reported as taking no time. */
function stepOutcome(step: LifecycleStep, result: StepResult, stepStart: number): LifecycleStepOutcome {
  const durationMs = stepStart < 0 ? 0 : performance.now() - stepStart;
  return result.error === undefined
    ? { step, status: 'ok', durationMs, report: result.report }
    : { step, status: 'failed', durationMs, report: result.report, error: result.error };
}

/** A step whose run threw or rejected: no report, only the error. */
function thrownOutcome(step: LifecycleStep, error: unknown, stepStart: number): LifecycleStepOutcome {
  return { step, status: 'failed', durationMs: performance.now() - stepStart, error };
}

/**
 * Runs the steps from `from` on, synchronously for as long as each step returns its result
 * directly, and through promises from the first step that returns one. Every step runs
 * whatever happened before it: a failed registry cleanup must not keep globals from being reset
 * for the next test.
 */
function runSteps(options: ResolvedOptions, start: number, steps: LifecycleStepOutcome[], from = 0): LifecycleReport | Promise<LifecycleReport> {
  for (let index = from; index < LIFECYCLE_STEPS.length; index++) {
    const step = LIFECYCLE_STEPS[index]!;
    const definition = stepDefinition(step);
    if (definition.idle()) {
      steps.push(SKIPPED[step]);
      continue;
    }
    let quick: StepResult | undefined;
    try {
      quick = definition.quick?.(options);
    } catch (error) {
      steps.push(thrownOutcome(step, error, performance.now()));
      continue;
    }
    if (quick !== undefined) {
      steps.push(stepOutcome(step, quick, -1));
      continue;
    }
    const stepStart = performance.now();
    let result: StepResult | PromiseLike<StepResult>;
    try {
      result = definition.run(options);
    } catch (error) {
      steps.push(thrownOutcome(step, error, stepStart));
      continue;
    }
    if (isThenable(result)) {
      return Promise.resolve(result).then(
        (settled) => {
          steps.push(stepOutcome(step, settled, stepStart));
          return runSteps(options, start, steps, index + 1);
        },
        (error: unknown) => {
          steps.push(thrownOutcome(step, error, stepStart));
          return runSteps(options, start, steps, index + 1);
        },
      );
    }
    steps.push(stepOutcome(step, result, stepStart));
  }
  return assemble(steps, start);
}

function assemble(steps: LifecycleStepOutcome[], start: number): LifecycleReport {
  const failed = steps.filter((outcome) => outcome.status === 'failed');
  const report: LifecycleReport = {
    ok: failed.length === 0,
    durationMs: performance.now() - start,
    steps,
    failed,
    runner: steps[0]!.report as ShutdownReport | undefined,
    registry: steps[1]!.report as CleanupReport | undefined,
    globals: steps[2]!.report as ResetReport | undefined,
    leaks: steps[3]!.report as LeakReport | undefined,
    memory: steps[4]!.report as MemorySample | undefined,
  };
  if (log.enabled) {
    log('cleanupAll in %d ms: %s', Math.round(report.durationMs * 1000) / 1000, steps.map((outcome) => `${outcome.step} ${outcome.status}`).join(', '));
  }
  return report;
}

/** Runs the steps now; a run that turns asynchronous is tracked, so that later calls queue behind it. */
function start(options: ResolvedOptions): LifecycleReport | Promise<LifecycleReport> {
  const result = runSteps(options, performance.now(), []);
  if (!isThenable(result)) return result;
  const current: Promise<LifecycleReport> = result.finally(() => {
    if (run.running === current) run.running = undefined;
  });
  run.running = current;
  return current;
}

function schedule(options: ResolvedOptions): LifecycleReport | Promise<LifecycleReport> {
  if (run.queued !== undefined) return run.queued;
  if (run.running === undefined) return start(options);
  // A call made while a cleanup runs may have registered something the running one already went
  // past: it gets a fresh run right after, shared by every call that arrives meanwhile.
  const next = (): LifecycleReport | Promise<LifecycleReport> => {
    run.queued = undefined;
    return start(options);
  };
  run.queued ??= run.running.then(next, next);
  return run.queued;
}

function rejectOnFailure(report: LifecycleReport): LifecycleReport {
  if (report.ok) return report;
  // A leak under `leaks: 'fail'` with nothing else wrong is the test's own failure: its error
  // (code ERR_LEAK_DETECTED) lists each leak, where it was created and how to fix it.
  const only = report.failed.length === 1 ? report.failed[0]! : undefined;
  // By code: the step table may hold the leak check of another copy of custodian (the
  // integrations' build, the other module format), whose LeakDetectedError is another class.
  if (only?.step === 'leaks' && isCustodianError(only.error, 'ERR_LEAK_DETECTED')) throw only.error;
  throw new LifecycleError(report);
}

/**
 * Cleans up after a test: the one call for any framework's `afterEach`. In this order, it shuts
 * down the global runner (`shutdownGlobalRunner()`), cleans up the default `registry`, resets
 * globals (`resetGlobals()`: registered resets, then the baseline if one was set), checks the
 * running test for leaks (with the active leak tracker the integrations install; under
 * `leaks: 'dispose'` or `'fail'` leaked handles are closed) and takes the memory sample.
 *
 * Every step runs even when an earlier one fails. Steps with nothing to do are skipped without
 * async work: when nothing was registered it costs a few microseconds and resolves with one
 * shared, frozen report. A call made while a cleanup is running gets a fresh run right after it
 * (calls arriving meanwhile share that run).
 *
 * @returns the report of every step; rejects with one `LifecycleError` (code
 *   `ERR_CLEANUP_FAILED`, with `.report` and `.errors`) whose message lists each failed step and
 *   what failed in it, unless `throwOnError` is false. When the only failure is a leak under
 *   `leaks: 'fail'`, it rejects with that `LeakDetectedError` (code `ERR_LEAK_DETECTED`). Rejects with an `InvalidOptionError` for
 *   a bad option or `CUSTODIAN_*` variable.
 *
 * @example
 * ```ts
 * import { afterEach } from 'vitest';
 * import { cleanupAll } from 'custodian';
 * afterEach(() => cleanupAll());
 * ```
 */
export function cleanupAll(options?: CleanupAllOptions): Promise<LifecycleReport> {
  let resolved: ResolvedOptions;
  try {
    if (options !== undefined) checkOptions(options);
    resolved = currentOptions();
  } catch (error) {
    return Promise.reject(error);
  }
  if (run.running === undefined && run.queued === undefined && allIdle()) return IDLE;
  const result = schedule(resolved);
  const shared = isThenable(result) ? result : Promise.resolve(result);
  return options?.throwOnError === false ? shared : shared.then(rejectOnFailure);
}

/**
 * `cleanupAll({ throwOnError: false })` without a promise when no step has anything to wait
 * for: the integrations call it after every test, and a synchronous `afterEach` costs the
 * runner less than an async one. Throws an `InvalidOptionError` for a bad `CUSTODIAN_*` variable.
 * @internal
 */
export function cleanupAllNow(): LifecycleReport | Promise<LifecycleReport> {
  const resolved = currentOptions();
  if (run.running === undefined && run.queued === undefined) {
    const quick = quickReport(resolved);
    if (quick !== undefined) return quick;
  }
  return schedule(resolved);
}

const EMPTY_FAILED: readonly LifecycleStepOutcome[] = Object.freeze([]);

function quickOutcome(step: LifecycleStep, report: unknown): LifecycleStepOutcome {
  return { step, status: 'ok', durationMs: 0, report };
}

/**
 * The report of a cleanup whose every step is idle or answered by its `quick()`: what most tests
 * leave behind, reported without timing each step (the shared idle report when every step is
 * idle). `undefined` when a step needs its `run()`: the globals step's `quick()` only looks, and
 * the leak check's does its work only when it answers, after which only the memory sample
 * (which always answers) is left; so the full run can start from the first step.
 */
function quickReport(options: ResolvedOptions): LifecycleReport | undefined {
  const runner = stepDefinition('runner');
  const registry = stepDefinition('registry');
  if (!runner.idle() || !registry.idle()) return undefined;
  const globalsStep = stepDefinition('globals');
  const leaksStep = stepDefinition('leaks');
  const memoryStep = stepDefinition('memory');
  const globalsIdle = globalsStep.idle();
  const leaksIdle = leaksStep.idle();
  const memoryIdle = memoryStep.idle();
  if (globalsIdle && leaksIdle && memoryIdle) return IDLE_REPORT;
  // A step without quick() (a replaced one) needs the full run; known before any step works.
  if ((!globalsIdle && !globalsStep.quick) || (!leaksIdle && !leaksStep.quick) || (!memoryIdle && !memoryStep.quick)) return undefined;
  const globals = globalsIdle ? undefined : globalsStep.quick?.(options);
  if (!globalsIdle && (globals === undefined || globals.error !== undefined)) return undefined;
  const leaks = leaksIdle ? undefined : leaksStep.quick?.(options);
  if (!leaksIdle && (leaks === undefined || leaks.error !== undefined)) return undefined;
  const memory = memoryIdle ? undefined : memoryStep.quick?.(options);
  if (!memoryIdle && memory === undefined) return undefined;
  const steps = [
    SKIPPED.runner,
    SKIPPED.registry,
    globals === undefined ? SKIPPED.globals : quickOutcome('globals', globals.report),
    leaks === undefined ? SKIPPED.leaks : quickOutcome('leaks', leaks.report),
    memory === undefined ? SKIPPED.memory : memory.error === undefined ? quickOutcome('memory', memory.report) : stepOutcome('memory', memory, -1),
  ];
  if (memory?.error !== undefined) return assemble(steps, performance.now());
  if (log.enabled) log('cleanupAll: nothing to clean up (%s)', steps.map((outcome) => `${outcome.step} ${outcome.status}`).join(', '));
  return {
    ok: true,
    durationMs: 0,
    steps,
    failed: EMPTY_FAILED,
    runner: undefined,
    registry: undefined,
    globals: globals?.report as ResetReport | undefined,
    leaks: leaks?.report as LeakReport | undefined,
    memory: memory?.report as MemorySample | undefined,
  };
}


function checkOptions(options: CleanupAllOptions): void {
  if (typeof options !== 'object' || options === null) {
    throw InvalidOptionError.value('cleanupAll()', 'options', ['an object with throwOnError'], options);
  }
  // for...in rather than Object.keys: this runs after every test, and allocates nothing.
  for (const key in options) {
    if (Object.hasOwn(options, key) && key !== 'throwOnError') throw InvalidOptionError.unknown('cleanupAll()', key, ['throwOnError']);
  }
  if (options.throwOnError !== undefined && typeof options.throwOnError !== 'boolean') {
    throw InvalidOptionError.value('cleanupAll()', 'throwOnError', ['true', 'false'], options.throwOnError);
  }
}
