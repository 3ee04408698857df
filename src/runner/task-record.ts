import type { TaskInfo, TaskKind } from './types.js';

export const QUEUED = 0;
export const RUNNING = 1;
export const DONE = 2;
export type TaskState = typeof QUEUED | typeof RUNNING | typeof DONE;

/** The runner's side of a record: what the signal listener and the timer call back into. */
export interface RecordOwner {
  _cancel(record: TaskRecord, reason: unknown): void;
  _timeout(record: TaskRecord): void;
  _settle(record: TaskRecord, ok: boolean, value: unknown): void;
}

/** The part of a spawn() handle the runner talks to. */
export interface HandleSink {
  /** Set when `done` was read: a failure then has a reader. */
  readonly observed: boolean;
  _settle(result: PromiseSettledResult<unknown>): void;
}

/**
 * One task, queued or running. A record sits in one of its runner's {@link TaskList}s, so
 * tracking a task allocates nothing beyond the record itself. Every field that
 * can reach user code (the task, the promise callbacks, signals) is cleared once the task is
 * done, so a record that outlives its runner (held by a still-pending task) retains nothing.
 */
export class TaskRecord {
  state: TaskState = QUEUED;
  prev: TaskRecord | undefined = undefined;
  next: TaskRecord | undefined = undefined;
  owner: RecordOwner | undefined;
  task: Function | undefined;
  /** The explicit name, else resolved from the task function when a report needs it. */
  name: string | undefined;
  startedAt = 0;
  /** Set only when the task needs its own signal (timeout, caller's signal, spawn). */
  controller: AbortController | undefined = undefined;
  callerSignal: AbortSignal | undefined = undefined;
  timer: ReturnType<typeof setTimeout> | undefined = undefined;
  timeoutMs = 0;
  /** run(): the promise returned to the caller; cleared once it has been settled (possibly early). */
  resolve: ((value: unknown) => void) | undefined = undefined;
  reject: ((reason: unknown) => void) | undefined = undefined;
  /** spawn(): the handle given back to the caller. */
  handle: HandleSink | undefined = undefined;
  /** Its signal was aborted (by a shutdown, a timeout, the caller): a late failure is not an error. */
  aborted = false;
  /** Its signal was aborted by the runner's shutdown: counted under `aborted` if it settles in time. */
  byShutdown = false;
  /** Holds the structured call site from captureStackTrace; formatted only if a report needs it. */
  site: { stack?: string } | undefined = undefined;

  constructor(
    readonly id: number,
    readonly kind: TaskKind,
    owner: RecordOwner,
    task: Function,
    name: string | undefined,
  ) {
    this.owner = owner;
    this.task = task;
    this.name = name;
  }

  /** The caller's signal aborted: an EventListener object, so no closure is allocated per task. */
  handleEvent(): void {
    this.owner?._cancel(this, this.callerSignal?.reason);
  }

  displayName(): string {
    if (this.name === undefined) this.name = (this.task as { name?: string } | undefined)?.name || 'task';
    return this.name;
  }

  info(runner: string, now: number): TaskInfo {
    return {
      id: this.id,
      name: this.displayName(),
      kind: this.kind,
      runner,
      ageMs: this.state === QUEUED ? 0 : now - this.startedAt,
      stack: formatSite(this.site),
    };
  }

  /** Drops every reference that could keep user code alive. */
  release(): void {
    this.state = DONE;
    this.owner = undefined;
    this.task = undefined;
    this.controller = undefined;
    this.callerSignal = undefined;
    this.timer = undefined;
    this.resolve = undefined;
    this.reject = undefined;
    this.handle = undefined;
    this.site = undefined;
  }
}

/** An intrusive doubly linked list of records: adding and removing a task allocates nothing. */
export class TaskList {
  head: TaskRecord | undefined = undefined;
  tail: TaskRecord | undefined = undefined;

  add(record: TaskRecord): void {
    const tail = this.tail;
    record.prev = tail;
    if (tail === undefined) this.head = record;
    else tail.next = record;
    this.tail = record;
  }

  remove(record: TaskRecord): void {
    const { prev, next } = record;
    if (prev === undefined) this.head = next;
    else prev.next = next;
    if (next === undefined) this.tail = prev;
    else next.prev = prev;
    record.prev = record.next = undefined;
  }

  clear(): void {
    this.head = this.tail = undefined;
  }
}

/** Timer callback for a task's `timeoutMs`: a module-level function, so no closure per task. */
export function onTaskTimeout(record: TaskRecord): void {
  record.timer = undefined;
  record.owner?._timeout(record);
}

const STACK_FRAMES = 8;

/**
 * Captures the call site cheaply: V8 records the frames now but formats them only when `stack`
 * is first read, which happens only for a task that ends up in a report.
 */
export function captureSite(below: Function): { stack?: string } {
  const holder: { stack?: string } = {};
  const previous = Error.stackTraceLimit;
  Error.stackTraceLimit = STACK_FRAMES + 2;
  Error.captureStackTrace(holder, below);
  Error.stackTraceLimit = previous;
  return holder;
}

function formatSite(site: { stack?: string } | undefined): string | undefined {
  const stack = site?.stack;
  if (stack === undefined) return undefined;
  const frames = stack
    .split('\n')
    .slice(1)
    .filter((frame) => !frame.includes('(node:') && !frame.includes(' node:'));
  return frames
    .slice(0, STACK_FRAMES)
    .map((frame) => frame.trim())
    .join('\n');
}
