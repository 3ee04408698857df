import { defineAdapter } from '../adapter.js';
import {
  asObject,
  count,
  describeEndpoint,
  destroyStream,
  endpointFromUrl,
  first,
  hasMethods,
  quietly,
  whenStreamClosed,
  type Endpoint,
  type Loose,
} from './_shape.js';

/** The parts of a `mysql2` connection (callback API) the adapter relies on. */
export interface Mysql2ConnectionLike extends Loose {
  end(callback?: (error?: unknown) => void): unknown;
  destroy(): void;
  addCommand(command: unknown): unknown;
  stream?: { destroyed?: boolean; closed?: boolean };
  config?: Loose;
  _closing?: boolean;
  _pool?: unknown;
  _released?: boolean;
  release?: () => void;
}

interface RingQueue<T> {
  readonly length: number;
  get(index: number): T;
}

/** The parts of a `mysql2` pool (callback API) the adapter relies on. */
export interface Mysql2PoolLike extends Loose {
  end(callback?: (error?: unknown) => void): unknown;
  getConnection(callback: unknown): unknown;
  config: { connectionConfig?: Loose; connectionLimit?: number };
  _allConnections: RingQueue<Mysql2ConnectionLike>;
  _freeConnections: RingQueue<Mysql2ConnectionLike>;
  _closed: boolean;
}

/** A mysql2 promise wrapper (`mysql2/promise`): the callback object is one property away. */
type Wrapped<T> = T | { pool: T } | { connection: T };

function isCorePool(value: unknown): value is Mysql2PoolLike {
  return (
    hasMethods(value, 'getConnection', 'query', 'end', 'releaseConnection') &&
    asObject(value._allConnections) !== undefined &&
    asObject(value._freeConnections) !== undefined &&
    asObject(asObject(value.config)?.connectionConfig) !== undefined
  );
}

function isCoreConnection(value: unknown): value is Mysql2ConnectionLike {
  return (
    hasMethods(value, 'query', 'execute', 'end', 'destroy', 'addCommand') &&
    asObject(value.config) !== undefined &&
    'stream' in value
  );
}

/** The callback pool behind a `mysql2/promise` pool (or the pool itself). */
export function corePool(value: Wrapped<Mysql2PoolLike>): Mysql2PoolLike {
  return isCorePool(value) ? value : (value as { pool: Mysql2PoolLike }).pool;
}

/** The callback connection behind a `mysql2/promise` connection (or the connection itself). */
export function coreConnection(value: Wrapped<Mysql2ConnectionLike>): Mysql2ConnectionLike {
  return isCoreConnection(value) ? value : (value as { connection: Mysql2ConnectionLike }).connection;
}

function endpointOf(config: Loose | undefined): Endpoint {
  const fromUrl = endpointFromUrl(config?.uri);
  return {
    host: first(config?.host, fromUrl.host) as string | undefined,
    port: first(config?.port, fromUrl.port),
    database: first(config?.database, fromUrl.database),
  };
}

function connectionsOf(pool: Mysql2PoolLike): Mysql2ConnectionLike[] {
  const connections: Mysql2ConnectionLike[] = [];
  for (let index = 0; index < pool._allConnections.length; index++) connections.push(pool._allConnections.get(index));
  return connections;
}

function isConnectionClosed(connection: Mysql2ConnectionLike): boolean {
  const stream = connection.stream;
  return stream === undefined || stream.destroyed === true || stream.closed === true;
}

/** Resolves once `end()` ran the QUIT command and the socket is closed. */
function endConnection(connection: Mysql2ConnectionLike): Promise<void> {
  const closed = whenStreamClosed(connection.stream);
  // A second end() throws into its callback ("closed state"): wait for the first instead.
  if (connection._closing === true) return closed;
  return new Promise<void>((resolve, reject) => {
    connection.end((error) => (error ? reject(error as Error) : resolve()));
  }).then(() => closed);
}

/**
 * Forced close of a mysql2 connection: `destroy()` only half-closes the socket, so the socket
 * is destroyed as well. The server notices the closed socket when the running statement next
 * checks its connection (MariaDB's SLEEP() does so every few seconds).
 */
export async function forceMysql2Connection(connection: Mysql2ConnectionLike): Promise<void> {
  void quietly(() => connection.destroy());
  await destroyStream(connection.stream);
  failPendingCommands(connection);
}

interface CommandLike {
  onResult?: (error: Error) => void;
}

/**
 * Once `end()` or `destroy()` ran, mysql2 ignores the socket's close, so a query in flight would
 * never settle and the code awaiting it would hang: its commands get the error mysql2 itself
 * gives when a server goes away (`PROTOCOL_CONNECTION_LOST`).
 */
function failPendingCommands(connection: Mysql2ConnectionLike): void {
  const current = connection._command as CommandLike | null | undefined;
  const queue = connection._commands as { shift(): CommandLike | undefined } | undefined;
  const error = Object.assign(new Error('Connection lost: closed by force by custodian'), { code: 'PROTOCOL_CONNECTION_LOST', fatal: true });
  const pending: CommandLike[] = current ? [current] : [];
  for (let command = queue?.shift(); command !== undefined; command = queue?.shift()) pending.push(command);
  connection._command = null;
  for (const command of pending) {
    try {
      command.onResult?.(error);
    } catch {
      // A callback that throws is the caller's problem; the rest still get their error.
    }
  }
}

/** Forced close of a mysql2 pool: marks it closed and destroys every connection's socket. */
export async function forceMysql2Pool(pool: Mysql2PoolLike): Promise<void> {
  const connections = connectionsOf(pool);
  if (!pool._closed) void quietly(() => new Promise((resolve) => pool.end(resolve)));
  await Promise.all(connections.map((connection) => destroyStream(connection.stream)));
}

/**
 * `mysql2` pool, callback or promise API (`mysql2/promise`'s pool is unwrapped). `end()` sends
 * QUIT on every connection, which waits behind a running query; the forced close destroys the
 * sockets. A pool someone already ended is waited for, not ended twice.
 */
export const mysql2PoolAdapter = defineAdapter<Wrapped<Mysql2PoolLike>>({
  name: 'mysql2 pool',
  kind: 'engine',
  matches: (value): value is Wrapped<Mysql2PoolLike> =>
    isCorePool(value) || (hasMethods(value, 'getConnection', 'query', 'end') && isCorePool(value.pool)),
  isClosed: (value) => {
    const pool = corePool(value);
    return pool._closed && connectionsOf(pool).every(isConnectionClosed);
  },
  close: (value) => {
    const pool = corePool(value);
    if (pool._closed) return Promise.all(connectionsOf(pool).map((connection) => whenStreamClosed(connection.stream)));
    return new Promise<void>((resolve, reject) => pool.end((error) => (error ? reject(error as Error) : resolve())));
  },
  forceClose: (value) => forceMysql2Pool(corePool(value)),
  describe: (value) => {
    const pool = corePool(value);
    const total = pool._allConnections.length;
    const inUse = total - pool._freeConnections.length;
    const detail = inUse > 0 ? `${count(total, 'connection')}, ${inUse} in use` : count(total, 'connection');
    return describeEndpoint('mysql2 pool', endpointOf(asObject(pool.config.connectionConfig)), detail);
  },
});

/**
 * `mysql2` connection, callback or promise API. `end()` sends QUIT, which waits behind a
 * running query; the forced close destroys the socket. A connection taken from a pool is
 * released to it instead (its pool owns the socket).
 */
export const mysql2ConnectionAdapter = defineAdapter<Wrapped<Mysql2ConnectionLike>>({
  name: 'mysql2 connection',
  kind: 'engine',
  matches: (value): value is Wrapped<Mysql2ConnectionLike> =>
    isCoreConnection(value) || (hasMethods(value, 'query', 'execute', 'end') && isCoreConnection(value.connection)),
  isClosed: (value) => {
    const connection = coreConnection(value);
    return isConnectionClosed(connection) || connection._released === true;
  },
  close: (value) => {
    const connection = coreConnection(value);
    if (connection._pool !== undefined && typeof connection.release === 'function') return connection.release();
    return endConnection(connection);
  },
  forceClose: (value) => forceMysql2Connection(coreConnection(value)),
  describe: (value) => {
    const connection = coreConnection(value);
    const pooled = connection._pool !== undefined ? 'pooled ' : '';
    return describeEndpoint(`mysql2 ${pooled}connection`, endpointOf(connection.config));
  },
});
