import { relative } from 'node:path';
import type * as Vitest from 'vitest';
import { globalSlot } from '../_internal/global-slot.js';
import { isThenable } from '../_internal/thenable.js';
import { TestSession } from './_hooks.js';

/**
 * What the custodian/vitest setup file does, in a module of its own: vite transforms a setup file
 * in its main process before the first worker can load it (resolving every import, reading and
 * merging its source map), which took 19-31 ms for the first test file of every run while the
 * entry held this code (11-12 ms now). The entry is now a few lines that hand over the worker's own `vitest`
 * module; this module is loaded by Node like the rest of the package, once per process, and
 * imports nothing from vitest itself (the `vitest` the runner resolved for the setup file is the
 * one whose hooks must be used).
 */

/** The parts of the `vitest` module the setup uses. */
type VitestModule = Pick<typeof Vitest, 'afterAll' | 'afterEach' | 'beforeAll' | 'beforeEach' | 'expect'>;

interface TaskLike {
  readonly name: string;
  readonly result?: { readonly state?: string; readonly errors?: readonly unknown[] };
  readonly type?: string;
  readonly concurrent?: boolean;
  readonly fullTestName?: string;
  readonly suite?: TaskLike;
  /** Set on the file task only. */
  readonly filepath?: string;
}

function fullName(task: TaskLike): string {
  if (typeof task.fullTestName === 'string' && task.fullTestName !== '') return task.fullTestName;
  const names: string[] = [];
  for (let current: TaskLike | undefined = task; current !== undefined; current = current.suite) {
    // The file's name is its path, reported separately. It is told by `filepath`, not by being
    // the root: vitest 4 makes the file a top-level describe's `suite`, vitest 3 leaves that
    // `suite` undefined (the file is only its `file`), so the describe is the root there.
    if (current.filepath === undefined) names.unshift(current.name);
  }
  return names.filter(Boolean).join(' > ');
}

type GetCurrentTest = () => TaskLike | undefined;
type RetryHook = (this: unknown, test: TaskLike, options: unknown) => unknown;
interface RunnerPrototype {
  importFile?: unknown;
  onBeforeTryTask?: RetryHook;
  onAfterRetryTask?: RetryHook;
}
interface RunnerClass {
  prototype?: RunnerPrototype;
  getCurrentTest?: GetCurrentTest;
}

/**
 * Per process: whether custodian's hooks are installed on vitest's runner, the end of test of the
 * file running now (each file's setup replaces it), how many tests the runner started and
 * ended through them, and where the running test is read (vitest 4.1's
 * `TestRunner.getCurrentTest`, or vitest/suite's once loaded). Shared by both builds, so a second
 * copy neither patches twice nor calls a stale session.
 */
const hook: {
  installed: boolean;
  beforeTest: ((task: TaskLike) => void) | undefined;
  afterTest: ((task: TaskLike) => void | Promise<void>) | undefined;
  started: number;
  ended: number;
  getCurrentTest: GetCurrentTest | undefined;
} = globalSlot('vitestRunnerHook', () => ({ installed: false, beforeTest: undefined, afterTest: undefined, started: 0, ended: 0, getCurrentTest: undefined }));

function currentTest(): TaskLike | undefined {
  // Called unbound, as vitest's own code calls it (not as a method of the slot).
  const getCurrentTest = hook.getCurrentTest;
  const task = getCurrentTest?.();
  return task !== undefined && task.concurrent !== true ? task : undefined;
}

function testName(task: unknown): string {
  return fullName(task as TaskLike);
}

/**
 * vitest's own runner, when the worker uses it: the `TestRunner` class vitest 4.1 exports (its
 * static `getCurrentTest` marks it), in test mode, with no `runner` option. A custom runner may
 * not extend it, and then a hook on its prototype would never run.
 */
function ownRunnerPrototype(exported: RunnerClass | undefined): RunnerPrototype | undefined {
  const prototype = exported?.prototype;
  if (typeof exported?.getCurrentTest !== 'function' || typeof prototype?.importFile !== 'function') return undefined;
  const worker = (globalThis as { __vitest_worker__?: { config?: { runner?: unknown; mode?: unknown } } }).__vitest_worker__;
  const config = worker?.config;
  if (config === undefined || config.runner !== undefined || (config.mode !== undefined && config.mode !== 'test')) return undefined;
  return prototype;
}

/** Installs custodian's end of test as the runner's `onAfterRetryTask`, after the runner's own (vitest 5 has one). */
function installRunnerHook(prototype: RunnerPrototype): void {
  if (hook.installed) return;
  hook.installed = true;
  const beforeTry = prototype.onBeforeTryTask;
  prototype.onBeforeTryTask = function onBeforeTryTask(this: unknown, test: TaskLike, options: unknown): unknown {
    hook.started++;
    hook.beforeTest?.(test);
    return beforeTry?.call(this, test, options);
  };
  const afterRetry = prototype.onAfterRetryTask;
  prototype.onAfterRetryTask = function onAfterRetryTask(this: unknown, test: TaskLike, options: unknown): unknown {
    const own = afterRetry?.call(this, test, options);
    const end = hook.afterTest;
    hook.ended++;
    if (end === undefined) return own;
    return isThenable(own) ? Promise.resolve(own).then(() => end(test)) : end(test);
  };
}

/** `lastSuite` before a file's first test: never a suite. */
const NO_SUITE = {};

/**
 * Sets up one test file: its session (leak tracking, the globals baseline, the memory sample),
 * custodian's hooks around each of its tests and the end-of-file check. Runs each time the setup
 * file does, once per test file (several times in one process with `isolate: false`).
 * `loadSuite` imports vitest/suite for vitests without `TestRunner.getCurrentTest` (before 4.1),
 * through the runner, as the setup file's own import would.
 * @internal
 */
export function setUpVitestFile(vitest: VitestModule, loadSuite: () => Promise<unknown>): void {
  const runner = (vitest as unknown as { TestRunner?: RunnerClass }).TestRunner;
  // vitest 4.1 has TestRunner.getCurrentTest(); older versions export it from vitest/suite (which
  // 4.1 deprecates with a warning on import, so it is only loaded when needed).
  hook.getCurrentTest ??= runner?.getCurrentTest;

  const testPath = vitest.expect.getState().testPath;
  const session = new TestSession({
    file: testPath ? relative(process.cwd(), testPath) : 'vitest',
    currentTest,
    testName,
  });
  session.start();

  if (hook.getCurrentTest === undefined) {
    vitest.beforeAll(async () => {
      const suite = (await loadSuite()) as { getCurrentTest: GetCurrentTest };
      hook.getCurrentTest = suite.getCurrentTest;
    });
  }

  // beforeAll hooks run when a suite starts: what they set up is adopted before its first test.
  let lastSuite: unknown = NO_SUITE;

  /** The start of one try of a test: a suite's first test adopts what was set up before it. */
  const beforeTest = (task: TaskLike): void => {
    if (task.suite === lastSuite) return;
    lastSuite = task.suite;
    session.adoptSetup();
  };

  /** The end of one test: `cleanupAll()` and the leak check, through the file's session. */
  const afterTest = (task: TaskLike): void | Promise<void> => {
    // vitest records a test's errors before it runs the after-hooks.
    const failed = task.result?.state === 'fail' || (task.result?.errors?.length ?? 0) > 0;
    return session.endTest(fullName(task), { checkLeaks: task.concurrent !== true, failed });
  };

  const prototype = ownRunnerPrototype(runner);
  if (prototype !== undefined) {
    installRunnerHook(prototype);
    hook.beforeTest = beforeTest;
    hook.afterTest = afterTest;
  } else {
    // The first beforeEach to run (setup files register first), before the test's own.
    vitest.beforeEach((context) => beforeTest(context.task as TaskLike));
    // Not async: endTest() returns a promise only when the cleanup has something to wait for.
    vitest.afterEach((context) => afterTest(context.task as TaskLike));
  }

  vitest.afterAll(async () => {
    // A vitest whose runner does not call onAfterRetryTask would leave every test unchecked: say so
    // rather than report a clean run.
    if (prototype !== undefined && hook.started > 0 && hook.ended === 0) {
      console.warn(
        "custodian: vitest's runner did not call its onAfterRetryTask hook, so no test was cleaned up or checked for leaks; please report your vitest version.",
      );
    }
    await session.finish();
  });
}

