import { setMaxListeners } from 'node:events';
import pLimit from 'p-limit';
import { CustodianTypeError } from '../errors.js';
import { checkConcurrency, checkDuration, describeValue } from '../_internal/validate.js';
import { RunnerClosedError, ShutdownError } from './errors.js';
import { checkName, checkOptions, checkSignal, checkStacks, checkTask, STACKS, stacksName, type StacksLevel } from './options.js';
import { RunnerState } from './runner-state.js';
import { closeRunner } from './shutdown.js';
import { captureSite } from './task-record.js';
import { TaskEngine } from './task-engine.js';
import type { RunOptions, RunnerOptions, ShutdownOptions, ShutdownReport, SpawnOptions, Task, TaskHandle } from './types.js';

/**
 * A supervisor for async work with a robust shutdown: runs tasks with bounded concurrency,
 * gives each an `AbortSignal`, and on `shutdown()` (or at the end of an `await using` block)
 * rejects what is queued, aborts what runs, waits up to a deadline and names what it had to
 * abandon. Afterwards it holds no reference to any task.
 *
 * Every task's signal aborts on the runner's shutdown and on its parent `signal`. A task
 * with its own `timeoutMs` or `signal` gets a signal of its own that also aborts on those;
 * the others share the runner's signal (an `AbortSignal` costs about as much as the rest of
 * `run()`, see bench/README.md), so a task must remove the listeners it adds to its signal.
 *
 * @example
 * ```ts
 * await using runner = new AsyncRunner({ concurrency: 8, shutdownTimeoutMs: 2000 });
 * const pages = await Promise.all(urls.map((url) => runner.run((signal) => fetch(url, { signal }), { timeoutMs: 5000 })));
 * runner.spawn(async (signal) => { while (!signal.aborted) await poll(signal); }, { name: 'poller' });
 * // leaving the block aborts the poller and waits for it; a task that ignores its signal
 * // makes the block throw a ShutdownError naming it
 * ```
 */
export class AsyncRunner implements AsyncDisposable {
  readonly #state: RunnerState;
  readonly #engine: TaskEngine;
  readonly #stacks: StacksLevel;
  #childCount = 0;
  #shutdown: Promise<ShutdownReport> | undefined;

  constructor(options: RunnerOptions = {}) {
    checkOptions(options, 'AsyncRunner options');
    const name = checkName(options.name, 'AsyncRunner option name') ?? 'runner';
    const concurrency = checkConcurrency(options.concurrency, 'AsyncRunner option concurrency') ?? Number.POSITIVE_INFINITY;
    const shutdownTimeoutMs = checkDuration(options.shutdownTimeoutMs, 'AsyncRunner option shutdownTimeoutMs') ?? 5000;
    if (options.onError !== undefined && typeof options.onError !== 'function') {
      throw new CustodianTypeError(`AsyncRunner option onError must be a function, got ${describeValue(options.onError)}`);
    }
    this.#stacks = checkStacks(options.stacks);
    const parentSignal = checkSignal(options.signal, 'AsyncRunner option signal');
    const controller = new AbortController();
    // Tasks without their own timeout or signal share this one; sixteen concurrent fetch() calls
    // adding a listener each are normal use, not the leak Node's warning assumes.
    setMaxListeners(0, controller.signal);
    const state = new RunnerState(name, shutdownTimeoutMs, options.onError, controller);
    state.limit = pLimit({ concurrency, rejectOnClear: true });
    this.#state = state;
    this.#engine = new TaskEngine(state);
    if (parentSignal !== undefined) {
      const onParentAbort = (): void => void this.shutdown({ reason: parentSignal.reason });
      if (parentSignal.aborted) onParentAbort();
      else {
        parentSignal.addEventListener('abort', onParentAbort, { once: true });
        state.detachParent = () => parentSignal.removeEventListener('abort', onParentAbort);
      }
    }
  }

  /** The runner's name, as used in reports and errors. */
  get name(): string {
    return this.#state.name;
  }

  /** Tasks running now (`run()` tasks that started, and `spawn()` tasks). */
  get active(): number {
    return this.#state.running;
  }

  /** `run()` tasks waiting for a concurrency slot (or for the microtask that starts them). */
  get pending(): number {
    return this.#state.queued;
  }

  /** True once `shutdown()` was called (or the parent signal aborted): no more work is accepted. */
  get closed(): boolean {
    return this.#state.closed;
  }

  /**
   * Runs `task` when a concurrency slot is free (always in a later microtask, never inside the
   * call) and resolves with what it returns (a value or a promise; a synchronous throw becomes
   * a rejection). The task receives a signal that aborts
   * on its `timeoutMs`, on its `signal`, on the runner's parent signal and on shutdown.
   *
   * Rejects with `RunnerClosedError` once the runner is closed, and for a task still queued
   * when it shuts down (without starting it); with a `TimeoutError` (`ERR_TASK_TIMEOUT`) at the
   * task's deadline; with the caller signal's reason when it aborts. For fire-and-forget work
   * use `spawn()`: an unawaited `run()` that rejects is an unhandled rejection.
   *
   * @throws CustodianTypeError / CustodianRangeError (`ERR_INVALID_ARGUMENT`) on bad input, synchronously.
   * @example
   * ```ts
   * const rows = await runner.run((signal) => query(sql, { signal }), { name: 'load users', timeoutMs: 2000 });
   * ```
   */
  run<T>(task: Task<T>, options?: RunOptions): Promise<T> {
    checkTask(task, 'run');
    let name: string | undefined;
    let timeoutMs = Number.POSITIVE_INFINITY;
    let signal: AbortSignal | undefined;
    if (options !== undefined) {
      checkOptions(options, 'run() options');
      name = checkName(options.name, 'run() option name');
      timeoutMs = checkDuration(options.timeoutMs, 'run() option timeoutMs') ?? timeoutMs;
      signal = checkSignal(options.signal, 'run() option signal');
    }
    const site = this.#stacks === STACKS.all ? captureSite(this.run) : undefined;
    if (timeoutMs === Number.POSITIVE_INFINITY && signal === undefined) return this.#engine.runPlain(task, name, site) as Promise<T>;
    return this.#engine.runGuarded(task, name, timeoutMs, signal, site) as Promise<T>;
  }

  /**
   * Starts background work the runner still owns: `task` starts at once (outside the
   * concurrency limit) with a signal of its own that aborts on `handle.abort()`, the parent
   * signal and shutdown. A failure (that is not the consequence of an abort) goes to
   * `onError`, is listed in the shutdown report's `errors`, and is never an unhandled rejection.
   *
   * @throws RunnerClosedError once the runner is closed; CustodianTypeError on bad input.
   * @example
   * ```ts
   * runner.spawn(async (signal) => { for await (const _ of setInterval(100, null, { signal })) await flush(); }, { name: 'flusher' });
   * ```
   */
  spawn(task: (signal: AbortSignal) => unknown, options?: SpawnOptions): TaskHandle {
    checkTask(task, 'spawn');
    checkOptions(options, 'spawn() options');
    const name = checkName(options?.name, 'spawn() option name');
    const site = this.#stacks !== STACKS.none && !this.#state.closed ? captureSite(this.spawn) : undefined;
    return this.#engine.spawn(task, name, site);
  }

  /**
   * Resolves after `ms` milliseconds, or rejects with `RunnerClosedError` as soon as the runner
   * shuts down, clearing its timer. `Infinity` (or more than 2^31-1 ms) waits for the shutdown.
   */
  sleep(ms: number): Promise<void> {
    const duration = checkDuration(ms, 'sleep() ms');
    if (duration === undefined) throw new CustodianTypeError('sleep() needs a number of milliseconds, got undefined');
    const state = this.#state;
    if (state.closed) return Promise.reject(new RunnerClosedError(state.name));
    return state.sleep(duration);
  }

  /**
   * Creates a runner owned by this one: it inherits `shutdownTimeoutMs`, `onError` and `stacks`
   * unless `options` say otherwise, has its own concurrency (default `Infinity`), and is shut
   * down by this runner's `shutdown()` (which waits for it and merges its report) before that
   * resolves. Shutting the child down alone leaves the parent running.
   *
   * @throws RunnerClosedError when this runner is closed.
   */
  child(options: RunnerOptions = {}): AsyncRunner {
    checkOptions(options, 'child() options');
    const state = this.#state;
    if (state.closed) throw new RunnerClosedError(state.name);
    const child = new AsyncRunner({
      name: `${state.name}/${++this.#childCount}`,
      shutdownTimeoutMs: state.shutdownTimeoutMs,
      onError: state.onError,
      stacks: stacksName(this.#stacks),
      ...options,
    });
    state.children.add(child);
    child.#state.detachFromParent = () => state.children.delete(child);
    return child;
  }

  /** Resolves once no task is running or queued (at once when none is). Never rejects. */
  onIdle(): Promise<void> {
    const state = this.#state;
    if (state.running === 0 && state.queued === 0) return Promise.resolve();
    return new Promise((resolve) => state.idleWaiters.push(resolve));
  }

  /**
   * Shuts the runner down: stops accepting work, rejects every queued task at once without
   * starting it, aborts the running ones (with `reason`), shuts the child runners down, waits
   * up to `timeoutMs` for the running tasks to settle, then abandons the rest (their `run()`
   * promises reject with `RunnerClosedError`) and drops every reference to tasks, queues,
   * signals and callbacks. Never rejects: the report says what happened.
   *
   * Idempotent: every call, concurrent or later, returns the same promise (and the options of
   * calls after the first are ignored). A task that awaits its own runner's shutdown waits for
   * itself, and is abandoned at the deadline.
   *
   * @throws CustodianTypeError / CustodianRangeError on bad options, synchronously.
   */
  shutdown(options?: ShutdownOptions): Promise<ShutdownReport> {
    checkOptions(options, 'shutdown() options');
    const timeoutMs = checkDuration(options?.timeoutMs, 'shutdown() option timeoutMs') ?? this.#state.shutdownTimeoutMs;
    if (this.#shutdown !== undefined) return this.#shutdown;
    const hasReason = options !== undefined && 'reason' in options;
    this.#shutdown = closeRunner(this.#state, timeoutMs, hasReason, options?.reason, [...this.#state.children]);
    return this.#shutdown;
  }

  /**
   * `await using` support: shuts down with the runner's `shutdownTimeoutMs`, then rejects with
   * `ShutdownError` (carrying the report) when tasks were abandoned or background tasks failed
   * with nobody observing.
   */
  async [Symbol.asyncDispose](): Promise<void> {
    const report = await this.shutdown();
    if (report.abandoned.length > 0 || report.unobserved > 0) throw new ShutdownError(report);
  }
}
