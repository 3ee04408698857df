import { readFile } from 'node:fs/promises';
import { Redis, Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ioredisAdapter, ioredisClusterAdapter } from '../../../src/adapters/databases/ioredis.js';
import { ResourceRegistry } from '../../../src/registry/resource-registry.js';
import { clusterNodeClients, redisClusterAvailable, startRedisCluster, type RedisCluster } from './_redis-cluster.js';
import { baselineHandles, handlesBackTo, eventually, REDIS, serviceAvailable, silentServer, uniqueName } from './_services.js';

const available = await serviceAvailable(REDIS);
let admin: Redis;

beforeAll(async () => {
  if (!available) return;
  admin = new Redis({ host: REDIS.host, port: REDIS.port, connectionName: 'custodian-ioredis-test-admin' });
  await admin.ping();
});

afterAll(async () => {
  await admin?.quit();
});

/** Connections the Redis server holds for clients named `name`, from CLIENT LIST. */
export async function redisClients(redis: Redis, name: string): Promise<number> {
  const list = (await redis.client('LIST')) as string;
  return list.split('\n').filter((line) => line.includes(` name=${name} `)).length;
}

describe.skipIf(!available)('ioredisAdapter', () => {
  it('quits a ready client and its server connection', async () => {
    const handlesBefore = await baselineHandles();
    const name = uniqueName('ioredis');
    const registry = new ResourceRegistry({ name: 'ioredis' });
    const client = new Redis({ host: REDIS.host, port: REDIS.port, connectionName: name });
    await client.set(`${name}:key`, '1');
    expect(await redisClients(admin, name)).toBe(1);

    registry.register(client);
    const report = await registry.cleanupAll();

    expect(report.disposed.map((outcome) => outcome.phase)).toEqual(['graceful']);
    expect(client.status).toBe('end');
    expect(await eventually(() => redisClients(admin, name), (n) => n === 0)).toBe(0);
    expect(await handlesBackTo(handlesBefore)).toBe(handlesBefore);
    await admin.del(`${name}:key`);
  });

  it('disconnects by force a client whose QUIT never gets an answer', async () => {
    await using server = await silentServer();
    const handlesBefore = await baselineHandles();
    const registry = new ResourceRegistry({ name: 'ioredis' });
    // Without the ready check and the CLIENT SETINFO handshake, the client is "ready" as soon as
    // TCP connects; then nothing answers.
    const client = new Redis({ host: '127.0.0.1', port: server.port, enableReadyCheck: false, disableClientInfo: true });
    client.on('error', () => undefined);
    await eventually(async () => client.status, (status) => status === 'ready');

    registry.register(client, { timeoutMs: 300 });
    const report = await registry.cleanupAll();

    expect(report.ok).toBe(true);
    expect(report.forced).toHaveLength(1);
    expect(client.status).toBe('end');
    expect(await eventually(async () => server.connected(), (n) => n === 0)).toBe(0);
    expect(await handlesBackTo(handlesBefore, () => server.sockets.size)).toBe(handlesBefore);
  });

  it('closes a client whose handshake is never answered', async () => {
    await using server = await silentServer();
    const handlesBefore = await baselineHandles();
    const registry = new ResourceRegistry({ name: 'ioredis' });
    const client = new Redis({ host: '127.0.0.1', port: server.port, connectionName: uniqueName('handshake') });
    client.on('error', () => undefined);
    await eventually(async () => server.sockets.size, (n) => n === 1);

    registry.register(client, { timeoutMs: 300 });
    const report = await registry.cleanupAll();

    expect(report.ok).toBe(true);
    expect(await eventually(async () => server.connected(), (n) => n === 0)).toBe(0);
    expect(await handlesBackTo(handlesBefore, () => server.sockets.size)).toBe(handlesBefore);
  });

  it('disconnects at once a client that is reconnecting, where QUIT would wait forever', async () => {
    await using server = await silentServer();
    const registry = new ResourceRegistry({ name: 'ioredis' });
    const client = new Redis({ host: '127.0.0.1', port: server.port, connectTimeout: 200, retryStrategy: () => 50 });
    client.on('error', () => undefined);
    await eventually(async () => client.status, (status) => status === 'reconnecting' || status === 'connect' || status === 'connecting');

    registry.register(client);
    const report = await registry.cleanupAll();

    expect(report.ok).toBe(true);
    expect(report.disposed).toHaveLength(1);
    expect(client.status).toBe('end');
    // No reconnection is scheduled afterwards: the status stays at end.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(client.status).toBe('end');
  });

  it('counts a client whose status is end as closed', async () => {
    const registry = new ResourceRegistry({ name: 'ioredis' });
    const client = new Redis({ host: REDIS.host, port: REDIS.port });
    await client.quit();
    await eventually(async () => client.status, (status) => status === 'end');
    registry.register(client);
    const report = await registry.cleanupAll();
    expect(report.disposed.map((outcome) => outcome.phase)).toEqual(['closed']);
  });

  it('describes host, port and db without the password, from options or a URL', async () => {
    const fromOptions = new Redis({ host: REDIS.host, port: REDIS.port, db: 2, password: 's3cret-pw', lazyConnect: true });
    const fromUrl = new Redis('redis://alice:s3cret-pw@127.0.0.1:6379/2', { lazyConnect: true });
    for (const client of [fromOptions, fromUrl]) {
      const text = ioredisAdapter.describe!(client as never);
      expect(text).toContain('ioredis 127.0.0.1:6379/2');
      expect(text).not.toContain('s3cret-pw');
      expect(text).not.toContain('alice');
      client.disconnect();
    }
  });
});

describe('ioredisClusterAdapter', () => {
  it('recognises a Cluster (and not as a single client) and closes one that never connected', async () => {
    const cluster = new Cluster([{ host: '127.0.0.1', port: 1 }], { lazyConnect: true });
    expect(ioredisClusterAdapter.matches(cluster)).toBe(true);
    expect(ioredisAdapter.matches(cluster)).toBe(false);
    expect(ioredisClusterAdapter.describe!(cluster as never)).toBe('ioredis cluster 127.0.0.1:1 (1 node, wait)');

    const registry = new ResourceRegistry({ name: 'ioredis' });
    registry.register(cluster);
    const report = await registry.cleanupAll();
    expect(report.ok).toBe(true);
    expect(cluster.status).toBe('end');
  });

  it('closes at once a Cluster that reaches no node and keeps reconnecting', async () => {
    const registry = new ResourceRegistry({ name: 'ioredis' });
    // ioredis never moves a cluster disconnected while reconnecting to 'end': waiting for it hung.
    const cluster = new Cluster([{ host: '127.0.0.1', port: 1 }], { clusterRetryStrategy: () => 20 });
    cluster.on('error', () => undefined);
    let attempts = 0;
    cluster.on('connecting', () => attempts++);
    await eventually(async () => attempts, (n) => n >= 3);

    registry.register(cluster, { timeoutMs: 1000 });
    const report = await registry.cleanupAll();

    expect(report.disposed.map((outcome) => outcome.phase)).toEqual(['graceful']);
    const after = attempts;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(attempts).toBe(after);
    expect(ioredisClusterAdapter.isClosed!(cluster as never)).toBe(true);
  });
});

const clusterAvailable = redisClusterAvailable();

describe.skipIf(!clusterAvailable)('ioredisClusterAdapter (a real 3-node cluster)', () => {
  let redisCluster: RedisCluster;
  const startupNodes = (): { host: string; port: number }[] => redisCluster.nodes.map(({ host, port }) => ({ host, port }));
  const nodeClients = (): Promise<number[]> => Promise.all(redisCluster.nodes.map(clusterNodeClients));
  const backTo = (baseline: number[]): Promise<number[]> => eventually(nodeClients, (counts) => counts.join() === baseline.join());

  beforeAll(async () => {
    redisCluster = await startRedisCluster(3);
  }, 60_000);

  afterAll(async () => {
    await redisCluster?.[Symbol.asyncDispose]();
  }, 30_000);

  /** A process's state letter from /proc (`T` once SIGSTOP has taken effect). */
  async function processState(pid: number): Promise<string> {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0]!;
  }

  /** A key per slot range of each node (the slots split evenly, in node order). */
  async function useEveryNode(cluster: Cluster): Promise<void> {
    for (let i = 0; i < 30; i++) await cluster.set(`custodian:${i}`, String(i));
    expect(await cluster.get('custodian:7')).toBe('7');
  }

  it('closes a Cluster that was used and leaked, and every node connection it opened', async () => {
    const handlesBefore = await baselineHandles();
    const baseline = await nodeClients();
    const registry = new ResourceRegistry({ name: 'ioredis' });
    const cluster = new Cluster(startupNodes(), { redisOptions: { connectionName: uniqueName('cluster') } });
    await useEveryNode(cluster);
    await cluster.subscribe('custodian-channel');
    const used = await nodeClients();
    for (const [index, count] of used.entries()) expect(count).toBeGreaterThan(baseline[index]!);

    const registration = registry.register(cluster);
    for (const { host, port } of redisCluster.nodes) expect(registration.name).toContain(`${host}:${port}`);
    expect(registration.name).toMatch(/\(".*", 3 nodes, ready\)$/);
    const report = await registry.cleanupAll();

    expect(report.disposed.map((outcome) => outcome.phase)).toEqual(['graceful']);
    expect(ioredisClusterAdapter.isClosed!(cluster as never)).toBe(true);
    expect(await backTo(baseline)).toEqual(baseline);
    expect(await handlesBackTo(handlesBefore)).toBe(handlesBefore);
  });

  it('forces a Cluster one of whose nodes stopped answering', async () => {
    const handlesBefore = await baselineHandles();
    const baseline = await nodeClients();
    const registry = new ResourceRegistry({ name: 'ioredis' });
    const cluster = new Cluster(startupNodes());
    await useEveryNode(cluster);
    const stopped = redisCluster.nodes[1]!.process;
    // A stopped process still has its connections accepted by the kernel: quit() and PING wait.
    stopped.kill('SIGSTOP');
    try {
      registry.register(cluster, { timeoutMs: 300 });
      const report = await registry.cleanupAll();

      expect(report.ok).toBe(true);
      expect(report.forced.map((outcome) => outcome.phase)).toEqual(['forced']);
      expect(ioredisClusterAdapter.isClosed!(cluster as never)).toBe(true);
      expect(await handlesBackTo(handlesBefore)).toBe(handlesBefore);
    } finally {
      stopped.kill('SIGCONT');
    }
    expect(await backTo(baseline)).toEqual(baseline);
  });

  it('reaches by force a node connection that disconnect() already took out of the pool', async () => {
    const baseline = await nodeClients();
    const registry = new ResourceRegistry({ name: 'ioredis' });
    const cluster = new Cluster(startupNodes());
    await useEveryNode(cluster);
    const target = redisCluster.nodes[2]!;
    const connection = cluster.nodes('all').find((node) => node.options.port === target.port)!;
    // Fault injection: the node stops once it has answered the graceful PING, so the FIN of
    // disconnect() is never answered, and the pool is already empty when the forced close runs.
    const ping = connection.ping.bind(connection) as () => Promise<string>;
    Object.assign(connection, {
      ping: async () => {
        const reply = await ping();
        target.process.kill('SIGSTOP');
        await eventually(async () => processState(target.process.pid!), (state) => state === 'T', 5000);
        return reply;
      },
    });
    try {
      registry.register(cluster, { timeoutMs: 300 });
      const report = await registry.cleanupAll();

      expect(report.ok).toBe(true);
      expect(report.forced.map((outcome) => outcome.phase)).toEqual(['forced']);
      expect(connection.status).toBe('end');
    } finally {
      target.process.kill('SIGCONT');
    }
    expect(await backTo(baseline)).toEqual(baseline);
  });

  it('counts a Cluster its owner already quit as closed', async () => {
    const baseline = await nodeClients();
    const registry = new ResourceRegistry({ name: 'ioredis' });
    const cluster = new Cluster(startupNodes());
    await useEveryNode(cluster);
    await cluster.quit();
    await eventually(async () => cluster.status, (status) => status === 'end');

    registry.register(cluster);
    const report = await registry.cleanupAll();

    expect(report.disposed.map((outcome) => outcome.phase)).toEqual(['closed']);
    expect(await backTo(baseline)).toEqual(baseline);
  });

  it('describes the nodes by host:port, without the password, from options or URLs', () => {
    const [first, second, third] = redisCluster.nodes.map(({ host, port }) => ({ host, port }));
    const fromOptions = new Cluster([first!, second!, third!], { lazyConnect: true, redisOptions: { username: 'alice', password: 's3cret-pw' } });
    const fromUrls = new Cluster(
      [first!, second!, third!].map(({ host, port }) => `redis://alice:s3cret-pw@${host}:${port}`),
      { lazyConnect: true },
    );
    for (const cluster of [fromOptions, fromUrls]) {
      const text = ioredisClusterAdapter.describe!(cluster as never);
      expect(text).toBe(`ioredis cluster ${[first, second, third].map((node) => `${node!.host}:${node!.port}`).join(', ')} (3 nodes, wait)`);
      expect(text).not.toContain('s3cret-pw');
      expect(text).not.toContain('alice');
      cluster.disconnect();
    }
  });
});
