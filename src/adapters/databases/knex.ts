import { defineAdapter } from '../adapter.js';
import { forceDriverHandle } from './_driver-handles.js';
import { asObject, describeEndpoint, endpointFromUrl, first, hasMethods, type Loose } from './_shape.js';

/** A tarn pool as knex uses it. */
interface TarnLike {
  used: { resource: unknown }[];
  free: { resource: unknown }[];
  destroyed?: boolean;
  release(resource: unknown): boolean;
}

/** The parts of a knex instance the adapter relies on (a knex instance is a function). */
export interface KnexLike extends Loose {
  destroy(): Promise<void>;
  client: Loose & { pool?: TarnLike; config?: Loose; connectionSettings?: unknown; dialect?: unknown; driverName?: unknown };
}

function isKnex(value: unknown): value is KnexLike {
  if (!hasMethods(value, 'destroy', 'raw', 'transaction')) return false;
  const client = asObject(value.client);
  // A transaction object looks like a knex instance too, but it is closed by commit/rollback.
  return client !== undefined && asObject(client.config) !== undefined && value.isTransaction !== true;
}

function poolOf(instance: KnexLike): TarnLike | undefined {
  const pool = asObject(instance.client.pool);
  return pool !== undefined && Array.isArray(pool.used) && Array.isArray(pool.free) ? (pool as unknown as TarnLike) : undefined;
}

/**
 * Forced close: hands every connection in use back to the pool (knex's `destroy()` waits for
 * them, forever if a transaction is never finished), destroys every raw connection's socket,
 * then lets knex's own `destroy()` finish on what is left.
 */
async function forceKnex(instance: KnexLike): Promise<void> {
  const pool = poolOf(instance);
  if (pool === undefined) return;
  const used = pool.used.map((item) => item.resource);
  const free = pool.free.map((item) => item.resource);
  for (const resource of used) pool.release(resource);
  await Promise.all([...used, ...free].map(forceDriverHandle));
  await instance.destroy();
}

/**
 * knex: `destroy()`, which waits for every connection in use to be released; the forced close
 * releases them itself and destroys their sockets. A knex instance without a pool (destroyed,
 * or never given a connection) is closed.
 */
export const knexAdapter = defineAdapter<KnexLike>({
  name: 'knex',
  kind: 'engine',
  matches: isKnex,
  isClosed: (instance) => poolOf(instance) === undefined,
  close: (instance) => instance.destroy(),
  forceClose: forceKnex,
  describe: (instance) => {
    const client = instance.client;
    const settings = client.connectionSettings;
    const connection = asObject(settings) ?? {};
    const fromUrl = endpointFromUrl(typeof settings === 'string' ? settings : connection.connectionString);
    const dialect = first(client.dialect, client.driverName, typeof client.config?.client === 'string' ? client.config.client : undefined);
    const pool = poolOf(instance);
    return describeEndpoint(
      `knex${dialect === undefined ? '' : ` ${dialect}`}`,
      {
        host: first(connection.host, fromUrl.host) as string | undefined,
        port: first(connection.port, fromUrl.port),
        database: first(connection.database, connection.filename, fromUrl.database),
      },
      pool === undefined ? 'no pool' : `${pool.used.length} in use, ${pool.free.length} free`,
    );
  },
});
