import type { Adapter } from '../adapter.js';
import { ioredisAdapter, ioredisClusterAdapter } from './ioredis.js';
import { knexAdapter } from './knex.js';
import { mysql2ConnectionAdapter, mysql2PoolAdapter } from './mysql2.js';
import { nodeRedisAdapter } from './node-redis.js';
import { pgClientAdapter, pgPoolAdapter } from './pg.js';
import { typeormDataSourceAdapter } from './typeorm.js';
import { undiciDispatcherAdapter } from './undici.js';
import { wsServerAdapter, wsWebSocketAdapter } from './ws.js';

export { ioredisAdapter, ioredisClusterAdapter } from './ioredis.js';
export { knexAdapter } from './knex.js';
export { mysql2ConnectionAdapter, mysql2PoolAdapter } from './mysql2.js';
export { nodeRedisAdapter } from './node-redis.js';
export { pgClientAdapter, pgPoolAdapter } from './pg.js';
export { typeormDataSourceAdapter } from './typeorm.js';
export { undiciDispatcherAdapter } from './undici.js';
export { wsServerAdapter, wsWebSocketAdapter } from './ws.js';

/**
 * The adapters for database engines and network clients, recognised by shape (none of their
 * libraries is imported). Order matters where shapes nest: ORMs and query builders before the
 * drivers they wrap, pools before clients, an ioredis Cluster before a single client; all of
 * them before the generic `Symbol.asyncDispose` adapter, which several of these libraries
 * implement with less than a full close (mysql2's pool ends but never forces).
 */
export const databaseAdapters: readonly Adapter<unknown>[] = [
  typeormDataSourceAdapter,
  knexAdapter,
  pgPoolAdapter,
  pgClientAdapter,
  mysql2PoolAdapter,
  mysql2ConnectionAdapter,
  ioredisClusterAdapter,
  ioredisAdapter,
  nodeRedisAdapter,
  undiciDispatcherAdapter,
  wsServerAdapter,
  wsWebSocketAdapter,
] as Adapter<unknown>[];
