import { defineAdapter } from '../adapter.js';
import { asObject, count, describeEndpoint, destroyStream, endpointFromUrl, first, hasMethods, whenEvent, type Loose } from './_shape.js';

/** The parts of an `ioredis` client (Redis or Cluster) the adapter relies on. */
export interface IoredisLike extends Loose {
  status: string;
  quit(): Promise<unknown>;
  disconnect(reconnect?: boolean): void;
  options?: Loose;
}

/** The parts of an `ioredis` Cluster the adapter relies on. */
export interface IoredisClusterLike extends IoredisLike {
  startupNodes: unknown[];
  nodes(role?: string): unknown[];
}

function isIoredis(value: unknown): value is IoredisLike {
  return (
    hasMethods(value, 'quit', 'disconnect', 'duplicate', 'sendCommand') &&
    typeof value.status === 'string' &&
    asObject(value.connector) !== undefined
  );
}

function isIoredisCluster(value: unknown): value is IoredisClusterLike {
  return (
    hasMethods(value, 'quit', 'disconnect', 'nodes', 'sendCommand') &&
    typeof value.status === 'string' &&
    Array.isArray(value.startupNodes)
  );
}

/**
 * Graceful close: QUIT when the client is ready. A client that is connecting or reconnecting
 * would queue QUIT in its offline queue and wait for a server that may never answer (the
 * ioredis trap), so it is disconnected at once instead (and its socket destroyed by the forced
 * close if the server does not close its side either). Resolves once `end` is emitted: by then
 * the socket is gone and no reconnection is scheduled.
 */
function closeIoredis(client: IoredisLike): Promise<void> {
  const ended = whenEvent(client, 'end');
  if (client.status === 'ready') {
    return client.quit().then(
      () => ended,
      // QUIT can fail when the connection drops meanwhile; that still leaves nothing to close.
      (error: unknown) => (client.status === 'end' ? undefined : Promise.reject(error)),
    );
  }
  client.disconnect();
  return ended;
}

/**
 * Forced close: `disconnect()` drops pending replies and stops reconnecting, but it only ends
 * the socket politely (FIN) and waits for the server to close its side, which a server that
 * stopped answering never does: the socket is destroyed as well.
 */
function forceIoredis(client: IoredisLike): Promise<void> {
  if (client.status === 'end') return Promise.resolve();
  const ended = whenEvent(client, 'end');
  client.disconnect();
  void destroyStream(client.stream);
  return ended;
}

/**
 * `ioredis` client: QUIT when ready, `disconnect()` when connecting or reconnecting (QUIT would
 * wait forever there), and `disconnect()` plus a destroyed socket as the forced close when QUIT
 * gets no answer. `status === 'end'` means already closed. (ioredis 5 may set the status back to
 * `ready` after `end` when the handshake commands of a connection that never answered are
 * rejected; the socket stays closed and no reconnection follows.)
 */
export const ioredisAdapter = defineAdapter<IoredisLike>({
  name: 'ioredis client',
  kind: 'engine',
  matches: isIoredis,
  isClosed: (client) => client.status === 'end',
  close: closeIoredis,
  forceClose: forceIoredis,
  describe: (client) => {
    const options = asObject(client.options) ?? {};
    const name = typeof options.connectionName === 'string' && options.connectionName !== '' ? `"${options.connectionName}", ` : '';
    return describeEndpoint(
      'ioredis',
      {
        host: first(options.host, typeof options.path === 'string' ? options.path : undefined) as string | undefined,
        port: options.path === undefined ? first(options.port) : undefined,
        database: first(options.db),
      },
      `${name}${client.status}`,
    );
  },
});

/**
 * The node connections of a cluster seen so far. `disconnect()` empties the cluster's pool at
 * once, before those connections have closed, so a forced close that follows a graceful one
 * could no longer reach a node that never answered: they are kept here (weakly) from the first
 * look on. The pub/sub connection, when there is one, is among them.
 */
const knownNodes = new WeakMap<object, Set<IoredisLike>>();

function clusterConnections(cluster: IoredisClusterLike): IoredisLike[] {
  let known = knownNodes.get(cluster);
  if (known === undefined) knownNodes.set(cluster, (known = new Set()));
  for (const node of cluster.nodes('all')) if (asObject(node) !== undefined) known.add(node as IoredisLike);
  const subscriber = asObject(cluster.subscriber);
  const instance: unknown = typeof subscriber?.getInstance === 'function' ? (subscriber.getInstance as () => unknown).call(subscriber) : undefined;
  if (asObject(instance) !== undefined && typeof (instance as Loose).status === 'string') known.add(instance as IoredisLike);
  return [...known];
}

/**
 * Disconnects the cluster and resolves once each of its node connections has ended. Not on the
 * cluster's own `end`: after `disconnect()` ioredis emits it when the first node connection
 * ends, and never for a cluster disconnected while it held none (reconnecting, or resolving
 * its startup nodes).
 */
async function disconnectCluster(cluster: IoredisClusterLike, nodes: IoredisLike[]): Promise<void> {
  const ended = nodes.filter((node) => node.status !== 'end').map((node) => whenEvent(node, 'end'));
  cluster.disconnect();
  await Promise.all(ended);
}

/**
 * Whether a cluster holds nothing any more. Its status is not enough: a cluster closed by hand
 * (`disconnect()`, `quit()`) can stay in `close` for good (each node connection that ends after
 * the pool was emptied sets it again, after `end`), or in `disconnecting` when it held no node
 * connection at the time. Closed by hand and with an empty pool, it will not reconnect either.
 */
function isClusterClosed(cluster: IoredisClusterLike): boolean {
  if (cluster.status === 'end') return true;
  return (
    cluster.manuallyClosing === true &&
    (cluster.status === 'close' || cluster.status === 'disconnecting') &&
    cluster.nodes('all').length === 0
  );
}

/**
 * Graceful close of a cluster: a PING through every node connection that is ready (its reply
 * comes after the pending ones), then `disconnect()`. Not the cluster's `quit()`: that sends
 * QUIT through every node connection, connecting the idle (lazy) ones just for it and queueing
 * it behind the reconnection of a node that cannot be reached, where it waits for ever.
 */
async function closeIoredisCluster(cluster: IoredisClusterLike): Promise<void> {
  const nodes = clusterConnections(cluster);
  if (cluster.status === 'ready') {
    const ready = nodes.filter((node) => node.status === 'ready' && typeof node.ping === 'function');
    // A node in subscriber mode refuses PING: that is an answer too.
    await Promise.all(ready.map((node) => (node.ping as () => Promise<unknown>)().catch(() => undefined)));
  }
  await disconnectCluster(cluster, nodes);
}

/** Forced close of a cluster: `disconnect()`, and every node connection's socket destroyed. */
async function forceIoredisCluster(cluster: IoredisClusterLike): Promise<void> {
  const nodes = clusterConnections(cluster);
  const ended = disconnectCluster(cluster, nodes);
  for (const node of nodes) {
    node.disconnect();
    void destroyStream(node.stream);
  }
  await ended;
}

/** `host:port` of a startup node as ioredis accepts them (options, `host:port`, a URL, a port), without credentials. */
function startupNodeAddress(node: unknown): string {
  if (typeof node === 'number') return `127.0.0.1:${node}`;
  if (typeof node === 'string') {
    if (node.includes('://')) {
      const endpoint = endpointFromUrl(node);
      return `${endpoint.host ?? '127.0.0.1'}:${endpoint.port ?? 6379}`;
    }
    return node.replace(/^.*@/, '');
  }
  return optionsAddress(asObject(node));
}

/** `host:port` from connection options, with ioredis's defaults. */
function optionsAddress(options: Loose | undefined): string {
  return `${String(first(options?.host) ?? '127.0.0.1')}:${String(first(options?.port) ?? 6379)}`;
}

const LISTED_NODES = 4;

/**
 * `ioredis` Cluster: PING through each ready node connection, then `disconnect()` (the
 * cluster's `quit()` can wait for ever on a node it cannot reach); forced, every node
 * connection's socket is destroyed as well. Resolves once every node connection has ended.
 * Already closed: `status === 'end'`, or closed by hand with no node connection left (ioredis
 * may leave such a cluster in `close` or `disconnecting`).
 */
export const ioredisClusterAdapter = defineAdapter<IoredisClusterLike>({
  name: 'ioredis cluster',
  kind: 'engine',
  matches: isIoredisCluster,
  isClosed: isClusterClosed,
  close: closeIoredisCluster,
  forceClose: forceIoredisCluster,
  describe: (cluster) => {
    // The nodes it is connected to once it knows them, its startup nodes before that.
    const connected = cluster.nodes('all').map((node) => optionsAddress(asObject(asObject(node)?.options)));
    const addresses = connected.length > 0 ? connected : cluster.startupNodes.map(startupNodeAddress);
    const unique = [...new Set(addresses)];
    let where = unique.slice(0, LISTED_NODES).join(', ');
    if (unique.length > LISTED_NODES) where += `, +${unique.length - LISTED_NODES} more`;
    const redisOptions = asObject(asObject(cluster.options)?.redisOptions) ?? {};
    const name = typeof redisOptions.connectionName === 'string' && redisOptions.connectionName !== '' ? `"${redisOptions.connectionName}", ` : '';
    return `ioredis cluster ${where} (${name}${count(unique.length, 'node')}, ${cluster.status})`;
  },
});
