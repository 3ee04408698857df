import { defineAdapter } from '../adapter.js';
import { asObject, describeEndpoint, endpointFromUrl, first, hasMethods, whenEvent, type Loose } from './_shape.js';

/** The parts of a node-redis client (`redis` 4 and 5, `@redis/client`) the adapter relies on. */
export interface NodeRedisLike extends Loose {
  readonly isOpen: boolean;
  readonly isReady?: boolean;
  readonly options?: Loose;
  /** v5: waits for pending replies. */
  close?: () => Promise<void>;
  /** v5: rejects pending commands and drops the socket. */
  destroy?: () => void;
  /** v4 (deprecated in v5). */
  quit?: () => Promise<unknown>;
  /** v4 (deprecated in v5): rejects pending commands, drops the socket, then clears the isolation pool. */
  disconnect?: () => Promise<void>;
}

/** v5's internal handle on its socket wrapper (`@internal` there, used only as a last resort). */
interface SocketEjecting {
  _ejectSocket(): { destroySocket?: () => void };
  _insertSocket(socket: unknown): void;
}

function isNodeRedis(value: unknown): value is NodeRedisLike {
  // `isOpen` is a getter on the prototype; ioredis has no such property.
  return (
    hasMethods(value, 'connect', 'sendCommand') &&
    typeof value.isOpen === 'boolean' &&
    (hasMethods(value, 'close', 'destroy') || hasMethods(value, 'quit', 'disconnect'))
  );
}

/**
 * Rejects every queued command: v5's `destroy()` and v4's `disconnect()` flush the queue before
 * they look at the socket, so they do that even on a closed client (and then throw, or reject
 * with, ClientClosedError, which is dropped here).
 */
function flushQueue(client: NodeRedisLike): void {
  try {
    if (typeof client.destroy === 'function') client.destroy();
    else void client.disconnect!().catch(() => undefined);
  } catch {
    // ClientClosedError: the queue is flushed all the same.
  }
}

/**
 * A reconnection whose TCP connect is in flight when the client is dropped still completes
 * afterwards (node-redis 4 and 5 alike): the client then reports `isOpen === false` but runs its
 * handshake on a new socket, which nothing would ever close. So the first `connect` after the
 * drop, if the client is still closed (not reopened by its owner), gets its queued handshake
 * rejected, and node-redis destroys that socket itself. A client without handshake commands
 * (`disableClientInfo` and no name, database, password or RESP3) becomes ready at once instead;
 * v5 then has its socket destroyed through its internal socket handle; v4 exposes none.
 */
function closeLateConnection(client: NodeRedisLike): void {
  const on = client.once as ((event: string, listener: () => void) => unknown) | undefined;
  if (typeof on !== 'function') return;
  on.call(client, 'connect', () => {
    if (client.isOpen) return;
    // The handshake is queued after `connect` returns (v5 awaits a few promises first).
    setImmediate(() => flushQueue(client));
  });
  on.call(client, 'ready', () => {
    if (client.isOpen || !hasMethods(client, '_ejectSocket', '_insertSocket')) return;
    const handle = client as unknown as SocketEjecting;
    const socket = handle._ejectSocket();
    try {
      socket.destroySocket?.();
    } finally {
      handle._insertSocket(socket);
    }
  });
}

/**
 * Drops the client: `destroy()` (v5) or `disconnect()` (v4) reject pending commands and destroy
 * the socket. Resolves on `end`; with `settled`, also once v4 has cleared its isolation pool
 * (the extra connections of `executeIsolated()`, which it waits for while they are lent out).
 */
function dropNodeRedis(client: NodeRedisLike, settled: boolean): Promise<unknown> {
  if (!client.isOpen) return Promise.resolve();
  const ended = whenEvent(client, 'end');
  closeLateConnection(client);
  if (typeof client.destroy === 'function') {
    client.destroy();
    return ended;
  }
  const disconnected = client.disconnect!().catch(() => undefined);
  return settled ? Promise.all([ended, disconnected]) : ended;
}

/**
 * Graceful close: a PING, whose reply comes after every pending one, then a drop. That is what
 * `close()` / `quit()` do, except that those mark the client closed at once: a later `destroy()`
 * then throws ClientClosedError and leaves the socket open until a reply that may never come
 * (the node-redis trap), so they would leave no forced path. A client that is open but not ready
 * is reconnecting or in its handshake (where `quit()` would wait for ever): it is dropped at once.
 */
async function closeNodeRedis(client: NodeRedisLike): Promise<void> {
  if (client.isReady === true) {
    try {
      await (client.sendCommand as (args: string[]) => Promise<unknown>)(['PING']);
    } catch {
      // A client in RESP2 pub/sub mode refuses PING: nothing more to wait for.
    }
  }
  await dropNodeRedis(client, true);
}

/** Forced close: the same drop without waiting for pending replies or for v4's isolation pool. */
async function forceNodeRedis(client: NodeRedisLike): Promise<void> {
  await dropNodeRedis(client, false);
}

/**
 * node-redis client (`redis` / `@redis/client` 4 and 5): waits for pending replies (a PING
 * round trip), then `destroy()` (v5) or `disconnect()` (v4); the forced close does the same
 * without waiting. A client that is reconnecting or in its handshake is dropped at once, and a
 * reconnection already under way when it is dropped is closed when it lands. `isOpen === false`
 * means already closed (or never connected).
 */
export const nodeRedisAdapter = defineAdapter<NodeRedisLike>({
  name: 'node-redis client',
  kind: 'engine',
  matches: isNodeRedis,
  isClosed: (client) => !client.isOpen,
  close: closeNodeRedis,
  forceClose: forceNodeRedis,
  describe: (client) => {
    const options = asObject(client.options) ?? {};
    const socket = asObject(options.socket) ?? {};
    const fromUrl = endpointFromUrl(options.url);
    const name = typeof options.name === 'string' && options.name !== '' ? `"${options.name}", ` : '';
    const state = client.isReady === true ? 'ready' : client.isOpen ? 'connecting' : 'closed';
    return describeEndpoint(
      'node-redis',
      {
        host: first(socket.host, socket.path, fromUrl.host) as string | undefined,
        port: socket.path === undefined ? first(socket.port, fromUrl.port) : undefined,
        database: first(options.database, fromUrl.database),
      },
      `${name}${state}`,
    );
  },
});
