import { getEventListeners } from 'node:events';
import { readFile } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { AsyncRunner } from '../../src/runner/async-runner.js';
import { isCustodianError, TimeoutError } from '../../src/errors.js';
import type { TaskInfo } from '../../src/runner/types.js';
import { failOnUnhandledRejections, honouring, ignoring, liveTimers, outcome, until } from './_helpers.js';

failOnUnhandledRejections();

describe('AsyncRunner', () => {
  describe('run', () => {
    it('never runs more tasks at once than its concurrency', async () => {
      await using runner = new AsyncRunner({ concurrency: 2 });
      let running = 0;
      let highest = 0;
      const results = await Promise.all(
        [1, 2, 3, 4, 5, 6].map((n) =>
          runner.run(async () => {
            running++;
            highest = Math.max(highest, running);
            await delay(5);
            running--;
            return n * 10;
          }),
        ),
      );
      expect(results).toEqual([10, 20, 30, 40, 50, 60]);
      expect(highest).toBe(2);
    });

    it('resolves with what a task returns without a promise', async () => {
      await using runner = new AsyncRunner();
      const value = { answer: 42 };
      await expect(runner.run(() => value)).resolves.toBe(value);
      await expect(runner.run(() => undefined)).resolves.toBeUndefined();
    });

    it('adopts a thenable that is not a native promise', async () => {
      await using runner = new AsyncRunner();
      const thenable: PromiseLike<string> = {
        then: (resolve) => {
          setTimeout(() => resolve?.('from thenable'), 1);
          return thenable as never;
        },
      };
      await expect(runner.run(() => thenable)).resolves.toBe('from thenable');
    });

    it('rejects with what a task throws synchronously, and keeps running others', async () => {
      await using runner = new AsyncRunner({ concurrency: 1 });
      const boom = new Error('sync boom');
      const failed = runner.run(() => {
        throw boom;
      });
      const next = runner.run(() => 'next');
      await expect(failed).rejects.toBe(boom);
      await expect(next).resolves.toBe('next');
    });

    it('reads a real file through the task signal', async () => {
      await using runner = new AsyncRunner();
      const path = fileURLToPath(import.meta.url);
      const text = await runner.run((signal) => readFile(path, { encoding: 'utf8', signal }));
      expect(text).toContain("describe('AsyncRunner'");
    });

    it('rejects at the deadline with ERR_TASK_TIMEOUT naming the task and the limit, and aborts its signal', async () => {
      await using runner = new AsyncRunner({ name: 'timeouts' });
      let seen: AbortSignal | undefined;
      const result = await outcome(
        runner.run(
          (signal) => {
            seen = signal;
            return delay(60_000, undefined, { signal });
          },
          { name: 'slow query', timeoutMs: 30 },
        ),
      );
      expect(result.ok).toBe(false);
      const error = (result as { error: unknown }).error;
      expect(isCustodianError(error, 'ERR_TASK_TIMEOUT')).toBe(true);
      expect(error).toBeInstanceOf(TimeoutError);
      expect((error as TimeoutError).timeoutMs).toBe(30);
      expect((error as Error).message).toContain('"slow query"');
      expect(seen?.aborted).toBe(true);
      expect(seen?.reason).toBe(error);
    });

    it('keeps the slot of a timed-out task that ignores its signal until it settles', async () => {
      await using runner = new AsyncRunner({ concurrency: 1 });
      const stuck = ignoring();
      try {
        const first = outcome(runner.run(stuck.task, { timeoutMs: 20 }));
        let secondStarted = false;
        const second = runner.run(() => {
          secondStarted = true;
        });
        expect(isCustodianError((await first as { error: unknown }).error, 'ERR_TASK_TIMEOUT')).toBe(true);
        expect(runner.active).toBe(1);
        expect(secondStarted).toBe(false);
        stuck.release();
        await second;
        expect(secondStarted).toBe(true);
      } finally {
        stuck.release();
      }
    });

    it('drops a queued task whose signal aborts, without starting it, and removes its listener', async () => {
      await using runner = new AsyncRunner({ concurrency: 1 });
      const blocker = ignoring();
      const controller = new AbortController();
      try {
        const blocking = runner.run(blocker.task);
        // run() starts tasks in a later microtask (p-limit's), never inside the call.
        await until(() => runner.active === 1, 'the blocker to start');
        let started = false;
        const queued = outcome(
          runner.run(
            () => {
              started = true;
            },
            { signal: controller.signal },
          ),
        );
        expect(runner.pending).toBe(1);
        expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
        const reason = new Error('caller gave up');
        controller.abort(reason);
        expect(await queued).toEqual({ ok: false, error: reason });
        expect(runner.pending).toBe(0);
        expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
        blocker.release();
        await blocking;
        await runner.onIdle();
        expect(started).toBe(false);
      } finally {
        blocker.release();
      }
    });

    it('aborts a running task when its signal aborts and rejects with the reason at once', async () => {
      await using runner = new AsyncRunner();
      const controller = new AbortController();
      let taskSignal: AbortSignal | undefined;
      const running = outcome(
        runner.run(
          (signal) => {
            taskSignal = signal;
            return delay(60_000, undefined, { signal });
          },
          { signal: controller.signal },
        ),
      );
      await until(() => taskSignal !== undefined, 'the task to start');
      controller.abort('stop');
      expect(await running).toEqual({ ok: false, error: 'stop' });
      expect(taskSignal?.reason).toBe('stop');
      await runner.onIdle();
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    });

    it('removes its listener from a long-lived caller signal once the task settles', async () => {
      await using runner = new AsyncRunner();
      const longLived = new AbortController().signal;
      for (let i = 0; i < 20; i++) await runner.run(async () => i, { signal: longLived });
      expect(getEventListeners(longLived, 'abort')).toHaveLength(0);
    });

    it('rejects with the reason of an already aborted signal without starting the task', async () => {
      await using runner = new AsyncRunner();
      let started = false;
      const result = await outcome(runner.run(() => (started = true), { signal: AbortSignal.abort('too late') }));
      expect(result).toEqual({ ok: false, error: 'too late' });
      expect(started).toBe(false);
    });
  });

  describe('signal option', () => {
    it('shuts the runner down when the parent signal aborts, aborting running tasks with its reason', async () => {
      const parent = new AbortController();
      const runner = new AsyncRunner({ signal: parent.signal });
      expect(getEventListeners(parent.signal, 'abort')).toHaveLength(1);
      let taskSignal: AbortSignal | undefined;
      const running = outcome(
        runner.run((signal) => {
          taskSignal = signal;
          return delay(60_000, undefined, { signal });
        }),
      );
      await until(() => taskSignal !== undefined, 'the task to start');
      parent.abort('suite over');
      expect(runner.closed).toBe(true);
      const report = await runner.shutdown();
      expect(taskSignal?.reason).toBe('suite over');
      expect(report.aborted).toBe(1);
      expect((await running).ok).toBe(false);
      expect(getEventListeners(parent.signal, 'abort')).toHaveLength(0);
    });

    it('starts closed under an already aborted parent signal', async () => {
      const runner = new AsyncRunner({ signal: AbortSignal.abort() });
      expect(runner.closed).toBe(true);
      const result = await outcome(runner.run(() => 1));
      expect(isCustodianError((result as { error: unknown }).error, 'ERR_RUNNER_CLOSED')).toBe(true);
      await runner.shutdown();
    });
  });

  describe('spawn', () => {
    it('starts at once, outside the concurrency limit, and resolves done with the outcome', async () => {
      await using runner = new AsyncRunner({ concurrency: 1 });
      const blocker = ignoring();
      try {
        const blocking = outcome(runner.run(blocker.task));
        await until(() => runner.active === 1, 'the blocker to start');
        let started = false;
        const handle = runner.spawn(async () => {
          started = true;
          await delay(1);
          return 'background';
        });
        expect(started).toBe(true);
        expect(runner.active).toBe(2);
        expect(await handle.done).toEqual({ status: 'fulfilled', value: 'background' });
        expect(handle.settled).toBe(true);
        blocker.release();
        expect(await blocking).toEqual({ ok: true, value: 'released' });
      } finally {
        blocker.release();
      }
    });

    it('delivers a failure to onError with the task, counts it, and leaves no unhandled rejection', async () => {
      const seen: Array<[unknown, TaskInfo]> = [];
      const runner = new AsyncRunner({ name: 'bg', onError: (error, task) => seen.push([error, task]) });
      const boom = new Error('background boom');
      runner.spawn(async () => {
        await delay(1);
        throw boom;
      }, { name: 'flusher' });
      await runner.onIdle();
      expect(seen).toHaveLength(1);
      expect(seen[0]?.[0]).toBe(boom);
      expect(seen[0]?.[1]).toMatchObject({ name: 'flusher', kind: 'spawn', runner: 'bg' });
      const report = await runner.shutdown();
      expect(report.errors).toEqual([boom]);
      expect(report.unobserved).toBe(0);
    });

    it('reports a synchronous throw through onError, never from inside spawn()', async () => {
      const seen: unknown[] = [];
      await using runner = new AsyncRunner({ onError: (error) => seen.push(error) });
      const boom = new Error('thrown at once');
      const handle = runner.spawn(() => {
        throw boom;
      });
      expect(seen).toEqual([]);
      expect(await handle.done).toEqual({ status: 'rejected', reason: boom });
      expect(seen).toEqual([boom]);
    });

    it('counts a failure nobody observed, and one from an onError that throws', async () => {
      const unobserved = new AsyncRunner();
      unobserved.spawn(() => Promise.reject(new Error('nobody listens')));
      await unobserved.onIdle();
      expect((await unobserved.shutdown()).unobserved).toBe(1);

      const broken = new AsyncRunner({
        onError: () => {
          throw new Error('onError broke');
        },
      });
      broken.spawn(() => Promise.reject(new Error('first')));
      await broken.onIdle();
      const report = await broken.shutdown();
      // The failure onError did not handle, and onError's own error.
      expect(report.errors).toHaveLength(2);
      expect(report.unobserved).toBe(2);
    });

    it('treats reading done as observing the failure', async () => {
      const runner = new AsyncRunner();
      const handle = runner.spawn(() => Promise.reject(new Error('seen through done')));
      expect((await handle.done).status).toBe('rejected');
      const report = await runner.shutdown();
      expect(report.errors).toHaveLength(1);
      expect(report.unobserved).toBe(0);
    });

    it('aborts one task through its handle, and a failure after that is not an error', async () => {
      const runner = new AsyncRunner();
      const handle = runner.spawn(honouring(), { name: 'poller' });
      handle.abort(new Error('enough'));
      expect((await handle.done).status).toBe('rejected');
      const report = await runner.shutdown();
      expect(report.errors).toEqual([]);
      expect(report.completed).toBe(1);
    });
  });

  describe('sleep', () => {
    it('resolves after the time on a real timer', async () => {
      await using runner = new AsyncRunner();
      const before = performance.now();
      await runner.sleep(15);
      expect(performance.now() - before).toBeGreaterThanOrEqual(14);
    });

    it('rejects with ERR_RUNNER_CLOSED on shutdown and leaves no timer behind', async () => {
      const runner = new AsyncRunner();
      const baseline = liveTimers();
      const sleeping = outcome(runner.sleep(60_000));
      const forever = outcome(runner.sleep(Number.POSITIVE_INFINITY));
      expect(liveTimers()).toBe(baseline + 1);
      await runner.shutdown();
      for (const result of [await sleeping, await forever]) {
        expect(isCustodianError((result as { error: unknown }).error, 'ERR_RUNNER_CLOSED')).toBe(true);
      }
      expect(liveTimers()).toBe(baseline);
      expect(isCustodianError((await outcome(runner.sleep(1)) as { error: unknown }).error, 'ERR_RUNNER_CLOSED')).toBe(true);
    });
  });

  describe('onIdle', () => {
    it('resolves once run() and spawn() tasks have settled, and at once when idle', async () => {
      await using runner = new AsyncRunner({ concurrency: 1 });
      await runner.onIdle();
      const order: string[] = [];
      const runs = [
        outcome(
          runner.run(async () => {
            await delay(5);
            order.push('run');
          }),
        ),
        outcome(
          runner.run(async () => {
            order.push('queued run');
          }),
        ),
      ];
      runner.spawn(async () => {
        await delay(10);
        order.push('spawn');
      });
      expect(runner.active).toBe(1);
      expect(runner.pending).toBe(2);
      await until(() => runner.active === 2, 'the first run() task to start');
      expect(runner.pending).toBe(1);
      await runner.onIdle();
      order.push('idle');
      expect(order.at(-1)).toBe('idle');
      expect(order).toHaveLength(4);
      expect(runner.active + runner.pending).toBe(0);
      await Promise.all(runs);
    });
  });

  describe('child', () => {
    it('is shut down, and its report merged, before its parent finishes shutting down', async () => {
      const parent = new AsyncRunner({ name: 'parent', shutdownTimeoutMs: 100 });
      const child = parent.child({ name: 'child' });
      const stuck = ignoring();
      try {
        child.spawn(stuck.task, { name: 'stuck in child' });
        const order: string[] = [];
        void child.shutdown().then(() => order.push('child'));
        const report = await parent.shutdown().then((value) => {
          order.push('parent');
          return value;
        });
        expect(order).toEqual(['child', 'parent']);
        expect(child.closed).toBe(true);
        expect(report.abandoned.map((task) => [task.runner, task.name])).toEqual([['child', 'stuck in child']]);
      } finally {
        stuck.release();
      }
    });

    it('shuts down alone without closing its parent, and refuses to be created by a closed one', async () => {
      const parent = new AsyncRunner({ name: 'p' });
      const child = parent.child();
      expect(child.name).toBe('p/1');
      await child.shutdown();
      expect(parent.closed).toBe(false);
      await expect(parent.run(() => 'still open')).resolves.toBe('still open');
      await parent.shutdown();
      expect(() => parent.child()).toThrow(expect.objectContaining({ code: 'ERR_RUNNER_CLOSED' }));
    });
  });

  describe('bad input', () => {
    it('throws TypeError or RangeError with ERR_INVALID_ARGUMENT', async () => {
      const runner = new AsyncRunner();
      const cases: Array<[() => unknown, ErrorConstructor]> = [
        [() => runner.run(42 as never), TypeError],
        [() => runner.spawn('nope' as never), TypeError],
        [() => runner.run(() => 1, { timeoutMs: -1 }), RangeError],
        [() => runner.run(() => 1, { timeoutMs: '5' as never }), TypeError],
        [() => runner.run(() => 1, { signal: {} as never }), TypeError],
        [() => runner.sleep(-5), RangeError],
        [() => runner.shutdown({ timeoutMs: Number.NaN }), RangeError],
        [() => new AsyncRunner({ concurrency: 0 }), RangeError],
        [() => new AsyncRunner({ concurrency: 1.5 }), RangeError],
        [() => new AsyncRunner({ concurrency: -1 }), RangeError],
        [() => new AsyncRunner({ concurrency: '4' as never }), TypeError],
        [() => new AsyncRunner({ shutdownTimeoutMs: -1 }), RangeError],
        [() => new AsyncRunner({ stacks: 'some' as never }), TypeError],
        [() => new AsyncRunner({ onError: 'log' as never }), TypeError],
      ];
      for (const [call, type] of cases) {
        let thrown: unknown;
        try {
          call();
        } catch (error) {
          thrown = error;
        }
        expect(thrown).toBeInstanceOf(type);
        expect(isCustodianError(thrown, 'ERR_INVALID_ARGUMENT')).toBe(true);
      }
      expect(new AsyncRunner({ concurrency: Number.POSITIVE_INFINITY }).closed).toBe(false);
      expect(runner.closed).toBe(false);
      await runner.shutdown();
    });
  });
});
