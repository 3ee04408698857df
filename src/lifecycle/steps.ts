import { globalSlot, peekGlobalSlot } from '../_internal/global-slot.js';
import { GlobalsResetError, globalsResetIdle, resetGlobals, resetGlobalsNow, resetGlobalsQuick } from '../globals/reset-globals.js';
import type { ResetReport } from '../globals/types.js';
import type { LeakReport } from '../leaks/types.js';
import { getActiveTracker } from '../leaks/current.js';
import { LeakDetectedError } from '../leaks/leak-error.js';
import { peekMemoryMonitor } from '../memory/global-monitor.js';
import { MemoryThresholdError } from '../memory/memory-threshold-error.js';
import { CleanupError } from '../registry/cleanup-error.js';
import { DEFAULT_REGISTRY_SLOT } from '../registry/default-registry-slot.js';
import type { ResourceRegistry } from '../registry/resource-registry.js';
import { ShutdownError } from '../runner/errors.js';
import { hasGlobalRunner, shutdownGlobalRunner } from '../runner/global-runner.js';
import type { ResolvedOptions } from './options.js';
import type { LifecycleStep } from './types.js';

/** What a step tells back: its own report, and the error when that report says it failed. */
export interface StepResult {
  readonly report: unknown;
  readonly error?: unknown;
}

/** One step of `cleanupAll()`. */
export interface StepDefinition {
  /**
   * Synchronous and cheap: true when the step has nothing to do right now. `cleanupAll()` skips
   * idle steps without any async work, which is what keeps it at a few microseconds per test
   * when nothing was registered.
   */
  idle(): boolean;
  /**
   * Runs the step. A thrown error or a rejection counts as the step's failure. A step that has
   * nothing to wait for returns its result directly: when every step does, `cleanupAll()` does
   * no async work at all and the integrations' `afterEach` stays synchronous.
   */
  run(options: ResolvedOptions): StepResult | Promise<StepResult>;
  /**
   * The step's result when it is at hand at once, without timing the step: nothing to clean up
   * and nothing to say beyond "nothing changed" (what most tests leave behind). `undefined` when
   * `run()` must do the work; it must then have changed nothing. `cleanupAll()` reports 0 ms
   * for a step answered here.
   */
  quick?(options: ResolvedOptions): StepResult | undefined;
}

const ALWAYS_IDLE: StepDefinition = { idle: () => true, run: () => ({ report: undefined }) };

const runnerStep: StepDefinition = {
  idle: () => !hasGlobalRunner(),
  async run(options) {
    const report = await shutdownGlobalRunner({ timeoutMs: options.timeouts.runner });
    if (report !== undefined && (report.abandoned.length > 0 || report.unobserved > 0)) return { report, error: new ShutdownError(report) };
    return { report };
  },
};

// The default registry through its process-wide slot, not its module: the integrations (which
// import this file) load neither the registry nor the adapters unless a test uses them.
function defaultRegistry(): ResourceRegistry | undefined {
  return peekGlobalSlot<ResourceRegistry>(DEFAULT_REGISTRY_SLOT);
}

const registryStep: StepDefinition = {
  idle: () => (defaultRegistry()?.size ?? 0) === 0,
  async run(options) {
    const report = await defaultRegistry()!.cleanupAll({ throwOnError: false, timeoutMs: options.timeouts.registry });
    return report.ok ? { report } : { report, error: new CleanupError(report) };
  },
};

function globalsResult(report: ResetReport): StepResult {
  return report.ok ? { report } : { report, error: new GlobalsResetError(report) };
}

const globalsStep: StepDefinition = {
  idle: globalsResetIdle,
  quick(options) {
    const report = resetGlobalsQuick(options.globals.ignore);
    return report === undefined ? undefined : { report };
  },
  run(options) {
    const now = resetGlobalsNow(options.globals.ignore);
    if (now !== undefined) return globalsResult(now);
    return resetGlobals({ throwOnError: false, ignore: options.globals.ignore }).then(globalsResult);
  },
};

const KEEP_LEAKS = { dispose: false } as const;
const DISPOSE_LEAKS = { dispose: true } as const;

function leaksResult(report: LeakReport, mode: ResolvedOptions['leaks']): StepResult {
  return mode === 'fail' && report.leaks.length > 0 ? { report, error: new LeakDetectedError(report) } : { report };
}

// Only inside a test: outside one, the tracker's end() is the end-of-file check, which belongs
// to the integrations' finish(), not to a cleanupAll() a user calls between tests.
const leaksStep: StepDefinition = {
  idle: () => {
    const tracker = getActiveTracker();
    return tracker === undefined || tracker.stopped || tracker.currentTest === undefined;
  },
  run(options) {
    const mode = options.leaks;
    if (mode === 'off') return { report: undefined };
    const tracker = getActiveTracker()!;
    const end = mode === 'warn' ? KEEP_LEAKS : DISPOSE_LEAKS;
    const clean = tracker.endIfClean(end);
    return clean !== undefined ? leaksResult(clean, mode) : tracker.end(end).then((report) => leaksResult(report, mode));
  },
  quick(options) {
    if (options.leaks === 'off') return { report: undefined };
    const report = getActiveTracker()!.endIfQuiet();
    return report === undefined ? undefined : { report };
  },
};

// The sample of the test the monitor is measuring (the integrations start one per test); a
// delta over memory.failBytes, confirmed after a GC, fails the step.
function endSample(options: ResolvedOptions): StepResult {
  const sample = peekMemoryMonitor()!.after();
  const failBytes = options.memory === false ? undefined : options.memory.failBytes;
  return sample.level === 'fail' && failBytes !== undefined ? { report: sample, error: new MemoryThresholdError(sample, failBytes) } : { report: sample };
}

const memoryStep: StepDefinition = {
  idle: () => peekMemoryMonitor()?.measuring !== true,
  run: endSample,
  // Sampling is synchronous and cheap, except for a GC the monitor decided to run (timed by it).
  quick: endSample,
};

/**
 * The steps, in order. Shared by both builds, so an integration loaded through one copy can fill
 * a slot that `cleanupAll()` from the other copy runs. `leaks` checks the active leak tracker's
 * current test; `memory` ends the process-wide memory monitor's sample. Both can be replaced
 * with {@link defineLifecycleStep}.
 */
const table: Record<LifecycleStep, StepDefinition> = globalSlot('lifecycleSteps', () => ({
  runner: runnerStep,
  registry: registryStep,
  globals: globalsStep,
  leaks: leaksStep,
  memory: memoryStep,
}));

/** The definition of `step` in use. */
export function stepDefinition(step: LifecycleStep): StepDefinition {
  return table[step];
}

/**
 * Fills (or, with `undefined`, empties) a step slot of `cleanupAll()`; the leak check and the
 * memory sample use it. Returns a Disposable that puts the previous definition back.
 */
export function defineLifecycleStep(step: 'leaks' | 'memory', definition: StepDefinition | undefined): Disposable {
  const previous = table[step];
  table[step] = definition ?? ALWAYS_IDLE;
  return {
    [Symbol.dispose](): void {
      table[step] = previous;
    },
  };
}
