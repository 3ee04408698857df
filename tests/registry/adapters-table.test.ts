import { afterEach, describe, expect, it } from 'vitest';
import { defineAdapter, type Adapter } from '../../src/adapters/adapter.js';
import { findAdapter, registerAdapter } from '../../src/adapters/table.js';
import { timeoutAdapter } from '../../src/adapters/timers.js';
import { ResourceRegistry } from '../../src/registry/resource-registry.js';
import { isCustodianError } from '../../src/errors.js';

class Connection {
  closed = false;
  close(): void {
    this.closed = true;
  }
}

const connectionAdapter = defineAdapter<Connection>({
  name: 'test connection',
  kind: 'socket',
  matches: (value): value is Connection => value instanceof Connection,
  close: (connection) => connection.close(),
  isClosed: (connection) => connection.closed,
  describe: () => 'test connection to db.local',
});

const handles: Disposable[] = [];
afterEach(() => {
  for (const handle of handles.splice(0)) handle[Symbol.dispose]();
});

function expectInvalid(action: () => unknown): void {
  let thrown: unknown;
  try {
    action();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(TypeError);
  expect(isCustodianError(thrown, 'ERR_INVALID_ARGUMENT')).toBe(true);
}

describe('defineAdapter', () => {
  it('returns the adapter it was given', () => {
    expect(defineAdapter(connectionAdapter)).toBe(connectionAdapter);
  });

  it('rejects adapters that are not objects, unnamed, without matches or close, or of an unknown kind', () => {
    const valid = { name: 'x', kind: 'other', matches: () => false, close: () => undefined } as const;
    expectInvalid(() => defineAdapter(null as unknown as Adapter<unknown>));
    expectInvalid(() => defineAdapter('adapter' as unknown as Adapter<unknown>));
    expectInvalid(() => defineAdapter({ ...valid, name: '' } as unknown as Adapter<unknown>));
    expectInvalid(() => defineAdapter({ ...valid, name: 42 } as unknown as Adapter<unknown>));
    expectInvalid(() => defineAdapter({ ...valid, matches: undefined } as unknown as Adapter<unknown>));
    expectInvalid(() => defineAdapter({ ...valid, close: 'close' } as unknown as Adapter<unknown>));
    expectInvalid(() => defineAdapter({ ...valid, forceClose: true } as unknown as Adapter<unknown>));
    expectInvalid(() => defineAdapter({ ...valid, isClosed: 1 } as unknown as Adapter<unknown>));
    expectInvalid(() => defineAdapter({ ...valid, describe: 'text' } as unknown as Adapter<unknown>));
    expectInvalid(() => defineAdapter({ ...valid, kind: 'database' } as unknown as Adapter<unknown>));
  });
});

describe('registerAdapter', () => {
  it('teaches the registry a resource it did not know', async () => {
    const registry = new ResourceRegistry();
    let thrown: unknown;
    try {
      registry.register(new Connection());
    } catch (error) {
      thrown = error;
    }
    expect(isCustodianError(thrown, 'ERR_UNSUPPORTED_RESOURCE')).toBe(true);

    handles.push(registerAdapter(connectionAdapter));
    const connection = new Connection();
    const registration = registry.register(connection);
    expect(registration.kind).toBe('socket');
    expect(registration.name).toBe('test connection to db.local');
    const report = await registry.cleanupAll();
    expect(report.disposed[0]).toMatchObject({ kind: 'socket', phase: 'graceful' });
    expect(connection.closed).toBe(true);
  });

  it('takes precedence over the built-in adapters, the most recent first', async () => {
    const closedBy: string[] = [];
    const custom = (name: string): Adapter<NodeJS.Timeout> =>
      defineAdapter<NodeJS.Timeout>({
        name,
        kind: 'task',
        matches: (value): value is NodeJS.Timeout => timeoutAdapter.matches(value),
        close: (timer) => {
          closedBy.push(name);
          clearTimeout(timer);
        },
      });
    const first = custom('first');
    const second = custom('second');
    handles.push(registerAdapter(first), registerAdapter(second));
    const timer = setTimeout(() => undefined, 60_000);
    expect(findAdapter(timer)).toBe(second);
    const registry = new ResourceRegistry();
    expect(registry.register(timer).kind).toBe('task');
    await registry.cleanupAll();
    expect(closedBy).toEqual(['second']);
  });

  it('is removed again when its handle is disposed', () => {
    const custom = defineAdapter<NodeJS.Timeout>({
      name: 'custom timer',
      kind: 'timer',
      matches: (value): value is NodeJS.Timeout => timeoutAdapter.matches(value),
      close: (timer) => clearTimeout(timer),
    });
    const timer = setTimeout(() => undefined, 60_000);
    try {
      {
        using _handle = registerAdapter(custom);
        expect(findAdapter(timer)).toBe(custom);
      }
      expect(findAdapter(timer)).toBe(timeoutAdapter);
      const handle = registerAdapter(custom);
      handle[Symbol.dispose]();
      handle[Symbol.dispose]();
      expect(findAdapter(timer)).toBe(timeoutAdapter);
    } finally {
      clearTimeout(timer);
    }
  });

  it('rejects a bad adapter without registering anything', () => {
    expectInvalid(() => registerAdapter({ name: 'broken', kind: 'other' } as unknown as Adapter<unknown>));
    expectInvalid(() => registerAdapter(undefined as unknown as Adapter<unknown>));
    expect(findAdapter({})).toBeUndefined();
  });

  it('finds no adapter for primitives', () => {
    expect(findAdapter(42)).toBeUndefined();
    expect(findAdapter('socket')).toBeUndefined();
    expect(findAdapter(null)).toBeUndefined();
  });
});
