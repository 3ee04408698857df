import type { ResetReport } from '../globals/types.js';
import type { LeakReport } from '../leaks/types.js';
import type { MemorySample } from '../memory/types.js';
import type { CleanupReport } from '../registry/types.js';
import type { ShutdownReport } from '../runner/types.js';

/** The steps of `cleanupAll()`, in the order they run. */
export type LifecycleStep = 'runner' | 'registry' | 'globals' | 'leaks' | 'memory';

/** The order `cleanupAll()` runs its steps in. */
export const LIFECYCLE_STEPS: readonly LifecycleStep[] = Object.freeze(['runner', 'registry', 'globals', 'leaks', 'memory']);

/**
 * How one step went: `ok`; `failed` (with `error`); `skipped` when there was nothing to do (no
 * global runner, an empty registry, no baseline and no resets, no leak tracker in a test, no
 * memory sample being taken).
 */
export type LifecycleStepStatus = 'ok' | 'failed' | 'skipped';

/** One step of a `cleanupAll()`. */
export interface LifecycleStepOutcome {
  readonly step: LifecycleStep;
  readonly status: LifecycleStepStatus;
  readonly durationMs: number;
  /** The step's own report, when it ran and produced one. */
  readonly report?: ShutdownReport | CleanupReport | ResetReport | unknown;
  /** Why it failed: a `ShutdownError`, `CleanupError`, `GlobalsResetError`, or what the step threw. */
  readonly error?: unknown;
}

/** What a `cleanupAll()` did, step by step. */
export interface LifecycleReport {
  /** False when any step failed. */
  readonly ok: boolean;
  readonly durationMs: number;
  /** Every step, in the order they ran (always all of them). */
  readonly steps: readonly LifecycleStepOutcome[];
  /** The steps that failed. */
  readonly failed: readonly LifecycleStepOutcome[];
  /** The global runner's shutdown report; `undefined` when there was no global runner. */
  readonly runner: ShutdownReport | undefined;
  /** The default registry's cleanup report; `undefined` when it was empty. */
  readonly registry: CleanupReport | undefined;
  /** The globals reset report; `undefined` when there was no baseline and no registered reset. */
  readonly globals: ResetReport | undefined;
  /**
   * What the current test left open, from the active leak tracker (the integrations set one);
   * `undefined` when no tracker is active, no test is running, or `leaks` is `'off'`.
   */
  readonly leaks: LeakReport | undefined;
  /**
   * What the running test did to the heap, from the process-wide memory monitor (the
   * integrations start one per test); `undefined` when nothing was being measured.
   */
  readonly memory: MemorySample | undefined;
}

/** Options of `cleanupAll()`. */
export interface CleanupAllOptions {
  /**
   * Reject with a `LifecycleError` (code `ERR_CLEANUP_FAILED`, with `.report`) when a step failed.
   * @default true
   */
  throwOnError?: boolean;
}
