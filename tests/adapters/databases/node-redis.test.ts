import { Redis } from 'ioredis';
import * as redis5 from 'redis';
import * as redis4 from 'redis4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ioredisAdapter } from '../../../src/adapters/databases/ioredis.js';
import { nodeRedisAdapter } from '../../../src/adapters/databases/node-redis.js';
import { ResourceRegistry } from '../../../src/registry/resource-registry.js';
import { baselineHandles, handlesBackTo, eventually, REDIS, serviceAvailable, silentServer, uniqueName } from './_services.js';

const available = await serviceAvailable(REDIS);
let admin: Redis;

beforeAll(async () => {
  if (!available) return;
  admin = new Redis({ host: REDIS.host, port: REDIS.port, connectionName: 'custodian-node-redis-test-admin' });
  await admin.ping();
});

afterAll(async () => {
  await admin?.quit();
});

/** Connections the Redis server holds for clients named `name`, from CLIENT LIST. */
async function redisClients(name: string): Promise<number> {
  const list = (await admin.client('LIST')) as string;
  return list.split('\n').filter((line) => line.includes(` name=${name} `)).length;
}

/** What the tests use of a node-redis client; the two majors' own types differ in their generics. */
interface TestClient {
  readonly isOpen: boolean;
  readonly isReady: boolean;
  connect(): Promise<unknown>;
  ping(): Promise<unknown>;
  set(key: string, value: string): Promise<unknown>;
  get(key: string): Promise<unknown>;
  del(key: string): Promise<unknown>;
  quit(): Promise<unknown>;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  once(event: string, listener: (...args: unknown[]) => void): unknown;
  executeIsolated?: (fn: (isolated: TestClient) => Promise<unknown>) => Promise<unknown>;
}

interface Driver {
  readonly label: string;
  readonly createClient: (options?: Record<string, unknown>) => TestClient;
  /**
   * Whether a client without handshake commands, whose reconnection lands after it was
   * dropped, can be closed at all: node-redis 4 keeps that socket where nothing reaches it.
   */
  readonly closesLateReadySocket: boolean;
}

const drivers: Driver[] = [
  { label: 'node-redis 4', createClient: redis4.createClient as unknown as Driver['createClient'], closesLateReadySocket: false },
  { label: 'node-redis 5', createClient: redis5.createClient as unknown as Driver['createClient'], closesLateReadySocket: true },
];

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

for (const { label, createClient, closesLateReadySocket } of drivers) {
  describe.skipIf(!available)(`nodeRedisAdapter (${label})`, () => {
    it('closes a client that was used and leaked, and every server connection it opened', async () => {
      const handlesBefore = await baselineHandles();
      const name = uniqueName('node-redis');
      const baseline = await redisClients(name);
      const registry = new ResourceRegistry({ name: 'node-redis' });
      const client = createClient({ socket: { host: REDIS.host, port: REDIS.port }, name });
      await client.connect();
      await client.set(`${name}:key`, '1');
      expect(await client.get(`${name}:key`)).toBe('1');
      let opened = 1;
      if (client.executeIsolated !== undefined) {
        // node-redis 4 only: an isolation pool with connections of its own, closed by disconnect().
        await client.executeIsolated((isolated) => isolated.ping());
        opened++;
      }
      expect(await redisClients(name)).toBe(baseline + opened);

      const registration = registry.register(client);
      expect(registration.name).toBe(`node-redis 127.0.0.1:6379 ("${name}", ready)`);
      const report = await registry.cleanupAll();

      expect(report.disposed.map((outcome) => outcome.phase)).toEqual(['graceful']);
      expect(client.isOpen).toBe(false);
      expect(await eventually(() => redisClients(name), (n) => n === baseline)).toBe(baseline);
      expect(await handlesBackTo(handlesBefore)).toBe(handlesBefore);
      await admin.del(`${name}:key`);
    });

    it('destroys by force a client whose pending reply never comes', async () => {
      await using server = await silentServer();
      const handlesBefore = await baselineHandles();
      const registry = new ResourceRegistry({ name: 'node-redis' });
      // No CLIENT SETINFO handshake: the client is ready once TCP connects, then nothing answers.
      const client = createClient({ socket: { host: '127.0.0.1', port: server.port, reconnectStrategy: false }, disableClientInfo: true });
      client.on('error', () => undefined);
      await client.connect();
      const pending = client.ping().catch((error: unknown) => error);

      registry.register(client, { timeoutMs: 300 });
      const report = await registry.cleanupAll();

      expect(report.ok).toBe(true);
      expect(report.forced).toHaveLength(1);
      expect(await pending).toBeInstanceOf(Error);
      expect(await eventually(async () => server.connected(), (n) => n === 0)).toBe(0);
      expect(await handlesBackTo(handlesBefore, () => server.sockets.size)).toBe(handlesBefore);
    });

    it('drops at once a client whose handshake is never answered', async () => {
      await using server = await silentServer();
      const registry = new ResourceRegistry({ name: 'node-redis' });
      const client = createClient({ socket: { host: '127.0.0.1', port: server.port, reconnectStrategy: false } });
      client.on('error', () => undefined);
      const connecting = client.connect().catch((error: unknown) => error);
      await eventually(async () => server.sockets.size, (n) => n === 1);

      registry.register(client, { timeoutMs: 300 });
      const report = await registry.cleanupAll();

      expect(report.ok).toBe(true);
      expect(client.isOpen).toBe(false);
      expect(await connecting).toBeInstanceOf(Error);
      expect(await eventually(async () => server.connected(), (n) => n === 0)).toBe(0);
    });

    it('closes a client that reconnects for ever to a port that accepts and never answers', async () => {
      await using server = await silentServer();
      const handlesBefore = await baselineHandles();
      const registry = new ResourceRegistry({ name: 'node-redis' });
      // Each connection is reset before the handshake is answered, so the client reconnects
      // without end; quit() would wait for a reply that never comes.
      server.dropAfter(30);
      const client = createClient({ socket: { host: '127.0.0.1', port: server.port, reconnectStrategy: () => 20 } });
      client.on('error', () => undefined);
      void client.connect().catch(() => undefined);
      await eventually(async () => server.accepted(), (n) => n >= 3);

      registry.register(client, { timeoutMs: 300 });
      const report = await registry.cleanupAll();

      expect(report.ok).toBe(true);
      expect(report.timedOut).toHaveLength(0);
      expect(client.isOpen).toBe(false);
      expect(await eventually(async () => server.connected(), (n) => n === 0)).toBe(0);
      // No reconnection is scheduled any more: nothing new reaches the server.
      const accepted = server.accepted();
      await pause(300);
      expect(server.accepted()).toBe(accepted);
      expect(server.connected()).toBe(0);
      expect(await handlesBackTo(handlesBefore, () => server.sockets.size)).toBe(handlesBefore);
    });

    const handshakes = [{ handshake: 'CLIENT SETINFO', disableClientInfo: false }];
    if (closesLateReadySocket) handshakes.push({ handshake: 'no', disableClientInfo: true });
    for (const { handshake, disableClientInfo } of handshakes) {
      it(`leaves no connection behind when dropped while a reconnection is connecting (${handshake} handshake)`, async () => {
        await using server = await silentServer();
        const handlesBefore = await baselineHandles();
        const registry = new ResourceRegistry({ name: 'node-redis' });
        server.dropAfter(20);
        const client = createClient({ socket: { host: '127.0.0.1', port: server.port, reconnectStrategy: () => 20 }, disableClientInfo });
        const events: string[] = [];
        client.on('error', () => undefined);
        for (const event of ['connect', 'end']) client.on(event, () => events.push(event));
        void client.connect().catch(() => undefined);
        // 'reconnecting' is emitted just before the next TCP connect starts; from then on the
        // server holds every connection open, so one the client failed to close stays visible.
        await new Promise<void>((resolve) => client.once('reconnecting', () => resolve()));
        server.dropAfter(undefined);

        registry.register(client);
        const report = await registry.cleanupAll();

        expect(report.ok).toBe(true);
        expect(client.isOpen).toBe(false);
        // The reconnection landed after the drop: `end`, then `connect`.
        expect(await eventually(async () => events.slice(-2).join(), (text) => text === 'end,connect')).toBe('end,connect');
        expect(await eventually(async () => server.connected(), (n) => n === 0)).toBe(0);
        expect(server.accepted()).toBe(2);
        expect(await handlesBackTo(handlesBefore, () => server.sockets.size)).toBe(handlesBefore);
      });
    }

    it('counts a client that never connected, or that its owner quit, as closed', async () => {
      const registry = new ResourceRegistry({ name: 'node-redis' });
      const quitByOwner = createClient({ socket: { host: REDIS.host, port: REDIS.port } });
      await quitByOwner.connect();
      await quitByOwner.quit();
      registry.register(createClient({ socket: { host: REDIS.host, port: REDIS.port } }));
      registry.register(quitByOwner);
      const report = await registry.cleanupAll();
      expect(report.disposed.map((outcome) => outcome.phase)).toEqual(['closed', 'closed']);
    });

    it('describes host, port and database without the password, from options or a URL', () => {
      const fromOptions = createClient({ socket: { host: REDIS.host, port: REDIS.port }, database: 3, username: 'alice', password: 's3cret-pw' });
      const fromUrl = createClient({ url: 'redis://alice:s3cret-pw@127.0.0.1:6379/3' });
      for (const client of [fromOptions, fromUrl]) {
        const text = nodeRedisAdapter.describe!(client as never);
        expect(text).toBe('node-redis 127.0.0.1:6379/3 (closed)');
        expect(text).not.toContain('s3cret-pw');
        expect(text).not.toContain('alice');
      }
    });

    it('is not mistaken for an ioredis client, nor the reverse', () => {
      const client = createClient();
      const other = new Redis({ lazyConnect: true });
      expect(nodeRedisAdapter.matches(client)).toBe(true);
      expect(ioredisAdapter.matches(client)).toBe(false);
      expect(nodeRedisAdapter.matches(other)).toBe(false);
      other.disconnect();
    });
  });
}
