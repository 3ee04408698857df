import { CustodianTypeError } from '../errors.js';
import { logger } from '../_internal/debug.js';
import { describeValue } from '../_internal/validate.js';
import { creationStack } from './creation-stack.js';
import { activeHandles, classify, describeHandle, isReleased, typeName, workerPorts } from './describe-handle.js';
import { checkFilters, isIgnored, needsStacks } from './ignore.js';
import { addProbeListener, type ProbeListener } from './probes.js';
import { settle, type Candidate, type Tag, type Scope } from './settle.js';
import { LEAK_KINDS, type EndOptions, type LeakFilter, type LeakInfo, type LeakKind, type LeakReport, type TrackHandlesOptions } from './types.js';

const log = logger('leaks');

// Set by the build (tsup.config.ts): true in the CJS build. Not defined when the source runs as
// it is (the tests): import() then.
declare const __CUSTODIAN_CJS__: boolean | undefined;

/**
 * The code that closes leaked handles, with the adapters it needs (most of the library), loaded
 * when there is a first leak to close: a clean suite's test workers never parse it. The CJS build
 * requires it, as jest runs that build in a vm context whose `import()` needs
 * `--experimental-vm-modules`.
 */
function loadDisposeHandles(): Promise<typeof import('./dispose-handles.js')> {
  if (typeof __CUSTODIAN_CJS__ === 'boolean' && __CUSTODIAN_CJS__) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- see above
    return Promise.resolve(require('./dispose-handles.js') as typeof import('./dispose-handles.js'));
  }
  return import('./dispose-handles.js');
}

// Timers and workers are not in Node's list of active handles, so the tracker holds them
// itself; it drops the released ones whenever the set grows past this many.
const PRUNE_AT = 512;

/**
 * Watches the handles a test suite creates and names the test that left each one alive.
 * Create it with {@link trackHandles}; see there.
 */
export class HandleTracker {
  readonly #kinds: ReadonlySet<LeakKind>;
  readonly #ignore: readonly LeakFilter[];
  readonly #reportStacks: boolean;
  readonly #recordStacks: boolean;
  readonly #currentTest: (() => unknown) | undefined;
  readonly #testName: (key: unknown) => string;
  readonly #baseline: Scope = { name: 'baseline', test: false };
  readonly #file: Scope;
  // Named like the file, but kept apart from it: what overlapping tests create is still checked
  // at the end of the file when `fileScope: false` leaves out what beforeAll created.
  readonly #overlap: Scope;
  #current: Scope | undefined;
  #lazyKey: unknown;
  #lazyScope: Scope | undefined;
  #tags = new WeakMap<object, Tag>();
  #owned = new Set<object>();
  #pruneAt = PRUNE_AT;
  #reported = new WeakSet<object>();
  #probes: Disposable | undefined;
  /** Handles the probes tagged so far (only grows). */
  #creations = 0;
  /** The probes' count and Node's active handles when a test last ended clean. */
  #quiet: { readonly creations: number; readonly active: readonly object[] } | undefined;

  /** @internal Use {@link trackHandles}. */
  constructor(options: TrackHandlesOptions = {}) {
    if (typeof options !== 'object' || options === null) {
      throw new CustodianTypeError(`trackHandles() options must be an object, got ${describeValue(options)}`);
    }
    const kinds = options.kinds ?? LEAK_KINDS;
    for (const kind of kinds) {
      if (!LEAK_KINDS.includes(kind)) {
        throw new CustodianTypeError(`trackHandles() option kinds: ${describeValue(kind)} is not one of ${LEAK_KINDS.join(', ')}`);
      }
    }
    this.#kinds = new Set(kinds);
    this.#ignore = checkFilters(options.ignore);
    this.#reportStacks = options.stacks === true;
    this.#recordStacks = this.#reportStacks || needsStacks(this.#ignore);
    this.#currentTest = options.currentTest;
    this.#testName = options.testName ?? ((key) => String(key));
    this.#file = { name: options.scope ?? 'outside tests', test: false };
    this.#overlap = { name: this.#file.name, test: false };
    const listener: ProbeListener = { created: (handle, kind, below, target) => this.#created(handle, kind, below, target) };
    this.#probes = addProbeListener(listener);
    // Whatever is alive now is the baseline: never a leak. It is also the first quiet state: a
    // first test that creates nothing ends through endIfQuiet() too.
    this.#observe(this.#baseline);
    this.#quiet = { creations: this.#creations, active: activeHandles() };
  }

  /** Whether `stop()` was called. */
  get stopped(): boolean {
    return this.#probes === undefined;
  }

  /** The test handles are attributed to right now, or `undefined` outside tests. */
  get currentTest(): string | undefined {
    const scope = this.#scopeNow();
    return scope.test ? scope.name : undefined;
  }

  /**
   * Starts a test: handles created from now until `end()` (in `beforeEach`, the body, after an
   * `await`, in a callback) are attributed to `testName`. Live handles not seen before are
   * attributed to the file scope (they were created between tests, in a `beforeAll`).
   * Calling it while a test is running starts a new one without reporting the previous one.
   */
  begin(testName: string): void {
    this.#assertRunning('begin');
    if (typeof testName !== 'string') throw new CustodianTypeError(`begin() expects the test name, got ${describeValue(testName)}`);
    this.#observe(this.#file);
    this.#current = { name: testName, test: true };
  }

  /**
   * Attributes handles created from now on to the file scope, without ending or reporting the
   * running test: for tests that overlap (run concurrently in one process), which cannot be told
   * apart. What the running test created before stays its own, and is reported by the
   * end-of-file check under its name. The next `begin()` starts attributing to a test again.
   */
  suspend(): void {
    this.#assertRunning('suspend');
    this.#current = this.#overlap;
  }

  /**
   * Ends the running test and reports the handles it created that are still alive. Handles on
   * their way out (a server whose close waits for the loop's close phase, a killed child) get a
   * short settle window first; it is only spent when there are candidates. Each leak is
   * reported once. Without a running test, it is the end-of-file check: it reports every
   * handle not reported yet that was created after the tracker started (by any scope).
   *
   * With `dispose: true`, leaked handles are closed through the adapters before it resolves.
   */
  async end(options: EndOptions = {}): Promise<LeakReport> {
    this.#assertRunning('end');
    const scope = this.#endingScope();
    const found = this.#candidates(scope, options.fileScope !== false);
    this.#clearScope();
    if (found.length === 0) return { scope: scope.name, leaks: [] };
    const candidates = await settle(found, options.settleMs ?? 80);
    const leaks: LeakInfo[] = [];
    const kept: Candidate[] = [];
    for (const candidate of candidates) {
      this.#reported.add(candidate.handle);
      this.#owned.delete(candidate.handle);
      const { handle, kind, tag } = candidate;
      const leak: LeakInfo = {
        kind,
        type: typeName(handle),
        description: describeHandle(handle, kind, tag.target),
        test: tag.scope.name,
        ...(this.#reportStacks && tag.stack !== undefined ? { stack: tag.stack } : {}),
        disposed: false,
      };
      if (isIgnored(this.#ignore, leak, tag.stack)) continue;
      leaks.push(leak);
      kept.push(candidate);
    }
    if (options.dispose === true && kept.length > 0) {
      const { disposeHandles } = await loadDisposeHandles();
      const closed = await disposeHandles(kept);
      closed.forEach((ok, index) => ((leaks[index] as LeakInfo).disposed = ok));
    }
    if (leaks.length > 0) log('%s leaked %d handle(s)', scope.name, leaks.length);
    return { scope: scope.name, leaks };
  }

  /**
   * The synchronous half of `end()`, for `cleanupAll()` after every test: when the ending scope
   * left no live handle, it ends the scope and returns its empty report without a promise.
   * Undefined, with nothing changed, when there are candidates to settle: call `end()` then.
   * @internal
   */
  endIfClean(options: EndOptions = {}): LeakReport | undefined {
    this.#assertRunning('end');
    const scope = this.#endingScope();
    const active = activeHandles();
    if (this.#quietSince(scope, active)) {
      this.#clearScope();
      return { scope: scope.name, leaks: [] };
    }
    if (this.#candidates(scope, options.fileScope !== false, active).length > 0) return undefined;
    this.#quiet = { creations: this.#creations, active };
    this.#clearScope();
    return { scope: scope.name, leaks: [] };
  }

  /**
   * The quickest `end()`, for `cleanupAll()` after every test: when a test is running, no probe
   * tagged a handle since the last test that ended clean, and Node lists the very same handles,
   * the test created nothing that can be alive (what no probe sees, such as a message port, shows
   * up in that list). It ends the test and returns its empty report; otherwise `undefined`, with
   * nothing changed: call `endIfClean()` or `end()` then. Most tests end here.
   * @internal
   */
  endIfQuiet(): LeakReport | undefined {
    if (this.#quiet?.creations !== this.#creations || this.#probes === undefined) return undefined;
    const scope = this.#endingScope();
    if (!this.#quietSince(scope, activeHandles())) return undefined;
    this.#clearScope();
    return { scope: scope.name, leaks: [] };
  }

  /** Whether `scope` is a test that created nothing since the last quiet state (see endIfQuiet()). */
  #quietSince(scope: Scope, active: readonly object[]): boolean {
    const quiet = this.#quiet;
    return scope.test && quiet !== undefined && quiet.creations === this.#creations && sameHandles(active, quiet.active);
  }

  /** Forgets the running test (explicit, or read lazily from the framework). */
  #clearScope(): void {
    this.#current = undefined;
    this.#lazyKey = undefined;
    this.#lazyScope = undefined;
  }

  /** Stops tracking: removes the probes (with the last tracker) and forgets every handle. Idempotent. */
  stop(): void {
    this.#probes?.[Symbol.dispose]();
    this.#probes = undefined;
    this.#owned.clear();
    this.#tags = new WeakMap();
    this.#quiet = undefined;
    this.#current = undefined;
    this.#lazyKey = undefined;
    this.#lazyScope = undefined;
  }

  /** Same as `stop()`, for `using`. */
  [Symbol.dispose](): void {
    this.stop();
  }

  #assertRunning(method: string): void {
    if (this.#probes === undefined) throw new CustodianTypeError(`${method}() was called on a stopped HandleTracker; create a new one with trackHandles()`);
  }

  #scopeNow(): Scope {
    if (this.#current !== undefined) return this.#current;
    if (this.#currentTest === undefined) return this.#file;
    const key = this.#currentTest();
    if (key === undefined || key === null) return this.#file;
    if (key !== this.#lazyKey || this.#lazyScope === undefined) {
      this.#lazyKey = key;
      this.#lazyScope = { name: this.#testName(key), test: true };
    }
    return this.#lazyScope;
  }

  #endingScope(): Scope {
    if (this.#current !== undefined) return this.#current;
    return this.#scopeNow();
  }

  #created(handle: object, kind: LeakKind, below: Function, target: string | undefined): void {
    if (!this.#kinds.has(kind) || this.#tags.has(handle)) return;
    const scope = this.#scopeNow();
    const tag: Tag = { scope, target, stack: this.#recordStacks ? creationStack(below) : undefined };
    this.#tags.set(handle, tag);
    this.#creations++;
    if (kind === 'timer' || kind === 'thread') {
      this.#owned.add(handle);
      if (this.#owned.size >= this.#pruneAt) this.#prune();
    }
  }

  #prune(): void {
    for (const handle of this.#owned) {
      const kind = classify(handle);
      if (kind === undefined || isReleased(handle, kind)) this.#owned.delete(handle);
    }
    // Many live timers: grow the threshold so pruning stays amortised O(1) per timer.
    this.#pruneAt = Math.max(PRUNE_AT, this.#owned.size * 2);
  }

  /** Live handles of the tracked kinds: Node's active handles, plus the timers and workers held here. */
  #live(active: readonly object[] = activeHandles()): Array<{ handle: object; kind: LeakKind }> {
    const live: Array<{ handle: object; kind: LeakKind }> = [];
    // Parts of another handle are not leaks of their own: a child's stdio pipes, and the ports a
    // worker listens on for its 'message' events (closed with the worker).
    let parts: Set<unknown> | undefined;
    for (const handle of active) {
      if (classify(handle) === 'process') {
        parts ??= new Set();
        for (const stream of (handle as { stdio?: unknown[] }).stdio ?? []) if (stream) parts.add(stream);
      }
    }
    for (const handle of this.#owned) {
      if (classify(handle) === 'thread') {
        parts ??= new Set();
        for (const port of workerPorts(handle)) parts.add(port);
      }
    }
    for (const handle of active) {
      const kind = classify(handle);
      if (kind === undefined || !this.#kinds.has(kind) || parts?.has(handle)) continue;
      live.push({ handle, kind });
    }
    for (const handle of this.#owned) {
      const kind = classify(handle);
      if (kind === undefined || isReleased(handle, kind)) this.#owned.delete(handle);
      else live.push({ handle, kind });
    }
    return live;
  }

  /** Tags live handles not seen before with `scope` (they were created since the last look). */
  #observe(scope: Scope): void {
    for (const { handle } of this.#live()) if (!this.#tags.has(handle)) this.#tags.set(handle, { scope, target: undefined, stack: undefined });
  }

  #candidates(scope: Scope, fileScope: boolean, active?: readonly object[]): Candidate[] {
    const endOfFile = !scope.test;
    const candidates: Candidate[] = [];
    for (const { handle, kind } of this.#live(active)) {
      if (this.#reported.has(handle) || isReleased(handle, kind)) continue;
      let tag = this.#tags.get(handle);
      if (tag === undefined) {
        // Not seen by a probe: created since the last look, so by the scope that is ending.
        tag = { scope, target: undefined, stack: undefined };
        this.#tags.set(handle, tag);
      }
      if (tag.scope === this.#baseline || (!endOfFile && tag.scope !== scope)) continue;
      if (endOfFile && !fileScope && tag.scope === this.#file) continue;
      candidates.push({ handle, kind, tag });
    }
    return candidates;
  }
}

/**
 * Starts tracking the handles the process creates (timers and intervals, client sockets,
 * servers, worker threads, child processes, fs watchers, message ports), so that each test's
 * leftovers can be reported with the name of the test that created them.
 *
 * Handles alive when it starts are the baseline and never reported. `begin(testName)` starts a
 * test, `end()` ends it and resolves with its {@link LeakReport}; `end()` outside a test is the
 * end-of-file check. `stop()` removes the probes. Attribution comes from cheap creation probes
 * (wrapped timer functions, `Socket#connect`, `Server#listen`, `fs.watch`, Node's
 * `child_process` and `worker_threads` diagnostics channels) and a diff of Node's active
 * handles; there is no async_hooks hook, so promise-heavy code runs at full speed.
 *
 * Limitation: the running test is process-wide state, so tests running concurrently in one
 * process (`test.concurrent`) cannot be told apart; integrations attribute their handles to
 * the file scope rather than guess.
 *
 * @example
 * ```ts
 * const tracker = trackHandles({ stacks: true });
 * tracker.begin('polls the queue');
 * setInterval(poll, 1000);
 * const { leaks } = await tracker.end({ dispose: true });
 * // [{ kind: 'timer', type: 'Timeout', description: 'interval 1000 ms (poll)', test: 'polls the queue', disposed: true, stack: '...' }]
 * tracker.stop();
 * ```
 */
export function trackHandles(options?: TrackHandlesOptions): HandleTracker {
  return new HandleTracker(options);
}

function sameHandles(a: readonly object[], b: readonly object[]): boolean {
  if (a.length !== b.length) return false;
  for (let index = 0; index < a.length; index++) if (a[index] !== b[index]) return false;
  return true;
}
