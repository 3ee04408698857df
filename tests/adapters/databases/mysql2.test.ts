import mysql from 'mysql2';
import mysqlPromise from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mysql2ConnectionAdapter, mysql2PoolAdapter } from '../../../src/adapters/databases/mysql2.js';
import { ResourceRegistry } from '../../../src/registry/resource-registry.js';
import { baselineHandles, handlesBackTo, eventually, MARIADB, serviceAvailable } from './_services.js';

const available = await serviceAvailable(MARIADB);
const base = { host: MARIADB.host, port: MARIADB.port, user: 'root', password: '', database: 'test' };
let admin: mysqlPromise.Connection;

beforeAll(async () => {
  if (available) admin = await mysqlPromise.createConnection(base);
});

afterAll(async () => {
  await admin?.end();
});

/** How many of the given server thread ids are still in the process list. */
async function alive(threadIds: number[]): Promise<number> {
  if (threadIds.length === 0) return 0;
  const [rows] = await admin.query(`SELECT ID FROM information_schema.processlist WHERE ID IN (${threadIds.map(Number).join(',')})`);
  return (rows as unknown[]).length;
}

const gone = (ids: number[]): Promise<number> => eventually(() => alive(ids), (n) => n === 0, 20_000);

async function threadIdsOf(pool: mysqlPromise.Pool, n: number): Promise<number[]> {
  const connections = await Promise.all(Array.from({ length: n }, () => pool.getConnection()));
  const ids = connections.map((connection) => connection.threadId);
  for (const connection of connections) connection.release();
  return ids;
}

describe.skipIf(!available)('mysql2PoolAdapter', () => {
  it('ends a promise pool and every server connection it opened', async () => {
    const handlesBefore = await baselineHandles();
    const registry = new ResourceRegistry({ name: 'mysql2' });
    const pool = mysqlPromise.createPool({ ...base, connectionLimit: 4 });
    const ids = await threadIdsOf(pool, 3);
    expect(await alive(ids)).toBe(3);

    expect(registry.register(pool).name).toBe('mysql2 pool 127.0.0.1:3306/test (3 connections)');
    const report = await registry.cleanupAll();

    expect(report.disposed.map((outcome) => outcome.phase)).toEqual(['graceful']);
    expect(await gone(ids)).toBe(0);
    expect(await handlesBackTo(handlesBefore)).toBe(handlesBefore);
  });

  it('forces a callback pool whose end() waits behind a query in flight', async () => {
    const handlesBefore = await baselineHandles();
    const registry = new ResourceRegistry({ name: 'mysql2' });
    const pool = mysql.createPool({ ...base, connectionLimit: 2 });
    const ids = await threadIdsOf(pool.promise(), 1);
    const slow = new Promise((resolve) => pool.query('SELECT SLEEP(60)', (error) => resolve(error)));
    await eventually(() => alive(ids), (n) => n === 1);

    registry.register(pool, { timeoutMs: 300 });
    const report = await registry.cleanupAll();

    expect(report.ok).toBe(true);
    expect(report.forced).toHaveLength(1);
    expect(await slow).toBeInstanceOf(Error);
    // MariaDB notices the closed socket at SLEEP()'s next connection check.
    expect(await gone(ids)).toBe(0);
    expect(await handlesBackTo(handlesBefore)).toBe(handlesBefore);
  });

  it('does not end twice a pool its owner already ended', async () => {
    const registry = new ResourceRegistry({ name: 'mysql2' });
    const pool = mysqlPromise.createPool(base);
    await pool.query('SELECT 1');
    await pool.end();
    registry.register(pool);
    const report = await registry.cleanupAll();
    // 'closed' once the sockets are gone, 'graceful' when it waited for them to go.
    expect(report.disposed).toHaveLength(1);
    expect(report.failed).toHaveLength(0);
  });

  it('describes host, port and database without the password, from options or a URL', async () => {
    const fromOptions = mysqlPromise.createPool({ ...base, password: 's3cret-pw' });
    const fromUrl = mysqlPromise.createPool({ uri: 'mysql://alice:s3cret-pw@127.0.0.1:3306/test' });
    for (const pool of [fromOptions, fromUrl]) {
      const text = mysql2PoolAdapter.describe!(pool as never);
      expect(text).toContain('mysql2 pool 127.0.0.1:3306/test');
      expect(text).not.toContain('s3cret-pw');
      expect(text).not.toContain('alice');
      await pool.end();
    }
  });
});

describe.skipIf(!available)('mysql2ConnectionAdapter', () => {
  it('ends a connection, callback or promise API', async () => {
    const handlesBefore = await baselineHandles();
    const registry = new ResourceRegistry({ name: 'mysql2' });
    const promised = await mysqlPromise.createConnection(base);
    const callback = mysql.createConnection(base);
    await callback.promise().query('SELECT 1');
    const ids = [promised.threadId, callback.threadId!];

    expect(registry.register(promised).name).toBe('mysql2 connection 127.0.0.1:3306/test');
    expect(registry.register(callback).name).toBe('mysql2 connection 127.0.0.1:3306/test');
    const report = await registry.cleanupAll();

    expect(report.disposed.map((outcome) => outcome.phase)).toEqual(['graceful', 'graceful']);
    expect(await gone(ids)).toBe(0);
    expect(await handlesBackTo(handlesBefore)).toBe(handlesBefore);
  });

  it('destroys a connection whose end() waits behind a query in flight', async () => {
    const handlesBefore = await baselineHandles();
    const registry = new ResourceRegistry({ name: 'mysql2' });
    const connection = await mysqlPromise.createConnection(base);
    const id = connection.threadId;
    const slow = connection.query('SELECT SLEEP(60)').catch((error: unknown) => error);
    await eventually(async () => {
      const [rows] = await admin.query('SELECT INFO FROM information_schema.processlist WHERE ID = ?', [id]);
      return (rows as { INFO: string | null }[])[0]?.INFO ?? '';
    }, (info) => info.includes('SLEEP'));

    registry.register(connection, { timeoutMs: 300 });
    const report = await registry.cleanupAll();

    expect(report.ok).toBe(true);
    expect(report.forced).toHaveLength(1);
    expect(await slow).toBeInstanceOf(Error);
    expect(await gone([id])).toBe(0);
    expect(await handlesBackTo(handlesBefore)).toBe(handlesBefore);
  });

  it('describes a connection made from a URL without its password', async () => {
    const connection = mysql.createConnection({ uri: 'mysql://root:s3cret-pw@127.0.0.1:3306/test' });
    connection.on('error', () => undefined);
    const text = mysql2ConnectionAdapter.describe!(connection as never);
    expect(text).toBe('mysql2 connection 127.0.0.1:3306/test');
    connection.destroy();
  });
});
