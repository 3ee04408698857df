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
  whenEvent,
  type Endpoint,
  type Loose,
} from './_shape.js';

/** The parts of a `pg` Client the adapter relies on. */
export interface PgClientLike extends Loose {
  connect(): Promise<void>;
  query(...args: unknown[]): unknown;
  end(): Promise<void>;
  connectionParameters: { host?: string; port?: number; database?: string };
  connection: { stream?: unknown };
  _ending?: boolean;
  _ended?: boolean;
  _connecting?: boolean;
  _connected?: boolean;
  release?: (error?: Error | boolean) => void;
}

/** The parts of a `pg` Pool (pg-pool) the adapter relies on. */
export interface PgPoolLike extends Loose {
  connect(): Promise<unknown>;
  end(): Promise<void>;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  removeListener(event: string, listener: (...args: unknown[]) => void): unknown;
  _clients: PgClientLike[];
  _idle: { client: PgClientLike }[];
  ending: boolean;
  ended: boolean;
  options: { host?: string; port?: number | string; database?: string; connectionString?: string };
  totalCount?: number;
  idleCount?: number;
}

function isPgPool(value: unknown): value is PgPoolLike {
  return (
    hasMethods(value, 'connect', 'query', 'end', 'on') &&
    Array.isArray(value._clients) &&
    Array.isArray(value._idle) &&
    Array.isArray(value._pendingQueue)
  );
}

function isPgClient(value: unknown): value is PgClientLike {
  return (
    hasMethods(value, 'connect', 'query', 'end', 'on') &&
    asObject(value.connectionParameters) !== undefined &&
    asObject(value.connection) !== undefined &&
    !('_clients' in value)
  );
}

function poolEndpoint(pool: PgPoolLike): Endpoint {
  const options = asObject(pool.options) ?? {};
  const fromUrl = endpointFromUrl(options.connectionString);
  return {
    host: first(options.host, fromUrl.host) as string | undefined,
    port: first(options.port, fromUrl.port),
    database: first(options.database, fromUrl.database),
  };
}

/** Resolves once every client of an ending pool is gone (someone else already called `end()`). */
function whenPoolDrained(pool: PgPoolLike): Promise<void> {
  if (pool.ended || pool._clients.length === 0) return Promise.resolve();
  return new Promise((resolve) => {
    const onRemove = (): void => {
      if (!pool.ended && pool._clients.length > 0) return;
      pool.removeListener('remove', onRemove);
      resolve();
    };
    pool.on('remove', onRemove);
  });
}

/**
 * Forced close of a pg client: destroys its socket and resolves once the socket is closed.
 * Pending queries fail with "Connection terminated"; the server ends the backend when it sees
 * the socket go.
 */
export function forcePgClient(client: PgClientLike): Promise<void> {
  return destroyStream(asObject(client.connection)?.stream);
}

/**
 * Forced close of a pg pool: ends it if nobody has, hands every checked-out client back to it
 * with an error (so the pool forgets it and its `end()` can finish) and destroys every
 * client's socket. A late `release()` by the code that checked the client out then throws
 * pg-pool's "Release called on client which has already been released".
 */
export async function forcePgPool(pool: PgPoolLike): Promise<void> {
  const clients = [...pool._clients];
  const idle = new Set(pool._idle.map((item) => item.client));
  if (!pool.ending) void quietly(() => pool.end());
  await Promise.all(
    clients.map((client) => {
      if (!idle.has(client) && typeof client.release === 'function') {
        void quietly(() => client.release!(new Error('custodian: pool closed by force')));
      }
      return forcePgClient(client);
    }),
  );
}

/**
 * `pg` Pool (pg-pool): `end()`, which waits for every checked-out client to be released; when
 * that misses the deadline, the forced close releases them with an error and destroys their
 * sockets. A pool whose `end()` was already called is not ended again (pg-pool rejects a second
 * `end()`): the close waits for its clients to go instead. `ended` means already closed.
 */
export const pgPoolAdapter = defineAdapter<PgPoolLike>({
  name: 'pg pool',
  kind: 'engine',
  matches: isPgPool,
  isClosed: (pool) => pool.ended === true,
  close: (pool) => (pool.ending ? whenPoolDrained(pool) : pool.end()),
  forceClose: forcePgPool,
  describe: (pool) => {
    const total = pool._clients.length;
    const checkedOut = total - pool._idle.length;
    const detail = checkedOut > 0 ? `${count(total, 'client')}, ${checkedOut} checked out` : count(total, 'client');
    return describeEndpoint('pg pool', poolEndpoint(pool), detail);
  },
});

/**
 * `pg` Client: `end()` (which pg itself turns into a socket destroy when a query is running);
 * forced, its socket is destroyed. A client that never connected, or has ended, is closed; one
 * already ending is waited for rather than ended twice.
 */
export const pgClientAdapter = defineAdapter<PgClientLike>({
  name: 'pg client',
  kind: 'engine',
  matches: isPgClient,
  isClosed: (client) => client._ended === true || (client._connecting !== true && client._connected !== true),
  close: (client) => (client._ending === true ? whenEvent(client, 'end') : client.end()),
  forceClose: forcePgClient,
  describe: (client) => {
    const parameters = asObject(client.connectionParameters) ?? {};
    return describeEndpoint('pg client', {
      host: first(parameters.host) as string | undefined,
      port: first(parameters.port),
      database: first(parameters.database),
    });
  },
});
