import { once } from 'node:events';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AsyncRunner } from '../../src/runner/async-runner.js';
import { RunnerClosedError } from '../../src/runner/errors.js';
import { isCustodianError } from '../../src/errors.js';
import { forceGc } from '../../src/memory/force-gc.js';
import { failOnUnhandledRejections, honouring, ignoring, outcome, until } from './_helpers.js';

failOnUnhandledRejections();

let server: Server;
let port: number;
const serverSockets = new Set<Socket>();

beforeAll(async () => {
  server = createServer((socket) => {
    serverSockets.add(socket);
    socket.on('close', () => serverSockets.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  port = (server.address() as { port: number }).port;
});

afterAll(async () => {
  for (const socket of serverSockets) socket.destroy();
  await new Promise((resolve) => server.close(resolve));
});

function connections(): Promise<number> {
  return new Promise((resolve, reject) => server.getConnections((error, count) => (error ? reject(error) : resolve(count))));
}

/** Holds a real TCP connection open until the signal aborts, then destroys it. */
function holdConnection(signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    const onAbort = (): void => {
      socket.destroy();
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    socket.on('error', (error) => {
      signal.removeEventListener('abort', onAbort);
      reject(error);
    });
    socket.on('close', () => signal.removeEventListener('abort', onAbort));
    socket.on('end', () => resolve());
  });
}

describe('AsyncRunner.shutdown', () => {
  it('rejects every queued task at once with ERR_RUNNER_CLOSED, without starting it', async () => {
    const runner = new AsyncRunner({ concurrency: 2 });
    const starts: number[] = [];
    const tasks = Array.from({ length: 10 }, (_, index) =>
      outcome(
        runner.run(
          (signal) => {
            starts.push(index);
            return delay(60_000, undefined, { signal });
          },
          // Half of them take the path with a signal of their own.
          index % 2 === 0 ? undefined : { timeoutMs: 60_000 },
        ),
      ),
    );
    await until(() => runner.active === 2, 'two tasks to start');
    expect(runner.pending).toBe(8);
    const report = await runner.shutdown();
    const results = await Promise.all(tasks);
    expect(starts).toEqual([0, 1]);
    expect(report).toMatchObject({ cancelled: 8, aborted: 2, completed: 0, abandoned: [] });
    for (const result of results.slice(2)) {
      expect(result.ok).toBe(false);
      const error = (result as { error: unknown }).error;
      expect(error).toBeInstanceOf(RunnerClosedError);
      expect(isCustodianError(error, 'ERR_RUNNER_CLOSED')).toBe(true);
    }
    expect(runner.pending).toBe(0);
    expect(runner.active).toBe(0);
  });

  it('aborts running tasks that honour the signal, closing their real connections', async () => {
    const runner = new AsyncRunner({ concurrency: 4 });
    const tasks = Array.from({ length: 3 }, () => outcome(runner.run(holdConnection)));
    const handle = runner.spawn(holdConnection, { name: 'background connection' });
    await until(() => serverSockets.size === 4, 'four connections');
    const report = await runner.shutdown();
    expect(report).toMatchObject({ aborted: 4, cancelled: 0, abandoned: [], errors: [] });
    for (const result of await Promise.all(tasks)) {
      expect(isCustodianError((result as { error: unknown }).error, 'ERR_RUNNER_CLOSED')).toBe(true);
    }
    expect((await handle.done).status).toBe('rejected');
    await until(() => serverSockets.size === 0, 'the server to see the connections close');
    expect(await connections()).toBe(0);
  });

  it('abandons tasks that ignore the signal at the deadline, with name, age and stack', async () => {
    const runner = new AsyncRunner({ name: 'stuck', shutdownTimeoutMs: 60, stacks: 'all' });
    const viaRun = ignoring();
    const viaSpawn = ignoring();
    try {
      const running = outcome(runner.run(viaRun.task, { name: 'stuck run' }));
      runner.spawn(viaSpawn.task, { name: 'stuck spawn' });
      await until(() => runner.active === 2, 'both tasks to start');
      await delay(5);
      const report = await runner.shutdown();
      expect(report.abandoned.map((task) => [task.name, task.kind, task.runner])).toEqual([
        ['stuck spawn', 'spawn', 'stuck'],
        ['stuck run', 'run', 'stuck'],
      ]);
      for (const task of report.abandoned) {
        expect(task.ageMs).toBeGreaterThan(0);
        expect(task.stack).toContain('shutdown.test.ts');
      }
      const result = await running;
      expect(isCustodianError((result as { error: unknown }).error, 'ERR_RUNNER_CLOSED')).toBe(true);
      expect(runner.active).toBe(0);
    } finally {
      viaRun.release();
      viaSpawn.release();
    }
  });

  it('records no stack for run() tasks by default, and none at all with stacks: none', async () => {
    for (const [stacks, expected] of [[undefined, [false, true]], ['none', [false, false]]] as const) {
      const runner = new AsyncRunner({ shutdownTimeoutMs: 10, stacks });
      const a = ignoring();
      const b = ignoring();
      try {
        const running = outcome(runner.run(a.task));
        runner.spawn(b.task);
        await until(() => runner.active === 2, 'both tasks to start');
        const report = await runner.shutdown();
        const byKind = (kind: string) => report.abandoned.find((task) => task.kind === kind)?.stack !== undefined;
        expect([byKind('run'), byKind('spawn')]).toEqual(expected);
        await running;
      } finally {
        a.release();
        b.release();
      }
    }
  });

  it('refuses new work once closed: run() rejects and spawn() throws ERR_RUNNER_CLOSED', async () => {
    const runner = new AsyncRunner();
    const pending = runner.shutdown();
    expect(runner.closed).toBe(true);
    const result = await outcome(runner.run(() => 1));
    expect(isCustodianError((result as { error: unknown }).error, 'ERR_RUNNER_CLOSED')).toBe(true);
    expect(() => runner.spawn(() => 1)).toThrow(RunnerClosedError);
    await pending;
  });

  it('shares one promise between concurrent calls, and with calls made while it is in progress', async () => {
    const runner = new AsyncRunner({ shutdownTimeoutMs: 5000 });
    const slow = runner.spawn(async (signal) => {
      await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
      await delay(30); // still settling after the abort: the shutdown is in progress meanwhile
    });
    const first = runner.shutdown();
    const second = runner.shutdown({ timeoutMs: 1 });
    await delay(5);
    const during = runner.shutdown();
    expect(second).toBe(first);
    expect(during).toBe(first);
    const [a, b, c] = await Promise.all([first, second, during]);
    expect(a).toBe(b);
    expect(a).toBe(c);
    expect(a).toMatchObject({ aborted: 1, abandoned: [] });
    expect((await slow.done).status).toBe('fulfilled');
    expect(await runner.shutdown()).toBe(a);
  });

  it("passes the reason to running tasks' signals and as the cause of the queue's rejection", async () => {
    const runner = new AsyncRunner({ concurrency: 1 });
    let seen: unknown;
    const running = outcome(
      runner.run((signal) => {
        signal.addEventListener('abort', () => (seen = signal.reason), { once: true });
        return delay(60_000, undefined, { signal });
      }),
    );
    const queued = outcome(runner.run(() => 1));
    await until(() => runner.active === 1, 'the first task to start');
    const reason = new Error('test finished');
    await runner.shutdown({ reason });
    expect(seen).toBe(reason);
    const error = (await queued as { error: unknown }).error;
    expect(isCustodianError(error, 'ERR_RUNNER_CLOSED')).toBe(true);
    expect((error as Error).cause).toBe(reason);
    await running;
  });

  it('reports what completed, and its duration', async () => {
    const runner = new AsyncRunner();
    await runner.run(() => 1);
    await runner.run(async () => 2);
    await outcome(runner.run(() => Promise.reject(new Error('caller sees it'))));
    const report = await runner.shutdown();
    expect(report).toMatchObject({ runner: 'runner', completed: 3, cancelled: 0, aborted: 0, abandoned: [], errors: [], unobserved: 0 });
    expect(report.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('keeps no task, closure or queue alive once shut down', async () => {
    const runner = new AsyncRunner({ concurrency: 1, shutdownTimeoutMs: 20 });
    const refs: Array<WeakRef<object>> = [];
    const stuckTimers: Array<ReturnType<typeof setTimeout>> = [];
    const pending: Array<Promise<unknown>> = [];
    // Each closure holds a large buffer, so the WeakRefs watch something worth keeping.
    const make = (kind: 'stuck' | 'honour' | 'queued' | 'done' | 'sloppy'): ((signal: AbortSignal) => Promise<unknown>) => {
      const payload = { data: new Uint8Array(1024 * 1024) };
      const task = async (signal: AbortSignal): Promise<unknown> => {
        if (kind === 'done') return payload.data.length;
        // Leaves a listener on the signal it shares with other plain tasks: held until the shutdown only.
        if (kind === 'sloppy') return signal.addEventListener('abort', () => payload.data.fill(0));
        if (kind === 'honour') return honouring()(signal);
        // Ignores the signal; its own timer (cleared below) is all that keeps it pending.
        return new Promise((resolve) => stuckTimers.push(setTimeout(resolve, 60_000)));
      };
      refs.push(new WeakRef(task), new WeakRef(payload));
      return task;
    };
    await runner.run(make('done'));
    await runner.run(make('sloppy'));
    pending.push(outcome(runner.run(make('stuck'))));
    pending.push(outcome(runner.run(make('queued'))));
    const spawned = runner.spawn(make('honour'));
    spawned.abort();
    await until(() => runner.active === 1 && spawned.settled, 'the stuck task to run alone');
    const background = runner.spawn(make('stuck'));
    const report = await runner.shutdown();
    expect(report.abandoned).toHaveLength(2);
    await Promise.all(pending);
    await background.done;
    // A WeakRef target is kept until the end of the current job.
    await new Promise((resolve) => setImmediate(resolve));
    forceGc();
    // The stuck tasks' own timers still hold their promises (and through them our callbacks), not the closures.
    expect(refs.map((ref) => ref.deref() === undefined)).toEqual(refs.map(() => true));
    expect(runner.closed).toBe(true);
    for (const timer of stuckTimers) clearTimeout(timer);
  });
});
