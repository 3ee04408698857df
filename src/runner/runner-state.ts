import type { LimitFunction } from 'p-limit';
import { logger } from '../_internal/debug.js';
import { TaskList, type TaskRecord } from './task-record.js';
import type { ShutdownOptions, ShutdownReport, TaskInfo } from './types.js';

const log = logger('runner');

interface SleepEntry {
  timer: ReturnType<typeof setTimeout> | undefined;
  reject: (reason: unknown) => void;
}

/** What a parent needs from a child runner: its own (idempotent) shutdown. */
export interface ChildRunner {
  shutdown(options?: ShutdownOptions): Promise<ShutdownReport>;
}

/**
 * The mutable state of one runner, shared by its public methods and its shutdown: the live
 * tasks (running ones, and queued ones that have their own timeout or signal), the counters the report is built from,
 * pending sleeps, idle waiters and children. Everything in it is dropped by `clear()`.
 */
export class RunnerState {
  closed = false;
  /** p-limit's queue: plain run() tasks wait only in it. Dropped on shutdown. */
  limit: LimitFunction | undefined = undefined;
  nextId = 1;
  queued = 0;
  running = 0;
  completed = 0;
  cancelled = 0;
  aborted = 0;
  errors: unknown[] = [];
  unobserved = 0;
  /** Tasks running now (run() and spawn()). */
  readonly runningTasks = new TaskList();
  /** run() tasks with their own timeout or signal, while queued; plain queued tasks live only in p-limit's queue. */
  readonly waitingTasks = new TaskList();
  sleeps = new Set<SleepEntry>();
  idleWaiters: Array<() => void> = [];
  children = new Set<ChildRunner>();
  /** What queued tasks are rejected with once the runner is closed. */
  closedError: unknown = undefined;
  /** Resolves the shutdown's wait when the last running task settles. */
  drained: (() => void) | undefined = undefined;
  /** Removes the listener on the parent signal. */
  detachParent: (() => void) | undefined = undefined;
  /** Removes this runner from its parent runner's children. */
  detachFromParent: (() => void) | undefined = undefined;

  constructor(
    readonly name: string,
    readonly shutdownTimeoutMs: number,
    public onError: ((error: unknown, task: TaskInfo) => void) | undefined,
    public controller: AbortController | undefined,
  ) {
    this.signal = controller?.signal;
  }

  /** The signal shared by plain run() tasks (the controller's, read once: it is a getter). */
  signal: AbortSignal | undefined;

  becameIdle(): void {
    const drained = this.drained;
    this.drained = undefined;
    drained?.();
    if (this.idleWaiters.length === 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const entry: SleepEntry = { timer: undefined, reject };
      if (ms <= 2_147_483_647) {
        entry.timer = setTimeout(() => {
          this.sleeps.delete(entry);
          resolve();
        }, ms);
      }
      this.sleeps.add(entry);
    });
  }

  /** Ends every pending sleep at once: timers cleared, promises rejected. */
  endSleeps(error: unknown): void {
    for (const entry of this.sleeps) {
      clearTimeout(entry.timer);
      entry.reject(error);
    }
    this.sleeps.clear();
  }

  /** A spawn() task settled: deliver the outcome to its handle, and a failure to onError. */
  settleSpawn(record: TaskRecord, ok: boolean, value: unknown): void {
    const handle = record.handle;
    if (!ok && !record.aborted) {
      this.errors.push(value);
      let observed = handle?.observed === true;
      const onError = this.onError;
      if (onError !== undefined) {
        try {
          onError(value, record.info(this.name, performance.now()));
          observed = true;
        } catch (error) {
          this.errors.push(error);
          this.unobserved++;
          log('%s: onError threw while handling the failure of "%s": %O', this.name, record.displayName(), error);
        }
      }
      if (!observed) {
        this.unobserved++;
        log('%s: background task "%s" failed, nobody observed it: %O', this.name, record.displayName(), value);
      }
    }
    record.release();
    handle?._settle(ok ? { status: 'fulfilled', value } : { status: 'rejected', reason: value });
  }

  /** After a shutdown: forget every task, callback and signal, so nothing is retained. */
  clear(): void {
    this.limit = undefined;
    this.runningTasks.clear();
    this.waitingTasks.clear();
    this.onError = undefined;
    this.controller = undefined;
    this.signal = undefined;
    this.children.clear();
    this.detachParent = undefined;
    this.detachFromParent = undefined;
    this.drained = undefined;
  }
}
