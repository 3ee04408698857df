import { CustodianError, TimeoutError } from '../errors.js';
import type { CleanupReport, DisposeOutcome } from './types.js';

function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

function line(outcome: DisposeOutcome): string {
  return `  - ${outcome.kind} ${outcome.name}: ${errorText(outcome.error)}`;
}

/**
 * A cleanup that was not `ok`: some resources failed to close or were abandoned.
 * Code `ERR_CLEANUP_FAILED`; `report` has every outcome.
 */
export class CleanupError extends CustodianError {
  override name = 'CleanupError';
  /** The full report of the cleanup. */
  readonly report: CleanupReport;

  constructor(report: CleanupReport, message?: string, options?: { cause?: unknown }) {
    super('ERR_CLEANUP_FAILED', message ?? CleanupError.summarize(report), options);
    this.report = report;
  }

  /** A message listing each failed and abandoned resource with the reason. */
  static summarize(report: CleanupReport): string {
    const total = report.disposed.length + report.forced.length + report.failed.length + report.timedOut.length;
    const bad = [...report.failed, ...report.timedOut];
    return [
      `cleanup of registry "${report.registry}" left ${bad.length} of ${total} resources unclosed:`,
      ...bad.map(line),
      'Give slow resources a longer timeoutMs, or a forceDispose that cannot hang.',
    ].join('\n');
  }
}

/** Creates the error for a resource that missed its deadline(s). */
export function disposeTimeout(name: string, gracefulMs: number, forceMs: number | undefined, cause?: unknown): TimeoutError {
  const message =
    forceMs === undefined
      ? `${name} did not close within ${gracefulMs} ms and has no forced close; it was abandoned`
      : `${name} did not close within ${gracefulMs} ms, nor its forced close within ${forceMs} ms; it was abandoned`;
  return new TimeoutError('ERR_DISPOSE_TIMEOUT', message, forceMs === undefined ? gracefulMs : gracefulMs + forceMs, { cause });
}
