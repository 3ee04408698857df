import { afterEach, describe, expect, it } from 'vitest';
import { isCustodianError } from '../../src/errors.js';
import { registerGlobalReset } from '../../src/globals/global-resets.js';
import { clearGlobalsBaseline, setGlobalsBaseline } from '../../src/globals/snapshot.js';
import { cleanupAll, cleanupAllNow } from '../../src/lifecycle/cleanup-all.js';
import { setActiveTracker } from '../../src/leaks/current.js';
import { trackHandles } from '../../src/leaks/handle-tracker.js';
import { configure, resetConfiguration } from '../../src/lifecycle/configure.js';
import { uninstall } from '../../src/lifecycle/install.js';
import type { LifecycleError } from '../../src/lifecycle/lifecycle-error.js';
import { defineLifecycleStep } from '../../src/lifecycle/steps.js';
import { registry } from '../../src/registry/default-registry.js';
import { getGlobalRunner } from '../../src/runner/get-global-runner.js';
import { exitHandlersInstalled } from '../../src/_internal/exit-handlers.js';
import { isThenable } from '../../src/_internal/thenable.js';

const disposables: Disposable[] = [];

afterEach(async () => {
  for (const disposable of disposables.splice(0)) disposable[Symbol.dispose]();
  await registry.cleanupAll({ throwOnError: false });
  clearGlobalsBaseline();
  resetConfiguration();
});

describe('cleanupAllNow (the integrations\' per-test call)', () => {
  it('answers a clean test from the quick checks, without timing steps', () => {
    setGlobalsBaseline();
    const tracker = trackHandles({ scope: 'file' });
    setActiveTracker(tracker);
    try {
      cleanupAllNow(); // the first reset walks globalThis and records it as clean
      tracker.begin('clean test');
      const report = cleanupAllNow();
      // Synchronous: nothing to wait for.
      if (isThenable(report)) throw new Error('cleanupAllNow() returned a promise for a clean test');
      expect(report).toMatchObject({ ok: true, durationMs: 0, leaks: { scope: 'clean test', leaks: [] } });
      expect(report.globals?.globals).toEqual({ added: [], changed: [], deleted: [], unrestorable: [] });
      expect(report.steps.map((step) => [step.step, step.status, step.durationMs])).toEqual([
        ['runner', 'skipped', 0],
        ['registry', 'skipped', 0],
        ['globals', 'ok', 0],
        ['leaks', 'ok', 0],
        ['memory', 'skipped', 0],
      ]);
    } finally {
      setActiveTracker(undefined);
      tracker.stop();
    }
  });

  it('runs every step fully when a replaced step has no quick check, before any step did its work', async () => {
    const tracker = trackHandles({ scope: 'file' });
    setActiveTracker(tracker);
    disposables.push(defineLifecycleStep('memory', { idle: () => false, run: () => ({ report: 'custom sample' }) }));
    try {
      tracker.begin('a test');
      const report = await cleanupAllNow();
      // The leak check ran once, in the full run: its report is there, under the test's name.
      expect(report.leaks).toEqual({ scope: 'a test', leaks: [] });
      expect(report.memory).toBe('custom sample');
      expect(report.steps.find((step) => step.step === 'memory')?.status).toBe('ok');
    } finally {
      setActiveTracker(undefined);
      tracker.stop();
    }
  });
});

describe('cleanupAll', () => {
  it('resolves with one shared frozen report, every step skipped, when nothing was registered', async () => {
    const first = await cleanupAll();
    const second = await cleanupAll();
    expect(second).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(first.ok).toBe(true);
    expect(first.steps.map((step) => [step.step, step.status])).toEqual([
      ['runner', 'skipped'],
      ['registry', 'skipped'],
      ['globals', 'skipped'],
      ['leaks', 'skipped'],
      ['memory', 'skipped'],
    ]);
  });

  it('shuts down the global runner, then cleans the registry, then resets globals', async () => {
    const order: string[] = [];
    getGlobalRunner().spawn((signal) => new Promise<void>((resolve) => signal.addEventListener('abort', () => {
      order.push('runner');
      resolve();
    })));
    registry.defer(() => order.push('registry'));
    disposables.push(registerGlobalReset('cache', () => order.push('globals')));

    const report = await cleanupAll();

    expect(order).toEqual(['runner', 'registry', 'globals']);
    expect(report.ok).toBe(true);
    expect(report.runner?.aborted).toBe(1);
    expect(report.registry?.disposed).toHaveLength(1);
    expect(report.globals?.resets).toEqual(['cache']);
    expect(report.steps.map((step) => step.status)).toEqual(['ok', 'ok', 'ok', 'skipped', 'skipped']);
    expect(registry.size).toBe(0);
  });

  it('restores the globals baseline after each call', async () => {
    setGlobalsBaseline();
    (globalThis as Record<string, unknown>).__lifecycleLeftover = 1;
    process.env.CUSTODIAN_LIFECYCLE_VAR = 'x';
    const report = await cleanupAll();
    expect('__lifecycleLeftover' in globalThis).toBe(false);
    expect(process.env.CUSTODIAN_LIFECYCLE_VAR).toBeUndefined();
    expect(report.globals?.globals.added).toEqual(['__lifecycleLeftover']);
    expect(report.globals?.env.added).toEqual(['CUSTODIAN_LIFECYCLE_VAR']);
  });

  it('runs every step when every step fails, and rejects with one error listing all of them', async () => {
    configure({ timeouts: { runner: 50 } });
    // A background task that ignores its abort signal: abandoned at the runner's deadline.
    getGlobalRunner().spawn(() => new Promise(() => undefined), { name: 'deaf task' });
    registry.register({}, { name: 'broken resource', dispose: () => Promise.reject(new Error('close failed')), forceTimeoutMs: 0 });
    disposables.push(registerGlobalReset('broken reset', () => {
      throw new Error('reset failed');
    }));
    const ran: string[] = [];
    const failing = (step: string) => ({
      idle: () => false,
      run: () => {
        ran.push(step);
        throw new Error(`${step} failed`);
      },
    });
    disposables.push(defineLifecycleStep('leaks', failing('leaks')), defineLifecycleStep('memory', failing('memory')));

    const error = (await cleanupAll().then(() => undefined, (caught: unknown) => caught)) as LifecycleError;

    expect(isCustodianError(error, 'ERR_CLEANUP_FAILED')).toBe(true);
    expect(error.name).toBe('LifecycleError');
    expect(ran).toEqual(['leaks', 'memory']);
    expect(error.report.ok).toBe(false);
    expect(error.report.failed.map((step) => step.step)).toEqual(['runner', 'registry', 'globals', 'leaks', 'memory']);
    expect(error.errors.map((cause) => (cause as { code?: string }).code)).toEqual(['ERR_SHUTDOWN', 'ERR_CLEANUP_FAILED', 'ERR_RESET_FAILED', undefined, undefined]);
    expect(error.cause).toBe(error.errors[0]);
    expect(error.report.runner?.abandoned.map((task) => task.name)).toEqual(['deaf task']);
    expect(error.report.registry?.failed.map((outcome) => outcome.name)).toEqual(['broken resource']);
    expect(error.report.globals?.failedResets.map((failure) => failure.name)).toEqual(['broken reset']);
    for (const step of ['runner', 'registry', 'globals', 'leaks', 'memory']) expect(error.message).toContain(`- ${step} (`);
  });

  it("rejects with another copy's LeakDetectedError itself, told by its code", async () => {
    // What the leaks step of the integrations' build (another class, same brand and code) fails with.
    const foreign = Object.assign(new Error('1 leaked handle'), { code: 'ERR_LEAK_DETECTED' });
    Object.defineProperty(foreign, Symbol.for('custodian.error'), { value: true });
    disposables.push(defineLifecycleStep('leaks', { idle: () => false, run: () => ({ report: { scope: 't', leaks: [] }, error: foreign }) }));
    await expect(cleanupAll()).rejects.toBe(foreign);
  });

  it("queues behind a cleanup another copy of custodian is running", async () => {
    // The run state lives in the process-wide slot, where the other copy put its running cleanup.
    const { globalSlot } = await import('../../src/_internal/global-slot.js');
    const run = globalSlot<{ running: Promise<unknown> | undefined; queued: Promise<unknown> | undefined }>('cleanupRun', () => ({ running: undefined, queued: undefined }));
    let finish!: () => void;
    const order: string[] = [];
    run.running = new Promise<void>((resolve) => (finish = resolve)).then(() => void order.push('other copy'));
    try {
      registry.register(setInterval(() => undefined, 1000));
      const ours = cleanupAll().then(() => void order.push('ours'));
      await new Promise((resolve) => setImmediate(resolve));
      expect(order).toEqual([]);
      expect(registry.size).toBe(1);
      finish();
      await ours;
      expect(order).toEqual(['other copy', 'ours']);
      expect(registry.size).toBe(0);
    } finally {
      run.running = undefined;
    }
  });

  it('resolves with the failed report when throwOnError is false', async () => {
    registry.defer(() => {
      throw new Error('nope');
    });
    const report = await cleanupAll({ throwOnError: false });
    expect(report.ok).toBe(false);
    expect(report.failed.map((step) => step.step)).toEqual(['registry']);
  });

  it('gives a call made during a cleanup a fresh run that closes what was registered meanwhile', async () => {
    let release!: () => void;
    let entered!: () => void;
    const inGlobalsStep = new Promise<void>((resolve) => (entered = resolve));
    // The first run blocks in its globals step, after its registry step went past.
    disposables.push(registerGlobalReset('slow reset', () => new Promise<void>((resolve) => {
      entered();
      release = resolve;
    })));
    const closed: string[] = [];
    const first = cleanupAll();
    await inGlobalsStep;
    registry.defer(() => closed.push('late'));
    const second = cleanupAll();
    const third = cleanupAll();
    expect(closed).toEqual([]);
    release();
    await first;
    // The follow-up run blocks in the same reset: let it through too.
    await new Promise((resolve) => setImmediate(resolve));
    release();
    const [a, b, c] = await Promise.all([first, second, third]);
    expect(closed).toEqual(['late']);
    expect(a.registry).toBeUndefined();
    expect(b).toBe(c);
    expect(b.registry?.disposed).toHaveLength(1);
  });

  it('rejects bad options with an InvalidOptionError', async () => {
    await expect(cleanupAll({ throwOnErrors: true } as never)).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT', option: 'throwOnErrors' });
    await expect(cleanupAll({ throwOnError: 'yes' } as never)).rejects.toMatchObject({ option: 'throwOnError' });
  });

  it('rejects when a CUSTODIAN_* variable is invalid', async () => {
    process.env.CUSTODIAN_LEAKS = 'loud';
    try {
      await expect(cleanupAll()).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT', option: 'CUSTODIAN_LEAKS' });
    } finally {
      delete process.env.CUSTODIAN_LEAKS;
    }
  });

  it('adds no process listener of its own: the orphan protection comes with a registered child process', async () => {
    uninstall();
    resetConfiguration();
    const { install } = await import('../../src/lifecycle/install.js');
    install();
    // Undo install()'s handlers without opting out, as in a fresh worker that registered nothing.
    const { uninstallExitHandlers } = await import('../../src/_internal/exit-handlers.js');
    uninstallExitHandlers();
    const before = process.listenerCount('SIGTERM') + process.listenerCount('SIGINT') + process.listenerCount('exit');
    await cleanupAll();
    cleanupAllNow();
    expect(exitHandlersInstalled()).toBe(false);
    expect(process.listenerCount('SIGTERM') + process.listenerCount('SIGINT') + process.listenerCount('exit')).toBe(before);
    install();
    expect(exitHandlersInstalled()).toBe(true);
  });
});
