import { NAME_IF_CLOSED_AT_ONCE, type Adapter, type CloseContext, type NameIfClosedAtOnce, type ResourceKind } from '../adapters/adapter.js';
import { liveChildren, type ChildLike } from '../_internal/live-children.js';
import { disposeTimeout } from './cleanup-error.js';
import type { DisposeOutcome, DisposePhase, DisposeStatus } from './types.js';
import { isThenable } from '../_internal/thenable.js';

/** One registered resource and how to close it. */
export interface Entry {
  readonly id: number;
  readonly kind: ResourceKind;
  // Mutable so they can be dropped once the resource is closed: a registration the caller
  // keeps must not keep the resource and its closures alive.
  resource: unknown;
  adapter: Adapter<unknown> | undefined;
  dispose: ((resource: unknown, context: CloseContext) => unknown) | undefined;
  forceDispose: ((resource: unknown) => unknown) | undefined;
  /** The registry holding it; changes on move(). */
  owner: { _forget(entry: Entry): boolean } | undefined;
  explicitName: string | undefined;
  readonly timeoutMs: number;
  readonly forceTimeoutMs: number;
  readonly createdAt: number;
  readonly stack: string | undefined;
  /** Set once disposal starts, so a registration's dispose() and a cleanup share one run. */
  running: DisposeOutcome | Promise<DisposeOutcome> | undefined;
}

/** The name of an entry for reports: explicit, else the adapter's description, else the adapter's name. */
export function entryName(entry: Entry): string {
  if (entry.explicitName !== undefined) return entry.explicitName;
  const adapter = entry.adapter;
  if (adapter === undefined) return 'resource';
  if (adapter.describe !== undefined) {
    try {
      return adapter.describe(entry.resource);
    } catch {
      // A describe() that throws on a half-closed resource must not break the cleanup.
    }
  }
  return adapter.name;
}

/** The name for the outcome of disposing `entry`, taken before its close (which may destroy what describe() reads). */
function outcomeName(entry: Entry): string {
  const hook = (entry.adapter as { [NAME_IF_CLOSED_AT_ONCE]?: NameIfClosedAtOnce } | undefined)?.[NAME_IF_CLOSED_AT_ONCE];
  if (entry.explicitName === undefined && hook !== undefined) {
    try {
      const name = hook(entry.resource);
      if (name !== undefined) return name;
    } catch {
      // As with describe(): fall back to the full description.
    }
  }
  return entryName(entry);
}


const TIMED_OUT = Symbol('timed out');
type Settled = typeof TIMED_OUT | { error: unknown } | undefined;

/** Resolves with `undefined` when `pending` fulfils, `{ error }` when it rejects, TIMED_OUT after `ms`. */
function settleWithin(pending: PromiseLike<unknown>, ms: number): Promise<Settled> {
  return new Promise<Settled>((resolve) => {
    // Kept referenced on purpose: a hanging disposer must still hit its deadline and be
    // reported, even when nothing else keeps the event loop alive.
    const timer = ms === Number.POSITIVE_INFINITY ? undefined : setTimeout(resolve, Math.max(0, ms), TIMED_OUT);
    pending.then(
      () => {
        clearTimeout(timer);
        resolve(undefined);
      },
      (error: unknown) => {
        clearTimeout(timer);
        resolve({ error });
      },
    );
  });
}

/** Deadlines for one disposal, after the cleanup's budget has been applied. */
export interface Deadlines {
  /** Absolute time (performance.now()) the cleanup's budget ends, or Infinity. */
  readonly budgetEnd: number;
}

// Never aborts; handed to closes that take no context parameter (they cannot observe it).
const INERT_CONTEXT: CloseContext = { signal: new AbortController().signal };

/**
 * The context of one graceful close. Its AbortController is only created when the close
 * reads `signal`: Node's AbortSignal costs about 2 µs to create, more than closing an idle
 * server, and a close that finishes synchronously never needs one. A signal first read after
 * the deadline passed is already aborted.
 */
class LazyCloseContext implements CloseContext {
  #controller: AbortController | undefined;
  #abortedWith: { reason: unknown } | undefined;

  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#abortedWith !== undefined) this.#controller.abort(this.#abortedWith.reason);
    }
    return this.#controller.signal;
  }

  abort(reason: unknown): void {
    this.#abortedWith ??= { reason };
    this.#controller?.abort(reason);
  }
}

const NO_BUDGET: Deadlines = { budgetEnd: Number.POSITIVE_INFINITY };

function outcome(
  entry: Entry,
  name: string,
  status: DisposeStatus,
  phase: DisposePhase,
  start: number,
  error?: unknown,
): DisposeOutcome {
  // One object shape for every outcome (error present, possibly undefined) keeps this monomorphic.
  return { id: entry.id, kind: entry.kind, name, status, phase, durationMs: performance.now() - start, error };
}

/**
 * Disposes one entry: `isClosed`, then the graceful close under its deadline, then the
 * forced close under its own, then abandonment. Returns synchronously when every step it
 * took was synchronous, which keeps cleaning up thousands of timers cheap.
 * Never throws: failures are part of the outcome.
 */
export function disposeEntry(entry: Entry, deadlines: Deadlines = NO_BUDGET): DisposeOutcome | Promise<DisposeOutcome> {
  // The deadline starts before anything of the resource's own code runs.
  const start = performance.now();
  const name = outcomeName(entry);
  const { adapter, resource } = entry;
  try {
    if (adapter?.isClosed !== undefined && adapter.isClosed(resource)) return outcome(entry, name, 'disposed', 'closed', start);
  } catch {
    // An isClosed() that throws tells us nothing; try the close.
  }

  const close = entry.dispose ?? adapter!.close;
  // A close that declares no second parameter cannot read the signal: skip even the lazy
  // context, which keeps cleaning up thousands of timers allocation-light.
  const context = close.length >= 2 ? new LazyCloseContext() : undefined;
  const gracefulMs = Math.min(entry.timeoutMs, deadlines.budgetEnd - start);
  let result: unknown;
  try {
    const given = context ?? INERT_CONTEXT;
    result = entry.dispose !== undefined ? entry.dispose(resource, given) : adapter!.close(resource, given);
  } catch (error) {
    return forcePhase(entry, name, start, deadlines, { error }, gracefulMs);
  }
  if (!isThenable(result)) return outcome(entry, name, 'disposed', 'graceful', start);

  return settleWithin(result, gracefulMs - (performance.now() - start)).then((settled) => {
    if (settled === undefined) return outcome(entry, name, 'disposed', 'graceful', start);
    if (settled === TIMED_OUT) context?.abort(disposeTimeout(name, gracefulMs, undefined));
    return forcePhase(entry, name, start, deadlines, settled, gracefulMs);
  });
}

function forcePhase(
  entry: Entry,
  name: string,
  start: number,
  deadlines: Deadlines,
  graceful: Exclude<Settled, undefined>,
  gracefulMs: number,
): DisposeOutcome | Promise<DisposeOutcome> {
  const force = entry.forceDispose ?? entry.adapter?.forceClose?.bind(entry.adapter);
  if (force === undefined) {
    const error = graceful === TIMED_OUT ? disposeTimeout(name, gracefulMs, undefined) : graceful.error;
    return graceful === TIMED_OUT
      ? outcome(entry, name, 'timedOut', 'abandoned', start, error)
      : outcome(entry, name, 'failed', 'graceful', start, error);
  }
  const gracefulError = graceful === TIMED_OUT ? undefined : graceful.error;
  const forceStart = performance.now();
  const forceMs = Math.max(0, Math.min(entry.forceTimeoutMs, deadlines.budgetEnd - forceStart));
  let result: unknown;
  try {
    result = force(entry.resource);
  } catch (error) {
    return outcome(entry, name, 'failed', 'forced', start, withCause(error, gracefulError));
  }
  if (!isThenable(result)) return outcome(entry, name, 'forced', 'forced', start, gracefulError);
  return settleWithin(result, forceMs).then((settled) => {
    if (settled === undefined) return outcome(entry, name, 'forced', 'forced', start, gracefulError);
    if (settled === TIMED_OUT) {
      const error = disposeTimeout(name, gracefulMs, forceMs, gracefulError);
      return outcome(entry, name, 'timedOut', 'abandoned', start, error);
    }
    return outcome(entry, name, 'failed', 'forced', start, withCause(settled.error, gracefulError));
  });
}

function withCause(error: unknown, cause: unknown): unknown {
  if (cause !== undefined && error instanceof Error && error.cause === undefined) {
    Object.defineProperty(error, 'cause', { value: cause, configurable: true, writable: true });
  }
  return error;
}

/** Disposes an entry once: a second call (a registration's dispose() during a cleanup) shares the first. */
export function runEntry(entry: Entry, deadlines?: Deadlines): DisposeOutcome | Promise<DisposeOutcome> {
  if (entry.running !== undefined) return entry.running;
  entry.owner = undefined;
  const result = disposeEntry(entry, deadlines);
  entry.running = result;
  if (result instanceof Promise) {
    void result.then((settled) => release(entry, settled));
  } else {
    release(entry, result);
  }
  return result;
}

function release(entry: Entry, result: DisposeOutcome): void {
  if (entry.kind === 'process') liveChildren.delete(entry.resource as ChildLike);
  // The name was described while the resource was open; keep it for the registration.
  entry.explicitName = result.name;
  entry.resource = undefined;
  entry.adapter = undefined;
  entry.dispose = undefined;
  entry.forceDispose = undefined;
}
