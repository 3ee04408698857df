import type { LimitFunction } from 'p-limit';
import { logger } from '../_internal/debug.js';
import { RunnerClosedError } from './errors.js';
import type { RunnerState } from './runner-state.js';
import type { TaskRecord } from './task-record.js';
import type { ShutdownReport, TaskInfo } from './types.js';

const log = logger('runner');

const MAX_TIMER_MS = 2_147_483_647;

/** Waits until the last running task settles, or `ms` pass. The timer is referenced on purpose: the deadline must fire. */
function waitDrained(state: RunnerState, ms: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = ms <= MAX_TIMER_MS ? setTimeout(resolve, ms) : undefined;
    state.drained = () => {
      clearTimeout(timer);
      resolve();
    };
  });
}

/**
 * Rejects every queued task at once, with `error`. p-limit 7 (`rejectOnClear`) rejects each
 * queued promise with `AbortSignal.abort().reason`, and the plain `run()` path hands p-limit's
 * promise to the caller (anything of ours per queued task costs throughput, see bench/README.md),
 * so `AbortSignal.abort` is made to default to our error for the duration of this synchronous
 * call, and restored before anything else can run. Should p-limit change, callers would see
 * an AbortError instead: still rejected at once (tests/runner pin the code).
 */
function clearQueue(limit: LimitFunction, error: unknown): void {
  const original = AbortSignal.abort;
  let patched = false;
  try {
    AbortSignal.abort = (reason?: unknown) => original.call(AbortSignal, reason === undefined ? error : reason);
    patched = true;
  } catch {
    // A frozen AbortSignal (SES lockdown): p-limit's own AbortError it is.
  }
  try {
    limit.clearQueue();
  } finally {
    if (patched) AbortSignal.abort = original;
  }
}

function emptyChildReport(): ShutdownReport {
  return { runner: '', durationMs: 0, completed: 0, cancelled: 0, aborted: 0, abandoned: [], errors: [], unobserved: 0 };
}

/**
 * The body of `AsyncRunner.shutdown()`, in the order the contract gives: close, reject the
 * queue, end sleeps, abort, shut the children down, wait for the deadline, abandon the rest,
 * forget everything. Never rejects.
 */
export async function closeRunner(
  state: RunnerState,
  timeoutMs: number,
  hasReason: boolean,
  reason: unknown,
  children: ReadonlyArray<{ shutdown(options: { timeoutMs: number; reason: unknown }): Promise<ShutdownReport> }>,
): Promise<ShutdownReport> {
  const started = performance.now();
  state.closed = true;
  state.detachParent?.();
  const closedError = new RunnerClosedError(state.name, undefined, hasReason ? { cause: reason } : undefined);
  state.closedError = closedError;
  const abortReason = hasReason ? reason : closedError;
  log('%s: shutting down (%d running, %d queued, %d children, deadline %d ms)', state.name, state.running, state.queued, children.length, timeoutMs);

  if (state.limit !== undefined) clearQueue(state.limit, closedError);
  state.limit = undefined;
  for (let record = state.waitingTasks.head; record !== undefined; ) {
    const next = record.next;
    record.callerSignal?.removeEventListener('abort', record);
    const reject = record.reject;
    record.release();
    reject?.(closedError);
    record = next;
  }
  state.waitingTasks.clear();
  state.cancelled += state.queued;
  state.queued = 0;
  state.endSleeps(closedError);

  const running: TaskRecord[] = [];
  for (let record = state.runningTasks.head; record !== undefined; record = record.next) {
    record.byShutdown = true;
    record.aborted = true;
    running.push(record);
  }
  // Abort listeners run synchronously and may be user code that throws: one must not stop the others.
  try {
    state.controller?.abort(abortReason);
  } catch (error) {
    log('%s: an abort listener threw: %O', state.name, error);
  }
  for (const record of running) {
    try {
      record.controller?.abort(abortReason);
    } catch (error) {
      log('%s: an abort listener of "%s" threw: %O', state.name, record.displayName(), error);
    }
  }

  // Children shut down concurrently with our own tasks, and before we resolve.
  const childReports = children.map((child) =>
    child.shutdown({ timeoutMs, reason: abortReason }).catch((error: unknown) => {
      state.errors.push(error);
      return emptyChildReport();
    }),
  );
  if (state.running > 0) await waitDrained(state, timeoutMs);
  state.drained = undefined;
  const reports = await Promise.all(childReports);

  const now = performance.now();
  const abandoned: TaskInfo[] = [];
  let record = state.runningTasks.head;
  while (record !== undefined) {
    const next = record.next;
    abandoned.push(record.info(state.name, now));
    abandonRecord(state, record);
    record = next;
  }
  if (abandoned.length > 0) {
    log('%s: abandoned %d task(s) after %d ms: %s', state.name, abandoned.length, timeoutMs, abandoned.map((task) => task.name).join(', '));
  }

  const errors = [...state.errors];
  let { completed, cancelled, aborted, unobserved } = state;
  for (const child of reports) {
    completed += child.completed;
    cancelled += child.cancelled;
    aborted += child.aborted;
    unobserved += child.unobserved;
    abandoned.push(...child.abandoned);
    errors.push(...child.errors);
  }
  state.detachFromParent?.();
  state.clear();
  state.errors = [];
  state.becameIdle();
  const durationMs = performance.now() - started;
  log('%s: shut down in %d ms: %d completed, %d cancelled, %d aborted, %d abandoned, %d errors', state.name, Math.round(durationMs), completed, cancelled, aborted, abandoned.length, errors.length);
  return { runner: state.name, durationMs, completed, cancelled, aborted, abandoned, errors, unobserved };
}

function abandonRecord(state: RunnerState, record: TaskRecord): void {
  state.runningTasks.remove(record);
  state.running--;
  if (record.timer !== undefined) clearTimeout(record.timer);
  record.callerSignal?.removeEventListener('abort', record);
  const error = new RunnerClosedError(
    state.name,
    `task "${record.displayName()}" was abandoned by the shutdown of runner "${state.name}": it did not settle after its signal was aborted`,
  );
  const reject = record.reject;
  const handle = record.handle;
  record.release();
  reject?.(error);
  handle?._settle({ status: 'rejected', reason: error });
}
