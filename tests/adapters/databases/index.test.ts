import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUILTIN_ADAPTERS } from '../../../src/adapters/builtin.js';
import { asyncDisposableAdapter } from '../../../src/adapters/disposable.js';
import { databaseAdapters } from '../../../src/adapters/databases/index.js';

const LIBRARIES = ['pg', 'pg-pool', 'mysql2', 'ioredis', 'redis', '@redis/client', 'knex', 'typeorm', 'undici', 'ws', 'sqlite3', 'better-sqlite3'];

describe('databaseAdapters', () => {
  it('never imports the libraries it recognises (the core entry must load without them)', () => {
    const dir = join(import.meta.dirname, '../../../src/adapters/databases');
    for (const file of readdirSync(dir).filter((name) => name.endsWith('.ts'))) {
      const source = readFileSync(join(dir, file), 'utf8');
      const specifiers = [...source.matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)].map((match) => match[1]);
      expect(specifiers.filter((specifier) => LIBRARIES.includes(specifier!)), file).toEqual([]);
    }
  });

  it('is consulted before the generic Symbol.asyncDispose adapter', () => {
    const generic = BUILTIN_ADAPTERS.indexOf(asyncDisposableAdapter as never);
    for (const adapter of databaseAdapters) {
      const index = BUILTIN_ADAPTERS.indexOf(adapter);
      expect(index, adapter.name).toBeGreaterThanOrEqual(0);
      expect(index, adapter.name).toBeLessThan(generic);
    }
  });

  it('recognises each library object by exactly one adapter, the right one', async () => {
    const pg = (await import('pg')).default;
    const mysql = (await import('mysql2')).default;
    const mysqlPromise = (await import('mysql2/promise')).default;
    const { Redis, Cluster } = await import('ioredis');
    const { createClient } = await import('redis');
    const knex = (await import('knex')).default;
    const { DataSource } = await import('typeorm');
    const { DataSource: DataSource1 } = await import('typeorm1');
    const undici = await import('undici');
    const { WebSocket, WebSocketServer } = await import('ws');

    const mysqlConnection = mysql.createConnection({ host: '127.0.0.1', port: 1 });
    mysqlConnection.on('error', () => undefined);
    const webSocket = new WebSocket('ws://127.0.0.1:1');
    webSocket.on('error', () => undefined);
    const cases: [unknown, string][] = [
      [new pg.Pool(), 'pg pool'],
      [new pg.Client(), 'pg client'],
      [mysql.createPool({ host: '127.0.0.1', port: 1 }), 'mysql2 pool'],
      [mysqlPromise.createPool({ host: '127.0.0.1', port: 1 }), 'mysql2 pool'],
      [mysqlConnection, 'mysql2 connection'],
      [new Redis({ lazyConnect: true }), 'ioredis client'],
      [new Cluster([{ host: '127.0.0.1', port: 1 }], { lazyConnect: true }), 'ioredis cluster'],
      [createClient(), 'node-redis client'],
      [knex({ client: 'pg', connection: {} }), 'knex'],
      [new DataSource({ type: 'sqlite', database: ':memory:' }), 'typeorm data source'],
      [new DataSource1({ type: 'better-sqlite3', database: ':memory:' }), 'typeorm data source'],
      [new undici.Agent(), 'undici dispatcher'],
      [new undici.Pool('http://127.0.0.1:1'), 'undici dispatcher'],
      [new undici.Client('http://127.0.0.1:1'), 'undici dispatcher'],
      [new WebSocketServer({ noServer: true }), 'ws server'],
      [webSocket, 'ws websocket'],
    ];
    for (const [value, expected] of cases) {
      expect(databaseAdapters.filter((adapter) => adapter.matches(value)).map((adapter) => adapter.name)).toEqual([expected]);
    }
    mysqlConnection.destroy();
    webSocket.terminate();
    for (const [value] of cases) {
      const closable = value as { disconnect?: () => void; destroy?: () => unknown };
      if (value instanceof Redis || value instanceof Cluster) closable.disconnect!();
      else if (value instanceof undici.Dispatcher) await closable.destroy!();
    }
  });

  it('recognises nothing of plain objects, functions, or Node built-ins', async () => {
    const { Socket, Server } = await import('node:net');
    const { EventEmitter } = await import('node:events');
    const values: unknown[] = [{}, () => undefined, new EventEmitter(), new Socket(), new Server(), new AbortController(), { end() {}, query() {} }];
    for (const value of values) {
      expect(databaseAdapters.filter((adapter) => adapter.matches(value)).map((adapter) => adapter.name)).toEqual([]);
    }
  });
});
