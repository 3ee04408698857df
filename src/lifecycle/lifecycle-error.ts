import { CustodianError } from '../errors.js';
import type { LifecycleReport, LifecycleStepOutcome } from './types.js';

const WHERE: Record<string, string> = {
  runner: 'shutting down the global runner',
  registry: 'cleaning up the default registry',
  globals: 'resetting globals',
  leaks: 'checking the test for leaks',
  memory: 'taking the memory sample',
};

function describe(outcome: LifecycleStepOutcome): string {
  const error = outcome.error;
  const text = error instanceof Error ? error.message : String(error);
  // Indent the step's own multi-line message (the registry lists each resource) under its line.
  return `  - ${outcome.step} (${WHERE[outcome.step] ?? outcome.step}): ${text.split('\n').join('\n    ')}`;
}

/**
 * `cleanupAll()` failed in one or more steps. Every step still ran; `report` has each step's
 * outcome and own report, `errors` each failed step's error in step order (the first is also the
 * `cause`). Code `ERR_CLEANUP_FAILED`, like the registry's `CleanupError`.
 */
export class LifecycleError extends CustodianError {
  override name = 'LifecycleError';
  /** Every step's outcome. */
  readonly report: LifecycleReport;
  /** The failed steps' errors, in step order. */
  readonly errors: readonly unknown[];

  constructor(report: LifecycleReport) {
    const errors = report.failed.map((outcome) => outcome.error);
    super(
      'ERR_CLEANUP_FAILED',
      [`cleanupAll() failed in ${report.failed.length} of ${report.steps.length} steps (every step ran):`, ...report.failed.map(describe)].join('\n'),
      { cause: errors[0] },
    );
    this.report = report;
    this.errors = errors;
  }
}
