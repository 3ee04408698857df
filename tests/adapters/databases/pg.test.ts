import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { pgClientAdapter, pgPoolAdapter } from '../../../src/adapters/databases/pg.js';
import { ResourceRegistry } from '../../../src/registry/resource-registry.js';
import { baselineHandles, handlesBackTo, eventually, POSTGRES, serviceAvailable, silentServer, uniqueName, postgresBackends } from './_services.js';

const available = await serviceAvailable(POSTGRES);
const base = { host: POSTGRES.host, port: POSTGRES.port, user: 'postgres', database: 'test' };

const backends = postgresBackends(available, 'custodian-pg-test-admin');

const gone = (name: string): Promise<number> => eventually(() => backends(name), (n) => n === 0);

describe.skipIf(!available)('pgPoolAdapter', () => {
  it('closes a pool and every server connection it opened', async () => {
    const handlesBefore = await baselineHandles();
    const name = uniqueName('pool');
    const registry = new ResourceRegistry({ name: 'pg' });
    const pool = new pg.Pool({ ...base, application_name: name, max: 5 });
    const clients = await Promise.all([pool.connect(), pool.connect(), pool.connect()]);
    for (const client of clients) client.release();
    expect(await backends(name)).toBe(3);

    const registration = registry.register(pool);
    expect(registration.kind).toBe('engine');
    const report = await registry.cleanupAll();

    expect(report.disposed.map((outcome) => outcome.phase)).toEqual(['graceful']);
    expect(pool.ended).toBe(true);
    expect(await gone(name)).toBe(0);
    expect(await handlesBackTo(handlesBefore)).toBe(handlesBefore);
  });

  it('forces a pool whose end() waits on a client that is never released', async () => {
    const handlesBefore = await baselineHandles();
    const name = uniqueName('checked-out');
    const registry = new ResourceRegistry({ name: 'pg' });
    const pool = new pg.Pool({ ...base, application_name: name, max: 2 });
    const leaked = await pool.connect();
    await leaked.query('SELECT 1');
    const idle = await pool.connect();
    idle.release();

    registry.register(pool, { timeoutMs: 300 });
    const report = await registry.cleanupAll();

    expect(report.ok).toBe(true);
    expect(report.forced).toHaveLength(1);
    expect(report.forced[0]!.phase).toBe('forced');
    expect(await gone(name)).toBe(0);
    expect(await handlesBackTo(handlesBefore)).toBe(handlesBefore);
    // The leaked client is dead: the code that checked it out gets an error, not a hang.
    await expect(leaked.query('SELECT 1')).rejects.toThrow();
  });

  it('counts a pool its owner already ended as closed, without a second end()', async () => {
    const registry = new ResourceRegistry({ name: 'pg' });
    const pool = new pg.Pool({ ...base, application_name: uniqueName('ended') });
    await pool.query('SELECT 1');
    await pool.end();

    registry.register(pool);
    const report = await registry.cleanupAll();

    expect(report.ok).toBe(true);
    expect(report.disposed.map((outcome) => outcome.phase)).toEqual(['closed']);
  });

  it('waits for a pool whose end() is already in progress instead of ending it twice', async () => {
    const name = uniqueName('ending');
    const registry = new ResourceRegistry({ name: 'pg' });
    const pool = new pg.Pool({ ...base, application_name: name });
    const client = await pool.connect();
    const ownerEnd = pool.end();
    registry.register(pool);
    const cleanup = registry.cleanupAll();
    client.release();

    const report = await cleanup;
    await ownerEnd;
    expect(report.disposed.map((outcome) => outcome.phase)).toEqual(['graceful']);
    expect(report.failed).toHaveLength(0);
    expect(await gone(name)).toBe(0);
  });

  it('describes host, port and database without the password, from options or a URL', () => {
    const fromOptions = new pg.Pool({ ...base, password: 's3cret-pw' });
    const fromUrl = new pg.Pool({ connectionString: 'postgres://alice:s3cret-pw@127.0.0.1:5432/test?sslmode=disable' });
    for (const pool of [fromOptions, fromUrl]) {
      const text = pgPoolAdapter.describe!(pool as never);
      expect(text).toContain('pg pool 127.0.0.1:5432/test');
      expect(text).not.toContain('s3cret-pw');
      expect(text).not.toContain('postgres://');
      expect(text).not.toContain('alice');
    }
  });
});

describe.skipIf(!available)('pgClientAdapter', () => {
  it('ends a connected client and its server backend', async () => {
    const handlesBefore = await baselineHandles();
    const name = uniqueName('client');
    const registry = new ResourceRegistry({ name: 'pg' });
    const client = new pg.Client({ ...base, application_name: name });
    await client.connect();
    await client.query('SELECT 1');
    expect(await backends(name)).toBe(1);

    const registration = registry.register(client);
    expect(registration.name).toBe('pg client 127.0.0.1:5432/test');
    const report = await registry.cleanupAll();

    expect(report.disposed.map((outcome) => outcome.phase)).toEqual(['graceful']);
    expect(await gone(name)).toBe(0);
    expect(await handlesBackTo(handlesBefore)).toBe(handlesBefore);
  });

  it('counts a client that never connected as closed', async () => {
    const registry = new ResourceRegistry({ name: 'pg' });
    registry.register(new pg.Client(base));
    const report = await registry.cleanupAll();
    expect(report.disposed.map((outcome) => outcome.phase)).toEqual(['closed']);
  });

  it('forces a client whose server never answers', async () => {
    await using server = await silentServer();
    const handlesBefore = await baselineHandles();
    const registry = new ResourceRegistry({ name: 'pg' });
    const client = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'postgres', password: 'nope' });
    // pg never settles connect() once the client is ended while connecting: not awaited.
    void client.connect().catch(() => undefined);
    await eventually(async () => server.sockets.size, (n) => n === 1);

    registry.register(client, { timeoutMs: 300 });
    const report = await registry.cleanupAll();

    expect(report.ok).toBe(true);
    expect(report.forced).toHaveLength(1);
    expect(await eventually(async () => server.connected(), (n) => n === 0)).toBe(0);
    expect(await handlesBackTo(handlesBefore, () => server.sockets.size)).toBe(handlesBefore);
  });

  it('is not mistaken for a pool, nor a pool for a client', () => {
    const pool = new pg.Pool(base);
    const client = new pg.Client(base);
    expect(pgPoolAdapter.matches(client)).toBe(false);
    expect(pgClientAdapter.matches(pool)).toBe(false);
    expect(pgPoolAdapter.matches(pool)).toBe(true);
    expect(pgClientAdapter.matches(client)).toBe(true);
  });
});
