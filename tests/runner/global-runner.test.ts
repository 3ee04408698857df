import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { getGlobalRunner } from '../../src/runner/get-global-runner.js';
import { shutdownGlobalRunner } from '../../src/runner/global-runner.js';
import { isCustodianError } from '../../src/errors.js';
import { failOnUnhandledRejections, outcome } from './_helpers.js';

failOnUnhandledRejections();

afterEach(async () => {
  await shutdownGlobalRunner();
});

describe('getGlobalRunner', () => {
  it('creates the runner on first use and returns the same one after that', () => {
    const runner = getGlobalRunner();
    expect(runner.name).toBe('global');
    expect(getGlobalRunner()).toBe(runner);
  });

  it('is shared with another copy of the library through globalThis', async () => {
    const runner = getGlobalRunner();
    expect((globalThis as Record<symbol, Record<string, unknown>>)[Symbol.for('custodian.slots')]!.globalRunner).toBe(runner);
    // A fresh module graph stands in for the other build (ESM next to CJS): another AsyncRunner class, one slot.
    vi.resetModules();
    const copy = await import('../../src/runner/get-global-runner.js');
    const copyShutdown = (await import('../../src/runner/global-runner.js')).shutdownGlobalRunner;
    expect(copy.getGlobalRunner).not.toBe(getGlobalRunner);
    expect(copy.getGlobalRunner()).toBe(runner);
    const report = await copyShutdown();
    expect(report?.runner).toBe('global');
    expect(runner.closed).toBe(true);
    expect(getGlobalRunner()).not.toBe(runner);
  });

  it('replaces a runner that was shut down directly', async () => {
    const runner = getGlobalRunner();
    await runner.shutdown();
    const fresh = getGlobalRunner();
    expect(fresh).not.toBe(runner);
    expect(fresh.closed).toBe(false);
  });
});

describe('shutdownGlobalRunner', () => {
  it('shuts the global runner down, aborting its tasks, and forgets it', async () => {
    const runner = getGlobalRunner();
    let taskSignal: AbortSignal | undefined;
    const handle = runner.spawn((signal) => {
      taskSignal = signal;
      return delay(60_000, undefined, { signal });
    }, { name: 'global poller' });
    // Not started yet (run() starts tasks in a later microtask): rejected without starting.
    const queued = outcome(runner.run(() => 'never'));
    const report = await shutdownGlobalRunner({ timeoutMs: 1000 });
    expect(report).toMatchObject({ runner: 'global', aborted: 1, cancelled: 1, abandoned: [] });
    expect(taskSignal?.aborted).toBe(true);
    expect((await handle.done).status).toBe('rejected');
    expect(isCustodianError((await queued as { error: unknown }).error, 'ERR_RUNNER_CLOSED')).toBe(true);
    const fresh = getGlobalRunner();
    expect(fresh).not.toBe(runner);
    await expect(fresh.run(() => 'fresh')).resolves.toBe('fresh');
  });

  it('resolves with undefined when there is no global runner', async () => {
    await shutdownGlobalRunner();
    await expect(shutdownGlobalRunner()).resolves.toBeUndefined();
  });

  it('keeps the runner when the options are bad', async () => {
    const runner = getGlobalRunner();
    await expect(shutdownGlobalRunner({ timeoutMs: -1 })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    expect(runner.closed).toBe(false);
    expect(getGlobalRunner()).toBe(runner);
  });
});
