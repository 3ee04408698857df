/** A unit of work for an {@link AsyncRunner}: receives the signal that tells it to stop. */
export type Task<T> = (signal: AbortSignal) => T | PromiseLike<T>;

/** Where a task was started from: `run()` (awaited work) or `spawn()` (background work). */
export type TaskKind = 'run' | 'spawn';

/** Options of an {@link AsyncRunner}. */
export interface RunnerOptions {
  /**
   * Names the runner in reports, errors and the `custodian:runner` debug log.
   * @default 'runner' (a child is named `<parent>/<n>`)
   */
  name?: string;
  /**
   * How many `run()` tasks may run at once: a positive integer or `Infinity`. Tasks beyond it
   * wait in a queue, in call order. `spawn()` tasks are not counted against it.
   * @default Infinity
   */
  concurrency?: number;
  /**
   * How long `shutdown()` (and `await using`) waits for aborted tasks to settle before it
   * reports them as abandoned, in milliseconds. Overridden by `shutdown({ timeoutMs })`.
   * @default 5000
   */
  shutdownTimeoutMs?: number;
  /**
   * A parent signal: when it aborts, the runner shuts down with the signal's reason, which
   * aborts every running task. Its listener is removed on shutdown.
   */
  signal?: AbortSignal;
  /**
   * Receives the failure of every `spawn()` task (and the task's description). A failure it
   * receives counts as observed, so `[Symbol.asyncDispose]` does not reject for it; it is
   * still listed under the report's `errors`. An `onError` that throws adds that error too.
   * @default undefined: failures are only logged (`custodian:runner`) and reported
   */
  onError?: (error: unknown, task: TaskInfo) => void;
  /**
   * Which tasks record where they were started (a short stack, shown for abandoned tasks).
   * A stack capture costs about as much as the rest of `run()` together (see bench/README.md),
   * so `run()` tasks record one only with `'all'`.
   * @default 'spawn'
   */
  stacks?: 'all' | 'spawn' | 'none';
}

/** Options of {@link AsyncRunner.run}. */
export interface RunOptions {
  /** The name used in reports and in the timeout error. @default the task function's name, else 'task' */
  name?: string;
  /**
   * How long the task may run once started, in milliseconds (time spent queued does not
   * count). When it passes, the task's signal aborts with a `TimeoutError` (code
   * `ERR_TASK_TIMEOUT`) and `run()` rejects with it at once; the task keeps its concurrency
   * slot until it actually settles.
   * @default Infinity
   */
  timeoutMs?: number;
  /**
   * Cancels this task: a queued task is dropped without starting, a running one has its signal
   * aborted; either way `run()` rejects at once with the signal's reason.
   */
  signal?: AbortSignal;
}

/** Options of {@link AsyncRunner.spawn}. */
export interface SpawnOptions {
  /** The name used in reports and passed to `onError`. @default the task function's name, else 'task' */
  name?: string;
}

/** Options of {@link AsyncRunner.shutdown}. */
export interface ShutdownOptions {
  /** How long to wait for aborted tasks before abandoning them, in milliseconds. @default the runner's `shutdownTimeoutMs` */
  timeoutMs?: number;
  /** The abort reason the running tasks' signals receive. @default a `RunnerClosedError` */
  reason?: unknown;
}

/** A description of one task, as reports and `onError` give it. A snapshot: it does not keep the task alive. */
export interface TaskInfo {
  /** Unique within the runner. */
  readonly id: number;
  /** The task's `name` option, else its function's name, else `'task'`. */
  readonly name: string;
  /** Whether it came from `run()` or `spawn()`. */
  readonly kind: TaskKind;
  /** The name of the runner (or child runner) that owns the task. */
  readonly runner: string;
  /**
   * Milliseconds since the task started running (0 when it never started). A `run()` task
   * without `timeoutMs` or `signal` counts from when its synchronous part returned.
   */
  readonly ageMs: number;
  /** Where the task was started (`run()` / `spawn()` call site), when the runner's `stacks` option covers it. */
  readonly stack: string | undefined;
}

/** What `spawn()` returns: a handle on one background task that the runner still owns. */
export interface TaskHandle {
  /** The task's id, as in its {@link TaskInfo}. */
  readonly id: number;
  /** The task's name, as in reports. */
  readonly name: string;
  /** True once the task has settled (or was abandoned by a shutdown). */
  readonly settled: boolean;
  /**
   * Resolves with the task's outcome when it settles, in the shape of `Promise.allSettled`;
   * never rejects. Reading it before the task fails counts as observing the failure.
   * Resolves with `{ status: 'rejected', reason: RunnerClosedError }` when a shutdown abandons the task.
   */
  readonly done: Promise<PromiseSettledResult<unknown>>;
  /** Aborts this task's signal (once); a failure after that is not counted as an error. */
  abort(reason?: unknown): void;
}

/** What `shutdown()` tells back. Counts cover the runner's whole life, and the children it shut down. */
export interface ShutdownReport {
  /** The runner's name. */
  readonly runner: string;
  /** How long the shutdown took, in milliseconds. */
  readonly durationMs: number;
  /** Tasks that settled on their own, whatever the outcome, before the shutdown aborted them. */
  readonly completed: number;
  /** Queued tasks that were rejected without ever starting (on shutdown or by their own signal). */
  readonly cancelled: number;
  /** Running tasks that settled after the shutdown aborted them, within the deadline. */
  readonly aborted: number;
  /** Tasks still running at the deadline: the runner let go of them. */
  readonly abandoned: readonly TaskInfo[];
  /** Failures of `spawn()` tasks (and errors thrown by `onError`), in the order they happened. */
  readonly errors: readonly unknown[];
  /** How many of `errors` nobody observed (no `onError`, `done` not read): `await using` rejects when > 0. */
  readonly unobserved: number;
}
