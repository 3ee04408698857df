import { asyncDisposableAdapter, disposableAdapter } from '../adapters/disposable.js';
import { findAdapter } from '../adapters/table.js';
import { CustodianTypeError, RegistryDisposedError } from '../errors.js';
import { logger } from '../_internal/debug.js';
import { globalSlot } from '../_internal/global-slot.js';
import { chainDisposalErrors } from '../_internal/suppressed-error.js';
import { captureStack } from '../_internal/stack.js';
import { ensureExitHandlers } from '../_internal/exit-handlers.js';
import { isChildLike, liveChildren, type ChildLike } from '../_internal/live-children.js';
import { checkConcurrency, checkDuration, checkFunction, describeValue } from '../_internal/validate.js';
import { RESOURCE_KINDS } from '../adapters/adapter.js';
import { CleanupError } from './cleanup-error.js';
import { disposeConcurrently, disposeSequentially } from './dispose-batch.js';
import { entryName, runEntry, type Deadlines, type Entry } from './entry.js';
import { EntryRegistration } from './registration.js';
import type {
  CleanupOptions,
  CleanupReport,
  Registration,
  RegisterOptions,
  RegistryOptions,
  ResourceInfo,
} from './types.js';

const log = logger('registry');

// Ids are unique across every registry of the process (and both builds), so reports can be joined.
const ids = globalSlot('registry.ids', () => ({ next: 1 }));

type EntryFields = Pick<Entry, 'kind' | 'adapter' | 'dispose' | 'forceDispose' | 'explicitName' | 'timeoutMs' | 'forceTimeoutMs'>;

// How a value registered without an adapter is named: its class, never its contents (a string
// could be a connection string with a password).
function ownName(resource: unknown): string {
  return describeValue(resource).replace(/^an instance of /, '');
}

/**
 * Owns resources (pools, servers, workers, child processes, timers, anything disposable)
 * and closes them in reverse registration order, each with a graceful deadline, then a
 * forced close with its own deadline, then abandonment, and reports what happened.
 *
 * `cleanupAll()` empties it and leaves it usable (what runs after every test);
 * `disposeAsync()` / `await using` closes it for good with the semantics of the standard
 * `AsyncDisposableStack`.
 *
 * @example
 * ```ts
 * await using registry = new ResourceRegistry({ name: 'db tests', timeoutMs: 2000 });
 * const pool = registry.register(new pg.Pool()).resource;
 * registry.defer(() => console.log('all closed'));
 * ```
 */
export class ResourceRegistry implements AsyncDisposable {
  readonly #name: string;
  readonly #timeoutMs: number;
  readonly #forceTimeoutMs: number;
  readonly #stacks: boolean;
  #entries = new Map<number, Entry>();
  #cleanup: Promise<CleanupReport> | undefined;
  #disposal: Promise<void> | undefined;
  #disposed = false;

  constructor(options: RegistryOptions = {}) {
    if (typeof options !== 'object' || options === null) {
      throw new CustodianTypeError(`ResourceRegistry options must be an object, got ${describeValue(options)}`);
    }
    if (options.name !== undefined && typeof options.name !== 'string') {
      throw new CustodianTypeError(`ResourceRegistry option name must be a string, got ${describeValue(options.name)}`);
    }
    this.#name = options.name ?? 'registry';
    this.#timeoutMs = checkDuration(options.timeoutMs, 'ResourceRegistry option timeoutMs') ?? 5000;
    this.#forceTimeoutMs = checkDuration(options.forceTimeoutMs, 'ResourceRegistry option forceTimeoutMs') ?? 1000;
    this.#stacks = options.stacks === true;
  }

  /** The registry's name, as given in the options. */
  get name(): string {
    return this.#name;
  }

  /** Whether `disposeAsync()` (or `move()`) has run: the registry accepts nothing more. */
  get disposed(): boolean {
    return this.#disposed;
  }

  /** How many resources are registered and not yet disposed. */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * Registers a resource to be closed by the next cleanup. The resource is recognised by an
   * adapter (built in or from `registerAdapter()`) unless `options.dispose` says how to close it.
   *
   * @throws {TypeError} code `ERR_UNSUPPORTED_RESOURCE` when no adapter recognises the value
   *   and no `dispose` is given; code `ERR_INVALID_ARGUMENT` for a bad option.
   * @throws {RangeError} for a negative or NaN deadline.
   * @throws {ReferenceError} code `ERR_REGISTRY_DISPOSED` after `disposeAsync()`.
   */
  register<T>(resource: T, options: RegisterOptions<T> = {}): Registration {
    this.#assertOpen('register');
    if (typeof options !== 'object' || options === null) {
      throw new CustodianTypeError(`register() options must be an object, got ${describeValue(options)}`);
    }
    checkFunction(options.dispose, 'register() option dispose');
    checkFunction(options.forceDispose, 'register() option forceDispose');
    const adapter = options.dispose === undefined ? findAdapter(resource) : undefined;
    if (options.dispose === undefined && adapter === undefined) {
      throw new CustodianTypeError(
        `register() cannot close ${describeValue(resource)}: no adapter recognises it. ` +
          'Pass { dispose: (value) => ... } to say how to close it, give it a [Symbol.asyncDispose]() method, ' +
          'or teach the registry its shape with registerAdapter(defineAdapter({ ... })).',
        'ERR_UNSUPPORTED_RESOURCE',
      );
    }
    if (options.kind !== undefined && !RESOURCE_KINDS.includes(options.kind)) {
      throw new CustodianTypeError(`register() option kind must be one of ${RESOURCE_KINDS.join(', ')}, got ${describeValue(options.kind)}`);
    }
    if (options.name !== undefined && typeof options.name !== 'string') {
      throw new CustodianTypeError(`register() option name must be a string, got ${describeValue(options.name)}`);
    }
    const entry = this.#add(resource, {
      kind: options.kind ?? adapter?.kind ?? 'other',
      adapter,
      dispose: options.dispose as Entry['dispose'],
      forceDispose: options.forceDispose as Entry['forceDispose'],
      explicitName: options.name ?? (adapter === undefined ? ownName(resource) : undefined),
      timeoutMs: checkDuration(options.timeoutMs, 'register() option timeoutMs') ?? this.#timeoutMs,
      forceTimeoutMs: checkDuration(options.forceTimeoutMs, 'register() option forceTimeoutMs') ?? this.#forceTimeoutMs,
    }, this.register);
    if (entry.kind === 'process' && isChildLike(resource)) {
      liveChildren.add(resource);
      ensureExitHandlers();
    }
    return new EntryRegistration(entry);
  }

  /**
   * Registers a value by its `Symbol.asyncDispose` (preferred) or `Symbol.dispose` method, as
   * `AsyncDisposableStack.prototype.use` does. `null` and `undefined` are accepted and ignored.
   * Returns the value.
   *
   * @throws {TypeError} when the value has neither method.
   */
  use<T extends AsyncDisposable | Disposable | null | undefined>(value: T): T {
    this.#assertOpen('use');
    if (value === null || value === undefined) return value;
    if (!asyncDisposableAdapter.matches(value) && !disposableAdapter.matches(value)) {
      throw new CustodianTypeError(
        `use() needs a value with [Symbol.asyncDispose]() or [Symbol.dispose](), got ${describeValue(value)}. ` +
          'Use register() for resources an adapter knows, or adopt(value, onDispose) for anything else.',
      );
    }
    const asyncDispose = (value as Partial<AsyncDisposable>)[Symbol.asyncDispose];
    const method = asyncDispose ?? (value as Disposable)[Symbol.dispose];
    this.#addOwn(this.use, value, (target) => method.call(target), 'disposable');
    return value;
  }

  /** Registers `value` with a disposer of your own, as `AsyncDisposableStack.prototype.adopt` does. Returns the value. */
  adopt<T>(value: T, onDispose: (value: T) => unknown): T {
    this.#assertOpen('adopt');
    if (typeof onDispose !== 'function') {
      throw new CustodianTypeError(`adopt() needs a function as its second argument, got ${describeValue(onDispose)}`);
    }
    this.#addOwn(this.adopt, value, (target) => onDispose(target as T), 'other');
    return value;
  }

  /** Registers a callback to run at cleanup, as `AsyncDisposableStack.prototype.defer` does. */
  defer(onDispose: () => unknown): void {
    this.#assertOpen('defer');
    if (typeof onDispose !== 'function') {
      throw new CustodianTypeError(`defer() needs a function, got ${describeValue(onDispose)}`);
    }
    this.#addOwn(this.defer, undefined, () => onDispose(), 'other', onDispose.name || 'deferred callback');
  }

  /**
   * Moves every registered resource into a new registry with the same options and marks
   * this one disposed, as `AsyncDisposableStack.prototype.move` does: the usual way to hand
   * resources built in a constructor over to their owner once setup succeeded.
   */
  move(): ResourceRegistry {
    this.#assertOpen('move');
    const target = new ResourceRegistry({
      name: this.#name,
      timeoutMs: this.#timeoutMs,
      forceTimeoutMs: this.#forceTimeoutMs,
      stacks: this.#stacks,
    });
    for (const entry of this.#entries.values()) entry.owner = target;
    target.#entries = this.#entries;
    this.#entries = new Map();
    this.#disposed = true;
    return target;
  }

  /**
   * Closes every registered resource, in reverse registration order, and leaves the registry
   * open and empty for reuse: this is what runs after each test.
   *
   * Every disposer runs even when earlier ones fail. Each resource gets its graceful
   * deadline, then its forced close with its own deadline, then is abandoned; all of it is
   * reported. A resource registered while the cleanup runs is closed by it too. Calls made
   * while a cleanup is running share it (and its options).
   *
   * @returns the report; rejects with `CleanupError` (code `ERR_CLEANUP_FAILED`, carrying
   *   `.report`) when something failed or was abandoned, unless `throwOnError` is false.
   */
  cleanupAll(options: CleanupOptions = {}): Promise<CleanupReport> {
    if (typeof options !== 'object' || options === null) {
      return Promise.reject(new CustodianTypeError(`cleanupAll() options must be an object, got ${describeValue(options)}`));
    }
    let budget: number | undefined;
    let concurrency: number | undefined;
    try {
      budget = checkDuration(options.timeoutMs, 'cleanupAll() option timeoutMs');
      concurrency = checkConcurrency(options.concurrency, 'cleanupAll() option concurrency');
    } catch (error) {
      return Promise.reject(error);
    }
    this.#cleanup ??= this.#runCleanup(budget ?? Number.POSITIVE_INFINITY, concurrency ?? 1).finally(() => {
      this.#cleanup = undefined;
    });
    const shared = this.#cleanup;
    if (options.throwOnError === false) return shared;
    return shared.then((report) => {
      if (!report.ok) throw new CleanupError(report);
      return report;
    });
  }

  async #runCleanup(budgetMs: number, concurrency: number): Promise<CleanupReport> {
    const start = performance.now();
    const deadlines: Deadlines = { budgetEnd: start + budgetMs };
    const report: CleanupReport = { registry: this.#name, durationMs: 0, ok: true, disposed: [], forced: [], failed: [], timedOut: [] };
    if (log.enabled) log('cleanup of "%s": %d resources', this.#name, this.#entries.size);
    // Resources registered while a round runs land in the fresh map and are closed by the next round.
    while (this.#entries.size > 0) {
      const batch = [...this.#entries.values()].reverse();
      this.#entries = new Map();
      if (concurrency === 1) await disposeSequentially(batch, deadlines, report);
      else await disposeConcurrently(batch, concurrency, deadlines, report);
    }
    (report as { durationMs: number }).durationMs = performance.now() - start;
    (report as { ok: boolean }).ok = report.failed.length === 0 && report.timedOut.length === 0;
    if (log.enabled) {
      log('cleanup of "%s" done in %d ms: %d disposed, %d forced, %d failed, %d timed out', this.#name,
        Math.round(report.durationMs), report.disposed.length, report.forced.length, report.failed.length, report.timedOut.length);
    }
    return report;
  }

  /**
   * Closes the registry for good, as `AsyncDisposableStack.prototype.disposeAsync` does: it is
   * marked disposed before the first disposer runs, resources close in reverse order, every
   * disposer runs, a single error is rethrown as is and several are chained as
   * `SuppressedError` (the newest outside). Deadlines apply as in `cleanupAll()`; a forced close
   * is not an error, an abandoned resource is (`ERR_DISPOSE_TIMEOUT`). Calling it again returns
   * the same promise; afterwards `register`, `use`, `adopt`, `defer` and `move` throw.
   */
  disposeAsync(): Promise<void> {
    if (this.#disposal !== undefined) return this.#disposal;
    if (this.#disposed) return Promise.resolve();
    this.#disposed = true;
    this.#disposal = this.#runDisposal();
    return this.#disposal;
  }

  async #runDisposal(): Promise<void> {
    // A cleanup in flight owns its batch; wait for it, then close whatever it did not take.
    if (this.#cleanup !== undefined) await this.#cleanup.catch(() => undefined);
    const errors: unknown[] = [];
    while (this.#entries.size > 0) {
      const batch = [...this.#entries.values()].reverse();
      this.#entries = new Map();
      for (const entry of batch) {
        const result = await runEntry(entry);
        if (result.status === 'failed' || result.status === 'timedOut') errors.push(result.error);
      }
    }
    if (errors.length > 0) throw chainDisposalErrors(errors);
  }

  /** Same as {@link disposeAsync}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.disposeAsync();
  }

  /** The registered resources, oldest first. */
  snapshot(): ResourceInfo[] {
    const now = performance.now();
    const infos: ResourceInfo[] = [];
    for (const entry of this.#entries.values()) {
      const info: { -readonly [K in keyof ResourceInfo]: ResourceInfo[K] } = {
        id: entry.id,
        kind: entry.kind,
        name: entryName(entry),
        ageMs: now - entry.createdAt,
      };
      if (entry.stack !== undefined) info.stack = entry.stack;
      infos.push(info);
    }
    return infos;
  }

  /** @internal Removes an entry if this registry still holds it. */
  _forget(entry: Entry): boolean {
    if (entry.kind === 'process' && entry.running === undefined) liveChildren.delete(entry.resource as ChildLike);
    return this.#entries.delete(entry.id);
  }

  #add(resource: unknown, fields: EntryFields, below: Function): Entry {
    // Spelled out rather than spread: every entry gets the same hidden class, and register()
    // stays cheap when a suite registers thousands of timers.
    const entry: Entry = {
      id: ids.next++,
      kind: fields.kind,
      resource,
      adapter: fields.adapter,
      dispose: fields.dispose,
      forceDispose: fields.forceDispose,
      owner: this,
      explicitName: fields.explicitName,
      timeoutMs: fields.timeoutMs,
      forceTimeoutMs: fields.forceTimeoutMs,
      createdAt: performance.now(),
      stack: this.#stacks ? captureStack(below) : undefined,
      running: undefined,
    };
    this.#entries.set(entry.id, entry);
    return entry;
  }

  /** An entry for use(), adopt() and defer(): closed by its own function, with the registry's deadlines. */
  #addOwn(below: Function, resource: unknown, dispose: (resource: unknown) => unknown, kind: Entry['kind'], name?: string): void {
    this.#add(resource, {
      kind,
      adapter: undefined,
      dispose,
      forceDispose: undefined,
      explicitName: name ?? ownName(resource),
      timeoutMs: this.#timeoutMs,
      forceTimeoutMs: this.#forceTimeoutMs,
    }, below);
  }

  #assertOpen(operation: string): void {
    if (this.#disposed) throw new RegistryDisposedError(this.#name, operation);
  }
}
