import knexFactory from 'knex';
import { describe, expect, it } from 'vitest';
import { knexAdapter } from '../../../src/adapters/databases/knex.js';
import { ResourceRegistry } from '../../../src/registry/resource-registry.js';
import { baselineHandles, handlesBackTo, eventually, POSTGRES, serviceAvailable, uniqueName, postgresBackends } from './_services.js';

const available = await serviceAvailable(POSTGRES);
const base = { host: POSTGRES.host, port: POSTGRES.port, user: 'postgres', database: 'test' };
const backends = postgresBackends(available, 'custodian-knex-test-admin');

describe.skipIf(!available)('knexAdapter', () => {
  it('destroys a knex instance and its pool connections', async () => {
    const handlesBefore = await baselineHandles();
    const name = uniqueName('knex');
    const registry = new ResourceRegistry({ name: 'knex' });
    const db = knexFactory({ client: 'pg', connection: { ...base, application_name: name }, pool: { min: 0, max: 3 } });
    await Promise.all([db.raw('SELECT pg_sleep(0.05)'), db.raw('SELECT pg_sleep(0.05)')]);
    expect(await backends(name)).toBe(2);

    const registration = registry.register(db);
    expect(registration.name).toBe('knex postgresql 127.0.0.1:5432/test (0 in use, 2 free)');
    const report = await registry.cleanupAll();

    expect(report.disposed.map((outcome) => outcome.phase)).toEqual(['graceful']);
    expect(await eventually(() => backends(name), (n) => n === 0)).toBe(0);
    expect(await handlesBackTo(handlesBefore)).toBe(handlesBefore);
  });

  it('forces a knex instance whose destroy() waits on a transaction that never ends', async () => {
    const handlesBefore = await baselineHandles();
    const name = uniqueName('knex-trx');
    const registry = new ResourceRegistry({ name: 'knex' });
    const db = knexFactory({ client: 'pg', connection: { ...base, application_name: name }, pool: { min: 0, max: 2 } });
    const trx = await db.transaction();
    await trx.raw('SELECT 1');
    expect(knexAdapter.matches(trx)).toBe(false);

    registry.register(db, { timeoutMs: 300 });
    const report = await registry.cleanupAll();

    expect(report.ok).toBe(true);
    expect(report.forced).toHaveLength(1);
    expect(await eventually(() => backends(name), (n) => n === 0)).toBe(0);
    expect(await handlesBackTo(handlesBefore)).toBe(handlesBefore);
    await expect(trx.raw('SELECT 1')).rejects.toThrow();
  });

  it('counts a destroyed knex instance as closed', async () => {
    const registry = new ResourceRegistry({ name: 'knex' });
    const db = knexFactory({ client: 'pg', connection: base });
    await db.destroy();
    registry.register(db);
    const report = await registry.cleanupAll();
    expect(report.disposed.map((outcome) => outcome.phase)).toEqual(['closed']);
  });

  it('describes the connection without the password, from options or a URL', async () => {
    const fromOptions = knexFactory({ client: 'pg', connection: { ...base, password: 's3cret-pw' } });
    const fromUrl = knexFactory({ client: 'pg', connection: 'postgres://alice:s3cret-pw@127.0.0.1:5432/test' });
    for (const db of [fromOptions, fromUrl]) {
      const text = knexAdapter.describe!(db as never);
      expect(text).toContain('knex postgresql 127.0.0.1:5432/test');
      expect(text).not.toContain('s3cret-pw');
      expect(text).not.toContain('alice');
      await db.destroy();
    }
  });
});
