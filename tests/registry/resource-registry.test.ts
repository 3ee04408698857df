import { describe, expect, it } from 'vitest';
import { once } from 'node:events';
import { createServer, type Server } from 'node:net';
import { CleanupError } from '../../src/registry/cleanup-error.js';
import { ResourceRegistry } from '../../src/registry/resource-registry.js';
import { isCustodianError } from '../../src/errors.js';
import { forceGc } from '../../src/memory/force-gc.js';

const never = (): Promise<never> => new Promise<never>(() => undefined);
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function busyWait(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // Blocks the thread on purpose: the disposer under test is slow before it even returns.
  }
}

describe('ResourceRegistry.cleanupAll', () => {
  it('disposes in reverse registration order', async () => {
    const registry = new ResourceRegistry();
    const order: number[] = [];
    for (let index = 0; index < 5; index++) registry.defer(() => order.push(index));
    const report = await registry.cleanupAll();
    expect(order).toEqual([4, 3, 2, 1, 0]);
    expect(report.ok).toBe(true);
    expect(report.disposed).toHaveLength(5);
  });

  it('runs every disposer even when earlier ones throw or hang', async () => {
    const registry = new ResourceRegistry({ timeoutMs: 50, forceTimeoutMs: 50 });
    const ran: string[] = [];
    registry.register({}, { name: 'first', dispose: () => void ran.push('first') });
    registry.register({}, { name: 'hangs', dispose: () => (ran.push('hangs'), never()) });
    registry.register({}, { name: 'throws',
      dispose: () => {
        ran.push('throws');
        throw new Error('boom');
      },
    });
    registry.register({}, { name: 'rejects', dispose: async () => (ran.push('rejects'), Promise.reject(new Error('nope'))) });
    const report = await registry.cleanupAll({ throwOnError: false });
    expect(ran).toEqual(['rejects', 'throws', 'hangs', 'first']);
    expect(report.ok).toBe(false);
    expect(report.failed.map((outcome) => outcome.name)).toEqual(['rejects', 'throws']);
    expect(report.timedOut.map((outcome) => outcome.name)).toEqual(['hangs']);
    expect(report.disposed.map((outcome) => outcome.name)).toEqual(['first']);
    expect(registry.size).toBe(0);
  });

  it('rejects with a CleanupError that carries the report when something failed', async () => {
    const registry = new ResourceRegistry({ name: 'db' });
    registry.register({}, { name: 'broken pool',
      dispose: () => {
        throw new Error('end() failed');
      },
    });
    const error: unknown = await registry.cleanupAll().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CleanupError);
    expect(isCustodianError(error, 'ERR_CLEANUP_FAILED')).toBe(true);
    const report = (error as CleanupError).report;
    expect(report.registry).toBe('db');
    expect(report.failed[0]?.name).toBe('broken pool');
    expect((report.failed[0]?.error as Error).message).toBe('end() failed');
  });

  it('keeps reverse order of starts with concurrency > 1 and never exceeds the bound', async () => {
    const registry = new ResourceRegistry();
    const started: number[] = [];
    let running = 0;
    let peak = 0;
    for (let index = 0; index < 12; index++) {
      registry.defer(async () => {
        started.push(index);
        running++;
        peak = Math.max(peak, running);
        await delay(5 + (index % 3) * 5);
        running--;
      });
    }
    const report = await registry.cleanupAll({ concurrency: 3 });
    expect(started).toEqual([11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
    expect(peak).toBe(3);
    expect(report.disposed).toHaveLength(12);
  });

  it('forces a close that misses its graceful deadline and reports it under forced', async () => {
    const registry = new ResourceRegistry();
    let signal: AbortSignal | undefined;
    let forced = false;
    registry.register({}, { name: 'slow',
      timeoutMs: 30,
      dispose: (_value, context) => {
        signal = context.signal;
        return never();
      },
      forceDispose: () => {
        forced = true;
      },
    });
    const report = await registry.cleanupAll();
    expect(forced).toBe(true);
    expect(signal?.aborted).toBe(true);
    expect(isCustodianError(signal?.reason, 'ERR_DISPOSE_TIMEOUT')).toBe(true);
    expect(report.ok).toBe(true);
    expect(report.forced).toHaveLength(1);
    expect(report.forced[0]).toMatchObject({ name: 'slow', status: 'forced', phase: 'forced' });
    expect(report.forced[0]!.durationMs).toBeGreaterThanOrEqual(25);
  });

  it('hands a close that first reads its signal after the deadline an aborted signal', async () => {
    const registry = new ResourceRegistry();
    let context: { signal: AbortSignal } | undefined;
    let seen: AbortSignal | undefined;
    registry.register({}, { name: 'late reader',
      timeoutMs: 20,
      dispose: (_value, given) => {
        context = given;
        return never();
      },
      // Runs once the graceful deadline has passed: the signal is read here for the first time.
      forceDispose: () => {
        seen = context?.signal;
      },
    });
    const report = await registry.cleanupAll();
    expect(report.forced).toHaveLength(1);
    expect(seen?.aborted).toBe(true);
    expect(isCustodianError(seen?.reason, 'ERR_DISPOSE_TIMEOUT')).toBe(true);
  });

  it('leaves the signal of a close that completed in time unaborted', async () => {
    const registry = new ResourceRegistry();
    let signal: AbortSignal | undefined;
    registry.register({}, { name: 'prompt', dispose: async (_value, context) => {
      signal = context.signal;
      await tick();
    } });
    await registry.cleanupAll();
    expect(signal?.aborted).toBe(false);
  });

  it('forces a close whose graceful close failed, keeping the failure in the outcome', async () => {
    const registry = new ResourceRegistry();
    const failure = new Error('graceful close failed');
    registry.register({}, { name: 'flaky',
      dispose: () => Promise.reject(failure),
      forceDispose: () => undefined,
    });
    const report = await registry.cleanupAll();
    expect(report.forced[0]).toMatchObject({ status: 'forced', error: failure });
  });

  it('abandons a resource whose forced close also hangs, after both deadlines', async () => {
    const registry = new ResourceRegistry({ timeoutMs: 20, forceTimeoutMs: 20 });
    registry.register({}, { name: 'stuck', dispose: never, forceDispose: never });
    const report = await registry.cleanupAll({ throwOnError: false });
    expect(report.timedOut[0]).toMatchObject({ name: 'stuck', status: 'timedOut', phase: 'abandoned' });
    const error = report.timedOut[0]!.error;
    expect(isCustodianError(error, 'ERR_DISPOSE_TIMEOUT')).toBe(true);
    expect((error as { timeoutMs: number }).timeoutMs).toBe(40);
  });

  it('reports a forced close that throws under failed', async () => {
    const registry = new ResourceRegistry({ timeoutMs: 10 });
    registry.register({}, { name: 'bad',
      dispose: never,
      forceDispose: () => {
        throw new Error('kill failed');
      },
    });
    const report = await registry.cleanupAll({ throwOnError: false });
    expect(report.failed[0]).toMatchObject({ status: 'failed', phase: 'forced' });
  });

  it('starts the graceful deadline before the disposer is called', async () => {
    const registry = new ResourceRegistry();
    const order: string[] = [];
    registry.register({}, {
      name: 'blocks then hangs',
      timeoutMs: 300,
      dispose: () => {
        // Spends its whole graceful deadline before returning: the deadline has already passed
        // when the promise comes back, so the forced close comes at once, before a timer of a
        // fraction of the deadline. Had the deadline started after the return, it would come last.
        busyWait(400);
        setTimeout(() => order.push('a third of the deadline later'), 100);
        return never();
      },
      forceDispose: () => void order.push('forced'),
    });
    await registry.cleanupAll();
    await delay(150);
    expect(order).toEqual(['forced', 'a third of the deadline later']);
  });

  it('caps the whole cleanup with a timeoutMs budget', async () => {
    const registry = new ResourceRegistry({ timeoutMs: 60_000, forceTimeoutMs: 60_000 });
    for (let index = 0; index < 3; index++) registry.register({}, { name: `hanging ${index}`, dispose: never, forceDispose: never });
    const report = await registry.cleanupAll({ timeoutMs: 100, throwOnError: false });
    expect(report.timedOut).toHaveLength(3);
    // Each resource's deadlines were cut to what remained of the budget, not its own 60 s ones.
    for (const outcome of report.timedOut) expect((outcome.error as { timeoutMs: number }).timeoutMs).toBeLessThanOrEqual(200);
  });

  it('counts an already closed resource as disposed without closing it again', async () => {
    const registry = new ResourceRegistry();
    const server = await listen(createServer());
    registry.register(server, { dispose: (value) => closeServer(value) });
    const timer = setTimeout(() => undefined, 60_000);
    registry.register(timer);
    clearTimeout(timer);
    const report = await registry.cleanupAll();
    expect(report.disposed.map((outcome) => outcome.phase)).toEqual(['closed', 'graceful']);
    expect(server.listening).toBe(false);
  });

  it('leaves the registry open and reusable', async () => {
    const registry = new ResourceRegistry();
    registry.defer(() => undefined);
    await registry.cleanupAll();
    expect(registry.disposed).toBe(false);
    let ran = false;
    registry.defer(() => {
      ran = true;
    });
    expect(registry.size).toBe(1);
    await registry.cleanupAll();
    expect(ran).toBe(true);
  });

  it('shares one run between concurrent calls', async () => {
    const registry = new ResourceRegistry();
    let calls = 0;
    registry.defer(async () => {
      calls++;
      await delay(10);
    });
    const [first, second] = await Promise.all([registry.cleanupAll(), registry.cleanupAll()]);
    expect(calls).toBe(1);
    expect(first).toBe(second);
  });

  it('disposes a resource registered while the cleanup runs', async () => {
    const registry = new ResourceRegistry();
    let lateDisposed = false;
    registry.defer(async () => {
      await delay(5);
      registry.defer(() => {
        lateDisposed = true;
      });
    });
    const report = await registry.cleanupAll();
    expect(lateDisposed).toBe(true);
    expect(report.disposed).toHaveLength(2);
    expect(registry.size).toBe(0);
  });

  it('retains no reference to disposed resources', async () => {
    const registry = new ResourceRegistry();
    const refs = registerGarbage(registry);
    const report = await registry.cleanupAll();
    expect(report.disposed).toHaveLength(3);
    await tick();
    expect(forceGc()).toBe(true);
    expect(refs.map((ref) => ref.deref())).toEqual([undefined, undefined, undefined]);
  });

  it('validates its options', async () => {
    const registry = new ResourceRegistry();
    await expect(registry.cleanupAll({ timeoutMs: -1 })).rejects.toMatchObject({ name: 'RangeError', code: 'ERR_INVALID_ARGUMENT' });
    await expect(registry.cleanupAll({ concurrency: 0 })).rejects.toMatchObject({ name: 'RangeError', code: 'ERR_INVALID_ARGUMENT' });
    await expect(registry.cleanupAll({ concurrency: 1.5 })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
  });
});

describe('ResourceRegistry.register', () => {
  it('rejects values it cannot close with a TypeError that says how to register them', () => {
    const registry = new ResourceRegistry();
    for (const value of [42, { host: 'db' }, 'a string', null]) {
      let error: unknown;
      try {
        registry.register(value);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(TypeError);
      expect(isCustodianError(error, 'ERR_UNSUPPORTED_RESOURCE')).toBe(true);
      expect((error as Error).message).toContain('dispose');
    }
    expect(registry.size).toBe(0);
  });

  it('rejects a dispose that is not a function and bad deadlines', () => {
    const registry = new ResourceRegistry();
    const bad: Array<[unknown, string]> = [
      [{ dispose: 'close' }, 'TypeError'],
      [{ dispose: () => undefined, timeoutMs: -5 }, 'RangeError'],
      [{ dispose: () => undefined, timeoutMs: Number.NaN }, 'RangeError'],
      [{ dispose: () => undefined, forceTimeoutMs: '10' }, 'TypeError'],
      [{ dispose: () => undefined, kind: 'database' }, 'TypeError'],
    ];
    for (const [options, name] of bad) {
      expect(() => registry.register({}, options as never)).toThrow(expect.objectContaining({ name, code: 'ERR_INVALID_ARGUMENT' }));
    }
    expect(() => new ResourceRegistry({ timeoutMs: -1 })).toThrow(RangeError);
  });

  it('returns a registration that can dispose or unregister its resource', async () => {
    const registry = new ResourceRegistry();
    let closed = 0;
    const registration = registry.register({ id: 'x' }, { name: 'thing', kind: 'engine', dispose: () => void closed++ });
    expect(registration).toMatchObject({ name: 'thing', kind: 'engine' });
    const first = await registration.dispose();
    const second = await registration.dispose();
    expect(first).toBe(second);
    expect(registration.name).toBe('thing');
    expect(closed).toBe(1);
    expect(registry.size).toBe(0);

    const kept = registry.register({}, { dispose: () => void closed++ });
    expect(kept.unregister()).toBe(true);
    expect(kept.unregister()).toBe(false);
    await registry.cleanupAll();
    expect(closed).toBe(1);
  });

  it('keeps the name an adapter described once the resource is closed', async () => {
    const registry = new ResourceRegistry();
    const registration = registry.register(setInterval(() => undefined, 1000));
    const described = registration.name;
    expect(described).toMatch(/^interval 1000 ms/);
    await registry.cleanupAll();
    expect(registration.name).toBe(described);
  });

  it('disposes a registration through await using', async () => {
    const registry = new ResourceRegistry();
    const closed: string[] = [];
    {
      await using _registration = registry.register({}, { name: 'scoped', dispose: () => void closed.push('scoped') });
    }
    expect(closed).toEqual(['scoped']);
    expect(registry.size).toBe(0);
  });

  it('shares one disposal between a registration and a running cleanup', async () => {
    const registry = new ResourceRegistry();
    let calls = 0;
    const registration = registry.register({}, { name: 'slow',
      dispose: async () => {
        calls++;
        await delay(10);
      },
    });
    const cleanup = registry.cleanupAll();
    const outcome = await registration.dispose();
    const report = await cleanup;
    expect(calls).toBe(1);
    expect(report.disposed[0]).toBe(outcome);
  });

  it('lists registered resources in snapshot()', () => {
    const registry = new ResourceRegistry({ stacks: true });
    registry.register({}, { name: 'pool', kind: 'engine', dispose: () => undefined });
    const [info] = registry.snapshot();
    expect(info).toMatchObject({ name: 'pool', kind: 'engine' });
    expect(info!.ageMs).toBeGreaterThanOrEqual(0);
    expect(info!.stack).toContain('resource-registry.test.ts');
  });
});

describe('ResourceRegistry.disposeAsync', () => {
  it('closes for good: reverse order, then every mutating method throws a ReferenceError', async () => {
    const registry = new ResourceRegistry({ name: 'suite' });
    const order: string[] = [];
    registry.defer(() => void order.push('a'));
    registry.adopt('b', (value) => void order.push(value));
    registry.use({ [Symbol.dispose]: () => void order.push('c') });
    await registry.disposeAsync();
    expect(order).toEqual(['c', 'b', 'a']);
    expect(registry.disposed).toBe(true);
    const calls: Array<() => unknown> = [
      () => registry.register({}, { dispose: () => undefined }),
      () => registry.use(null),
      () => registry.adopt(1, () => undefined),
      () => registry.defer(() => undefined),
      () => registry.move(),
    ];
    for (const call of calls) {
      expect(call).toThrow(ReferenceError);
      expect(call).toThrow(expect.objectContaining({ code: 'ERR_REGISTRY_DISPOSED' }));
    }
    await expect(registry.disposeAsync()).resolves.toBeUndefined();
  });

  it('is marked disposed before the first disposer runs', async () => {
    const registry = new ResourceRegistry();
    let seen: boolean | undefined;
    registry.defer(() => {
      seen = registry.disposed;
    });
    await registry.disposeAsync();
    expect(seen).toBe(true);
  });

  it('rethrows a single error as is', async () => {
    const registry = new ResourceRegistry();
    const failure = new Error('only one');
    registry.defer(() => undefined);
    registry.defer(() => {
      throw failure;
    });
    await expect(registry.disposeAsync()).rejects.toBe(failure);
  });

  it('chains several errors as SuppressedError with the newer error outside', async () => {
    const registry = new ResourceRegistry();
    const first = new Error('registered first, disposed last');
    const second = new Error('registered second, disposed first');
    registry.defer(() => {
      throw first;
    });
    registry.defer(() => {
      throw second;
    });
    const error = (await registry.disposeAsync().catch((caught: unknown) => caught)) as { name: string; error: unknown; suppressed: unknown };
    expect(error.name).toBe('SuppressedError');
    expect(error.error).toBe(first);
    expect(error.suppressed).toBe(second);
    const native = (globalThis as { SuppressedError?: Function }).SuppressedError;
    if (native !== undefined) expect(error).toBeInstanceOf(native);
  });

  it('matches the native AsyncDisposableStack where the runtime has one', async (context) => {
    const Native = (globalThis as { AsyncDisposableStack?: new () => AsyncDisposableStack }).AsyncDisposableStack;
    if (Native === undefined) context.skip();
    const build = (stack: { defer(fn: () => void): void }, log: string[]): void => {
      stack.defer(() => void log.push('1'));
      stack.defer(() => {
        log.push('2');
        throw new Error('two');
      });
      stack.defer(() => {
        log.push('3');
        throw new Error('three');
      });
    };
    const nativeLog: string[] = [];
    const ours: string[] = [];
    const nativeStack = new Native!();
    build(nativeStack, nativeLog);
    const registry = new ResourceRegistry();
    build(registry, ours);
    const nativeError = (await nativeStack.disposeAsync().catch((e: unknown) => e)) as { error: Error; suppressed: Error };
    const ourError = (await registry.disposeAsync().catch((e: unknown) => e)) as { error: Error; suppressed: Error };
    expect(ours).toEqual(nativeLog);
    expect(ourError.error.message).toBe(nativeError.error.message);
    expect(ourError.suppressed.message).toBe(nativeError.suppressed.message);
    expect(Object.getPrototypeOf(ourError)).toBe(Object.getPrototypeOf(nativeError));
  });

  it('returns the same promise to a second concurrent call', async () => {
    const registry = new ResourceRegistry();
    let calls = 0;
    registry.defer(async () => {
      calls++;
      await delay(5);
    });
    const first = registry.disposeAsync();
    expect(registry.disposeAsync()).toBe(first);
    await first;
    expect(calls).toBe(1);
  });

  it('disposes through await using', async () => {
    const order: string[] = [];
    {
      await using registry = new ResourceRegistry();
      registry.defer(() => void order.push('deferred'));
      order.push('body');
    }
    expect(order).toEqual(['body', 'deferred']);
  });

  it('reports an abandoned resource as an error, a forced one not', async () => {
    const registry = new ResourceRegistry({ timeoutMs: 10, forceTimeoutMs: 10 });
    registry.register({}, { name: 'forced', dispose: never, forceDispose: () => undefined });
    registry.register({}, { name: 'abandoned', dispose: never });
    const error = await registry.disposeAsync().catch((caught: unknown) => caught);
    expect(isCustodianError(error, 'ERR_DISPOSE_TIMEOUT')).toBe(true);
  });

  it('retains nothing afterwards', async () => {
    const registry = new ResourceRegistry();
    const refs = registerGarbage(registry);
    await registry.disposeAsync();
    await tick();
    forceGc();
    expect(refs.every((ref) => ref.deref() === undefined)).toBe(true);
  });
});

describe('ResourceRegistry.use', () => {
  it('prefers Symbol.asyncDispose, accepts null and undefined, and returns the value', async () => {
    const registry = new ResourceRegistry();
    const calls: string[] = [];
    const both = {
      [Symbol.asyncDispose]: async () => void calls.push('async'),
      [Symbol.dispose]: () => void calls.push('sync'),
    };
    expect(registry.use(both)).toBe(both);
    expect(registry.use(null)).toBeNull();
    expect(registry.use(undefined)).toBeUndefined();
    expect(registry.size).toBe(1);
    await registry.cleanupAll();
    expect(calls).toEqual(['async']);
  });

  it('rejects a value without a dispose method', () => {
    const registry = new ResourceRegistry();
    expect(() => registry.use({} as Disposable)).toThrow(expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_ARGUMENT' }));
  });
});

describe('ResourceRegistry.move', () => {
  it('moves every resource into a new registry and marks the old one disposed', async () => {
    const registry = new ResourceRegistry({ name: 'setup' });
    const closed: string[] = [];
    registry.defer(() => void closed.push('a'));
    const registration = registry.register({}, { name: 'b', dispose: () => void closed.push('b') });
    const moved = registry.move();
    expect(registry.disposed).toBe(true);
    expect(registry.size).toBe(0);
    expect(moved.size).toBe(2);
    expect(moved.name).toBe('setup');
    expect(registration.unregister()).toBe(true);
    expect(moved.size).toBe(1);
    await moved.disposeAsync();
    expect(closed).toEqual(['a']);
  });
});

function registerGarbage(registry: ResourceRegistry): WeakRef<object>[] {
  const a = { payload: new Array(1000).fill('a') };
  const b = { payload: new Array(1000).fill('b') };
  const c = { payload: new Array(1000).fill('c') };
  registry.register(a, { dispose: (value) => void value.payload.length });
  registry.adopt(b, (value) => void value.payload.length);
  registry.defer(() => void c.payload.length);
  return [new WeakRef(a), new WeakRef(b), new WeakRef(c)];
}

async function listen(server: Server): Promise<Server> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
}
