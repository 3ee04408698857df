import { CustodianError, TimeoutError, type CustodianErrorOptions } from '../errors.js';
import type { ShutdownReport } from './types.js';

/**
 * A runner refused work because it is shut down (or shutting down): what `run()`, `spawn()`,
 * `sleep()` and `child()` throw or reject with once `shutdown()` was called, what queued tasks
 * are rejected with, and the default abort reason of running tasks. Code `ERR_RUNNER_CLOSED`.
 */
export class RunnerClosedError extends CustodianError {
  override name = 'RunnerClosedError';
  /** The name of the runner. */
  readonly runner: string;

  constructor(runner: string, message?: string, options?: CustodianErrorOptions) {
    super(
      'ERR_RUNNER_CLOSED',
      message ?? `runner "${runner}" is shut down and accepts no more work; create a new AsyncRunner (or call getGlobalRunner() again)`,
      options,
    );
    this.runner = runner;
  }
}

/**
 * A runner's `[Symbol.asyncDispose]` (the end of an `await using` block) found tasks that it had
 * to abandon, or background tasks that failed with nobody observing. Carries the whole report.
 * Code `ERR_SHUTDOWN`.
 */
export class ShutdownError extends CustodianError {
  override name = 'ShutdownError';
  /** What the shutdown found: the abandoned tasks with their age and stack, the errors. */
  readonly report: ShutdownReport;

  constructor(report: ShutdownReport) {
    super('ERR_SHUTDOWN', describeReport(report), { cause: report.errors.length === 1 ? report.errors[0] : undefined });
    this.report = report;
  }
}

function describeReport(report: ShutdownReport): string {
  const parts: string[] = [];
  if (report.abandoned.length > 0) {
    const names = report.abandoned.slice(0, 5).map((task) => `"${task.name}" (${Math.round(task.ageMs)} ms old)`);
    const more = report.abandoned.length > 5 ? ` and ${report.abandoned.length - 5} more` : '';
    parts.push(
      `${report.abandoned.length} task(s) ignored the abort and were abandoned: ${names.join(', ')}${more}. ` +
        'Make them honour their AbortSignal, or raise shutdownTimeoutMs',
    );
  }
  if (report.unobserved > 0) {
    parts.push(`${report.unobserved} background task(s) failed with nobody observing; pass onError, or read the handle's done`);
  }
  return `runner "${report.runner}" shut down uncleanly: ${parts.join('; ')} (see error.report)`;
}

/** The error of a task that did not settle within its `timeoutMs` (code `ERR_TASK_TIMEOUT`). */
export function taskTimeoutError(runner: string, task: string, timeoutMs: number): TimeoutError {
  return new TimeoutError(
    'ERR_TASK_TIMEOUT',
    `task "${task}" of runner "${runner}" did not settle within ${timeoutMs} ms; its signal was aborted. ` +
      'Raise timeoutMs, or make the task faster',
    timeoutMs,
  );
}
