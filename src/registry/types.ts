import type { CloseContext, ResourceKind } from '../adapters/adapter.js';

/** Options of a {@link ResourceRegistry}. */
export interface RegistryOptions {
  /**
   * Names the registry in reports and errors.
   * @default 'registry'
   */
  name?: string;
  /**
   * Graceful deadline per resource, in milliseconds: how long its close may take before
   * the forced close starts. Overridden per resource by `register(..., { timeoutMs })`.
   * @default 5000
   */
  timeoutMs?: number;
  /**
   * Deadline of the forced close, in milliseconds, after which the resource is abandoned
   * and reported under `timedOut`.
   * @default 1000
   */
  forceTimeoutMs?: number;
  /**
   * Records where each resource was registered (a short stack) for `snapshot()` and reports.
   * Costs a stack capture per `register()`.
   * @default false
   */
  stacks?: boolean;
}

/** Options of {@link ResourceRegistry.register}. */
export interface RegisterOptions<T> {
  /** The kind reported for this resource; defaults to the adapter's kind, or `'other'` with `dispose`. */
  kind?: ResourceKind;
  /** The name used in reports; defaults to the adapter's description of the resource. */
  name?: string;
  /** Graceful deadline for this resource, in milliseconds. @default the registry's `timeoutMs` */
  timeoutMs?: number;
  /** Deadline of the forced close for this resource, in milliseconds. @default the registry's `forceTimeoutMs` */
  forceTimeoutMs?: number;
  /** Closes the resource instead of an adapter: required for values no adapter recognises. */
  dispose?: (resource: T, context: CloseContext) => unknown;
  /** The forced close, run when `dispose` (or the adapter's close) misses its deadline or fails. */
  forceDispose?: (resource: T) => unknown;
}

/** What `register()` returns: a handle on one registered resource. */
export interface Registration extends AsyncDisposable {
  /** Unique within the process. */
  readonly id: number;
  readonly kind: ResourceKind;
  /** The name used in reports. */
  readonly name: string;
  /** Forgets the resource without closing it. Returns false when it was no longer registered. */
  unregister(): boolean;
  /**
   * Closes the resource now (graceful, then forced, with the deadlines) and forgets it.
   * Resolves with the outcome; rejects with the error when the close failed or was abandoned.
   * Calling it twice, or while a cleanup is closing it, returns the same outcome.
   */
  dispose(): Promise<DisposeOutcome>;
}

/** A registered resource as `snapshot()` describes it. */
export interface ResourceInfo {
  readonly id: number;
  readonly kind: ResourceKind;
  readonly name: string;
  /** Milliseconds since it was registered. */
  readonly ageMs: number;
  /** Where it was registered, when the registry records stacks. */
  readonly stack?: string;
}

/**
 * The last phase a resource reached while it was disposed:
 * `closed` it was already closed, `graceful` its close finished in time, `forced` the forced
 * close was needed, `abandoned` neither finished in time and it was given up.
 */
export type DisposePhase = 'closed' | 'graceful' | 'forced' | 'abandoned';

/**
 * Where a disposed resource is reported: `disposed` closed gracefully or already closed,
 * `forced` closed by the forced path, `failed` a close threw and nothing rescued it,
 * `timedOut` abandoned after its deadlines.
 */
export type DisposeStatus = 'disposed' | 'forced' | 'failed' | 'timedOut';

/** How disposing one resource went. */
export interface DisposeOutcome {
  readonly id: number;
  readonly kind: ResourceKind;
  /**
   * The registration's name, else the adapter's description of the resource taken just before
   * its close. One exception spares a system call per server: an idle listening server, whose
   * close cannot wait or fail, is named from the address it asked for, without an ephemeral
   * port (`server 127.0.0.1 (0 connections)`).
   */
  readonly name: string;
  /** The report bucket this outcome belongs to. */
  readonly status: DisposeStatus;
  readonly phase: DisposePhase;
  /** From the start of its graceful deadline to the end of its last phase. */
  readonly durationMs: number;
  /** For failures and timeouts, the error; for a forced close after a failed graceful one, that failure. */
  readonly error?: unknown;
}

/** What a `cleanupAll()` did. */
export interface CleanupReport {
  /** The registry's name. */
  readonly registry: string;
  readonly durationMs: number;
  /** False when anything failed or timed out; a forced close still counts as closed. */
  readonly ok: boolean;
  /** Closed gracefully, or found already closed. */
  readonly disposed: DisposeOutcome[];
  /** Closed, but only by the forced path: slow or failing graceful closes show up here. */
  readonly forced: DisposeOutcome[];
  /** A close threw and no forced close rescued it. */
  readonly failed: DisposeOutcome[];
  /** Abandoned after both deadlines (or the cleanup's budget) passed. */
  readonly timedOut: DisposeOutcome[];
}

/** Options of {@link ResourceRegistry.cleanupAll}. */
export interface CleanupOptions {
  /**
   * A budget for the whole cleanup, in milliseconds: every resource's deadlines are cut
   * to what remains of it. Resources reached after it ran out get no graceful time.
   * @default Infinity (each resource still has its own deadlines)
   */
  timeoutMs?: number;
  /**
   * How many resources may be closing at once. Starts keep reverse registration order.
   * @default 1
   */
  concurrency?: number;
  /**
   * Reject with a `CleanupError` carrying the report when the cleanup was not `ok`.
   * @default true
   */
  throwOnError?: boolean;
}
