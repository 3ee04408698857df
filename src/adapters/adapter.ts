import { CustodianTypeError } from '../errors.js';
import { describeValue } from '../_internal/validate.js';

/**
 * What a resource is, for reports and leak filters.
 * `engine` is a database engine or pool, `task` a unit of async work, `disposable`
 * anything known only by `Symbol.dispose` / `Symbol.asyncDispose`.
 */
export type ResourceKind =
  | 'engine'
  | 'thread'
  | 'process'
  | 'timer'
  | 'socket'
  | 'server'
  | 'watcher'
  | 'port'
  | 'task'
  | 'disposable'
  | 'other';

/** Every {@link ResourceKind}, in a stable order. */
export const RESOURCE_KINDS: readonly ResourceKind[] = [
  'engine',
  'thread',
  'process',
  'timer',
  'socket',
  'server',
  'watcher',
  'port',
  'task',
  'disposable',
  'other',
];

/** What a graceful close receives. */
/**
 * An optional adapter hook, under a global symbol so that it stays out of the public
 * {@link Adapter} type and is shared by the ESM and CJS builds: given a resource about to be
 * closed, the name for its outcome when its close is certain to complete at once and gracefully,
 * or undefined. It spares a description that is costly to take (a server's port is a system
 * call) for outcomes that only say "closed fine". The registry reads it; the server adapter has one.
 * @internal
 */
export const NAME_IF_CLOSED_AT_ONCE: unique symbol = Symbol.for('custodian.adapter.nameIfClosedAtOnce') as never;

/** The hook under {@link NAME_IF_CLOSED_AT_ONCE}. @internal */
export type NameIfClosedAtOnce = (resource: unknown) => string | undefined;

export interface CloseContext {
  /** Aborts when the graceful deadline passes; a close that can be interrupted should listen to it. */
  readonly signal: AbortSignal;
}

/**
 * Teaches the registry how to close one family of resources.
 *
 * The registry calls `isClosed` first (a resource that is already closed counts as
 * disposed), then `close` with the graceful deadline running, then, if the deadline
 * passed or `close` failed, `forceClose` with its own deadline.
 */
export interface Adapter<T> {
  /** A short name for reports and debug logs, such as `'pg pool'`. */
  readonly name: string;
  /** The kind of resource this adapter handles. */
  readonly kind: ResourceKind;
  /** Recognises the resource by its shape (never by importing its library). */
  matches(value: unknown): value is T;
  /** The graceful close; may return a promise. */
  close(value: T, context: CloseContext): unknown;
  /** The forced close, called after the graceful deadline or when `close` failed. */
  forceClose?(value: T): unknown;
  /** Whether the resource is already closed; a closed resource is not closed again. */
  isClosed?(value: T): boolean;
  /** A one-line description without secrets, such as `pg pool 127.0.0.1:5432/app (3 clients)`. */
  describe?(value: T): string;
}

/**
 * Checks an adapter and returns it unchanged, typed: the identity helper for writing adapters.
 *
 * @example
 * ```ts
 * const amqpAdapter = defineAdapter<Connection>({
 *   name: 'amqp connection',
 *   kind: 'socket',
 *   matches: (value): value is Connection => value instanceof Connection,
 *   close: (connection) => connection.close(),
 *   forceClose: (connection) => connection.connection.stream.destroy(),
 *   describe: (connection) => `amqp ${connection.host}`,
 * });
 * ```
 */
export function defineAdapter<T>(adapter: Adapter<T>): Adapter<T> {
  if (typeof adapter !== 'object' || adapter === null) {
    throw new CustodianTypeError(`defineAdapter() expects an adapter object, got ${describeValue(adapter)}`);
  }
  if (typeof adapter.name !== 'string' || adapter.name === '') {
    throw new CustodianTypeError('an adapter needs a non-empty string `name`, such as "amqp connection"');
  }
  for (const method of ['matches', 'close'] as const) {
    if (typeof adapter[method] !== 'function') {
      throw new CustodianTypeError(`adapter "${adapter.name}" needs a \`${method}\` function, got ${describeValue(adapter[method])}`);
    }
  }
  for (const method of ['forceClose', 'isClosed', 'describe'] as const) {
    if (adapter[method] !== undefined && typeof adapter[method] !== 'function') {
      throw new CustodianTypeError(`adapter "${adapter.name}": \`${method}\` must be a function when given, got ${describeValue(adapter[method])}`);
    }
  }
  if (!RESOURCE_KINDS.includes(adapter.kind)) {
    throw new CustodianTypeError(`adapter "${adapter.name}": \`kind\` must be one of ${RESOURCE_KINDS.join(', ')}, got ${describeValue(adapter.kind)}`);
  }
  return adapter;
}
