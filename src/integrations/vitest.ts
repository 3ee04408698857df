/**
 * The custodian/vitest entry point: `setupFiles: ['custodian/vitest']`.
 *
 * Per test file it starts leak tracking and takes the globals baseline; when a suite's first test
 * starts, what the file set up since (module code, `beforeAll` hooks) becomes the baseline; after
 * each test it runs `cleanupAll()` and the leak check; at the end of the file it checks what
 * `beforeAll` created, puts back the globals as the file found them and prints a summary. The
 * running test is read from vitest when a handle is created. Options come from `configure()` (in a setup file listed before this one)
 * or the `CUSTODIAN_*` environment variables; `CUSTODIAN_REPORT=<file>` appends one JSON line
 * per test.
 *
 * Where the check runs: with vitest's own test runner from 4.1 on, in the runner's
 * `onAfterRetryTask` hook, which vitest calls after every `afterEach` hook, `onTestFinished`
 * callback and test-context fixture teardown of the test (so what those close is not a leak),
 * and which costs nothing per test, where one `afterEach` costs vitest about 8 µs. A failure
 * there fails the test, as in an `afterEach`. With vitest 3, a custom `runner`, or benchmark
 * mode, the check is one `afterEach` hook (the last of the test's `afterEach` hooks to run, as
 * setup files register first); then `onTestFinished` callbacks and fixture teardowns run after it.
 *
 * Concurrent tests (`test.concurrent`) cannot be told apart while they run: their handles are
 * attributed to the file and reported by the end-of-file check, never to the wrong test.
 *
 * @example
 * ```ts
 * // vitest.config.ts
 * export default defineConfig({ test: { setupFiles: ['custodian/vitest'] } });
 * ```
 */
import { relative } from 'node:path';
import * as vitest from 'vitest';
import { globalSlot } from '../_internal/global-slot.js';
import { isThenable } from '../_internal/thenable.js';
import { TestSession } from './_hooks.js';

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
const runner = (vitest as unknown as { TestRunner?: { getCurrentTest?: GetCurrentTest } }).TestRunner;
// vitest 4.1 has TestRunner.getCurrentTest(); older versions export it from vitest/suite (which
// 4.1 deprecates with a warning on import, so it is only loaded when needed).
let getCurrentTest: GetCurrentTest | undefined = runner?.getCurrentTest;

function currentTest(): TaskLike | undefined {
  const task = getCurrentTest?.();
  return task !== undefined && task.concurrent !== true ? task : undefined;
}

const testPath = vitest.expect.getState().testPath;
const session = new TestSession({
  file: testPath ? relative(process.cwd(), testPath) : 'vitest',
  currentTest,
  testName: (task) => fullName(task as TaskLike),
});
session.start();

// Not a literal: vite resolves every literal `import()` of a module it transforms, run or not,
// and vitest 5 has no vitest/suite export any more (the whole file failed to load there).
const SUITE = ['vitest', 'suite'].join('/');

if (getCurrentTest === undefined) {
  vitest.beforeAll(async () => {
    const suite = (await import(/* @vite-ignore */ SUITE)) as { getCurrentTest: GetCurrentTest };
    getCurrentTest = suite.getCurrentTest;
  });
}

// beforeAll hooks run when a suite starts: what they set up is adopted before its first test.
const NO_SUITE = {};
let lastSuite: unknown = NO_SUITE;

/** The start of one try of a test: a suite's first test adopts what was set up before it. */
function beforeTest(task: TaskLike): void {
  if (task.suite === lastSuite) return;
  lastSuite = task.suite;
  session.adoptSetup();
}

/** The end of one test: `cleanupAll()` and the leak check, through the file's session. */
function afterTest(task: TaskLike): void | Promise<void> {
  // vitest records a test's errors before it runs the after-hooks.
  const failed = task.result?.state === 'fail' || (task.result?.errors?.length ?? 0) > 0;
  return session.endTest(fullName(task), { checkLeaks: task.concurrent !== true, failed });
}

type RetryHook = (this: unknown, test: TaskLike, options: unknown) => unknown;
interface RunnerPrototype {
  importFile?: unknown;
  onBeforeTryTask?: RetryHook;
  onAfterRetryTask?: RetryHook;
}

/**
 * Per process: whether custodian's hooks are installed on vitest's runner, the end of test of the
 * file running now (each file's setup replaces it), and how many tests the runner started and
 * ended through them. Shared by both builds, so a second copy neither patches twice nor calls a
 * stale session.
 */
const hook: {
  installed: boolean;
  beforeTest: ((task: TaskLike) => void) | undefined;
  afterTest: ((task: TaskLike) => void | Promise<void>) | undefined;
  started: number;
  ended: number;
} = globalSlot('vitestRunnerHook', () => ({ installed: false, beforeTest: undefined, afterTest: undefined, started: 0, ended: 0 }));

/**
 * vitest's own runner, when the worker uses it: the `TestRunner` class vitest 4.1 exports (its
 * static `getCurrentTest` marks it), in test mode, with no `runner` option. A custom runner may
 * not extend it, and then a hook on its prototype would never run.
 */
function ownRunnerPrototype(): RunnerPrototype | undefined {
  const exported = (vitest as unknown as { TestRunner?: { prototype?: RunnerPrototype; getCurrentTest?: unknown } }).TestRunner;
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

const prototype = ownRunnerPrototype();
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
