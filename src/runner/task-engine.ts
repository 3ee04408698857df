import { logger } from '../_internal/debug.js';
import { RunnerClosedError, taskTimeoutError } from './errors.js';
import type { RunnerState } from './runner-state.js';
import { SpawnHandle } from './spawn-handle.js';
import { onTaskTimeout, QUEUED, RUNNING, TaskRecord, type RecordOwner, type TaskState } from './task-record.js';
import type { Task } from './types.js';
import { isThenable } from '../_internal/thenable.js';

const log = logger('runner');

// setTimeout turns anything longer into 1 ms; longer deadlines are treated as "no deadline".
export const MAX_TIMER_MS = 2_147_483_647;

type Site = { stack?: string } | undefined;

// One shared executor instead of a closure per promise: new Promise() calls it synchronously.
let capturedResolve: ((value: unknown) => void) | undefined;
let capturedReject: ((reason: unknown) => void) | undefined;
function captureResolvers(resolve: (value: never) => void, reject: (reason: unknown) => void): void {
  capturedResolve = resolve as (value: unknown) => void;
  capturedReject = reject;
}

function ignore(): void {}


/**
 * Starts, tracks and settles the tasks of one runner (the runner validates, documents and shuts
 * down). Two paths for `run()`: a plain task (no timeout, no signal of its own) allocates
 * nothing of ours while it waits and shares the runner's signal; a guarded one gets a record,
 * a promise and a signal of its own from the start.
 */
export class TaskEngine implements RecordOwner {
  readonly #startPlain = (task: Task<unknown>, name?: string, site?: Site): unknown => this.#beginPlain(task, name, site);
  readonly #startGuarded = (record: TaskRecord): Promise<unknown> | undefined => this.#beginGuarded(record);

  constructor(readonly state: RunnerState) {}

  runPlain(task: Task<unknown>, name: string | undefined, site: Site): Promise<unknown> {
    const state = this.state;
    if (state.closed) return Promise.reject(new RunnerClosedError(state.name));
    state.queued++;
    // 100,000 queued tasks make a burst slow through GC, not CPU: the record is created when
    // the task starts, and the caller gets p-limit's own promise. Fewer arguments make a
    // smaller array for p-limit to keep per queued task.
    if (name === undefined && site === undefined) return state.limit!(this.#startPlain, task);
    return state.limit!(this.#startPlain, task, name, site);
  }

  #beginPlain(task: Task<unknown>, name: string | undefined, site: Site): unknown {
    const state = this.state;
    // Handed over by p-limit just before a shutdown cleared its queue (and already counted as
    // cancelled by it): rejected without starting, through p-limit's promise.
    if (state.closed) throw state.closedError;
    state.queued--;
    state.running++;
    let result: unknown;
    try {
      result = task(state.signal!);
      if (!isThenable(result)) {
        this.#finishedInline();
        return result;
      }
    } catch (error) {
      this.#finishedInline();
      throw error; // to the caller, through p-limit's promise
    }
    // Only a task that went asynchronous can be aborted, abandoned or reported: it gets a record
    // now (its age counts from here), and the caller a promise of ours that a shutdown can
    // reject if it is abandoned.
    state.running--;
    const record = this.#begin(new TaskRecord(state.nextId++, 'run', this, task, name));
    record.site = site;
    const promise = new Promise(captureResolvers);
    record.resolve = capturedResolve;
    record.reject = capturedReject;
    this.#watch(record, result as PromiseLike<unknown>);
    return promise;
  }

  /** A plain task that returned or threw synchronously: nothing could abort it meanwhile, so no record was needed. */
  #finishedInline(): void {
    const state = this.state;
    state.running--;
    state.completed++;
    if (state.running === 0 && state.queued === 0) state.becameIdle();
  }

  runGuarded(task: Task<unknown>, name: string | undefined, timeoutMs: number, signal: AbortSignal | undefined, site: Site): Promise<unknown> {
    const state = this.state;
    if (state.closed) return Promise.reject(new RunnerClosedError(state.name));
    if (signal?.aborted) return Promise.reject(signal.reason);
    const record = new TaskRecord(state.nextId++, 'run', this, task, name);
    record.site = site;
    record.timeoutMs = timeoutMs;
    const promise = new Promise(captureResolvers);
    record.resolve = capturedResolve;
    record.reject = capturedReject;
    if (signal !== undefined) {
      record.callerSignal = signal;
      signal.addEventListener('abort', record);
    }
    state.queued++;
    state.waitingTasks.add(record);
    // The caller gets our promise; p-limit's only rejects when a shutdown clears the queue.
    state.limit!(this.#startGuarded, record).catch(ignore);
    return promise;
  }

  #beginGuarded(record: TaskRecord): Promise<unknown> | undefined {
    // Cancelled while queued (by its own signal or a shutdown): p-limit may still hand it over once.
    if (record.state !== QUEUED) return undefined;
    const state = this.state;
    state.queued--;
    state.waitingTasks.remove(record);
    this.#begin(record);
    record.controller = new AbortController();
    if (record.timeoutMs <= MAX_TIMER_MS) record.timer = setTimeout(onTaskTimeout, record.timeoutMs, record);
    let result: unknown;
    try {
      result = (record.task as Task<unknown>)(record.controller.signal);
      if (!isThenable(result)) {
        this._settle(record, true, result);
        return undefined;
      }
    } catch (error) {
      this._settle(record, false, error);
      return undefined;
    }
    // Settles when the task really does (also after a timeout), so the task keeps its slot until then.
    return this.#watch(record, result);
  }

  spawn(task: (signal: AbortSignal) => unknown, name: string | undefined, site: Site): SpawnHandle {
    const state = this.state;
    if (state.closed) throw new RunnerClosedError(state.name);
    const record = new TaskRecord(state.nextId++, 'spawn', this, task, name);
    record.site = site;
    const handle = new SpawnHandle(record);
    record.handle = handle;
    const controller = new AbortController();
    record.controller = controller;
    this.#begin(record);
    let result: unknown;
    let thenable: boolean;
    try {
      result = task(controller.signal);
      thenable = isThenable(result);
    } catch (error) {
      // Reported through onError like any failure, but never from inside spawn() itself.
      result = Promise.reject(error);
      thenable = true;
    }
    if (thenable) this.#watch(record, result as PromiseLike<unknown>);
    else this._settle(record, true, result);
    return handle;
  }

  #begin(record: TaskRecord): TaskRecord {
    const state = this.state;
    record.state = RUNNING;
    record.startedAt = performance.now();
    state.runningTasks.add(record);
    state.running++;
    return record;
  }

  /** Settles the record when `result` does. Never rejects. Captures the record, not the engine: an abandoned task's promise must not keep its runner alive. */
  #watch(record: TaskRecord, result: PromiseLike<unknown>): Promise<unknown> {
    return (result instanceof Promise ? result : Promise.resolve(result)).then(
      (value: unknown) => record.owner?._settle(record, true, value),
      (error: unknown) => record.owner?._settle(record, false, error),
    );
  }

  _settle(record: TaskRecord, ok: boolean, value: unknown): void {
    if ((record.state as TaskState) !== RUNNING) return;
    const state = this.state;
    state.runningTasks.remove(record);
    state.running--;
    if (record.timer !== undefined) clearTimeout(record.timer);
    record.callerSignal?.removeEventListener('abort', record);
    if (record.byShutdown) state.aborted++;
    else state.completed++;
    if (record.kind === 'run') {
      const settle = ok ? record.resolve : record.reject;
      record.release();
      settle?.(value);
    } else {
      state.settleSpawn(record, ok, value);
    }
    if (state.running === 0 && state.queued === 0) state.becameIdle();
  }

  /** The caller's signal aborted. */
  _cancel(record: TaskRecord, reason: unknown): void {
    const state = this.state;
    record.callerSignal?.removeEventListener('abort', record);
    record.callerSignal = undefined;
    const reject = record.reject;
    record.resolve = record.reject = undefined;
    if (record.state === QUEUED) {
      // p-limit will still hand it over once; #beginGuarded skips it.
      state.waitingTasks.remove(record);
      state.queued--;
      state.cancelled++;
      record.release();
      if (state.running === 0 && state.queued === 0) state.becameIdle();
    } else if (record.state === RUNNING) {
      // The caller stops waiting now; the task keeps its slot (and stays tracked) until it settles.
      if (record.timer !== undefined) clearTimeout(record.timer);
      record.timer = undefined;
      record.aborted = true;
      record.controller?.abort(reason);
    }
    reject?.(reason);
  }

  _timeout(record: TaskRecord): void {
    if (record.state !== RUNNING) return;
    const name = record.displayName();
    const error = taskTimeoutError(this.state.name, name, record.timeoutMs);
    log('%s: task "%s" timed out after %d ms', this.state.name, name, record.timeoutMs);
    record.callerSignal?.removeEventListener('abort', record);
    record.callerSignal = undefined;
    const reject = record.reject;
    record.resolve = record.reject = undefined;
    record.aborted = true;
    record.controller?.abort(error);
    reject?.(error);
  }
}
