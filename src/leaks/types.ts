import type { ResourceKind } from '../adapters/adapter.js';

/** The kinds of handle the tracker covers: what keeps a process alive or holds memory. */
export type LeakKind = Extract<ResourceKind, 'timer' | 'socket' | 'server' | 'thread' | 'process' | 'watcher' | 'port'>;

/** Every {@link LeakKind}: the default of `trackHandles({ kinds })`. */
export const LEAK_KINDS: readonly LeakKind[] = ['timer', 'socket', 'server', 'thread', 'process', 'watcher', 'port'];

/** One handle that was still alive when its test (or its file) ended. Plain data: safe to serialise. */
export interface LeakInfo {
  /** What the handle is, as a {@link ResourceKind}. */
  readonly kind: LeakKind;
  /** The handle's class, such as `Timeout`, `Socket`, `Server`, `Worker`, `ChildProcess`, `FSWatcher`, `MessagePort`. */
  readonly type: string;
  /**
   * One line without secrets: `interval 1000 ms (poll)`, `socket 127.0.0.1:53122 -> 127.0.0.1:5432`,
   * `server listening on 127.0.0.1:41234`, `child process 4242 (sleep 10)`.
   */
  readonly description: string;
  /** The test that created the handle, or the file scope's name when it was created outside any test. */
  readonly test: string;
  /** Where the handle was created (user frames first), with `stacks: true`. */
  readonly stack?: string;
  /** Whether custodian closed the handle after finding it (`end({ dispose: true })`). */
  disposed: boolean;
}

/** What `HandleTracker.end()` reports. */
export interface LeakReport {
  /** The test that ended, or the file scope's name for the end-of-file check. */
  readonly scope: string;
  /** The handles that scope created and left alive, after settling and filtering. */
  readonly leaks: LeakInfo[];
}

/**
 * Keeps a handle out of leak reports. A function sees each leak and returns `true` to ignore
 * it; an object ignores a leak when every field it sets matches (`type` the handle's class,
 * `kind` its kind, `frame` any line of its creation stack, `description` its description).
 * A string or RegExp is shorthand for `{ frame }`.
 *
 * Frame filters make the tracker record creation stacks even with `stacks: false` (they are
 * used for filtering only, and not reported).
 */
export type LeakFilter =
  | string
  | RegExp
  | ((leak: LeakInfo) => boolean)
  | {
      readonly type?: string | RegExp;
      readonly kind?: LeakKind;
      readonly frame?: string | RegExp;
      readonly description?: string | RegExp;
    };

/** Options of {@link trackHandles}. */
export interface TrackHandlesOptions {
  /**
   * Records a short creation stack for every tracked handle and reports it with each leak.
   * Costs one stack capture per timer, socket, server, worker, child process and watcher created.
   * @default false
   */
  stacks?: boolean;
  /** The kinds of handle to report. @default every {@link LeakKind} */
  kinds?: readonly LeakKind[];
  /** Leaks to leave out of reports. Handles alive when the tracker starts are always left out (the baseline). */
  ignore?: readonly LeakFilter[];
  /**
   * The name of the file scope: what handles created outside any test are attributed to.
   * @default 'outside tests'
   */
  scope?: string;
  /**
   * For integrations that do not call `begin()` before every test: reads the running test when
   * a handle is created (and when `end()` is called without `begin()`), returning a key that
   * identifies it (the framework's test object) or `undefined` outside tests. An explicit
   * `begin()` takes precedence.
   */
  currentTest?: () => unknown;
  /** Names a key returned by `currentTest`. @default String(key) */
  testName?: (key: unknown) => string;
}

/** Options of `HandleTracker.end()`. */
export interface EndOptions {
  /** Close the leaked handles through the adapters (and mark them `disposed`). @default false */
  dispose?: boolean;
  /**
   * The settle window in milliseconds: how long handles that are still alive get to go away
   * before they count as leaks. Only spent when there are candidates.
   * @default 80
   */
  settleMs?: number;
  /**
   * For the end-of-file check (`end()` outside a test): also report handles created outside
   * any test (in `beforeAll`). `false` where the framework runs its own end-of-file hooks before
   * the user's `afterAll` (jest), so what that `afterAll` closes is not blamed.
   * @default true
   */
  fileScope?: boolean;
}
