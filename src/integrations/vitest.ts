/**
 * The custodian/vitest entry point: `setupFiles: ['custodian/vitest']`.
 *
 * Per test file it starts leak tracking and takes the globals baseline; after each test it runs
 * `cleanupAll()` and the leak check (one `afterEach`, no `beforeEach`: the running test is read
 * from vitest when a handle is created); at the end of the file it checks what `beforeAll`
 * created and prints a summary. Options come from `configure()` (in a setup file listed before
 * this one) or the `CUSTODIAN_*` environment variables; `CUSTODIAN_REPORT=<file>` appends one
 * JSON line per test.
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

// Not async: endTest() returns a promise only when the cleanup has something to wait for.
vitest.afterEach((context) => {
  const task = context.task as TaskLike;
  // vitest records a test's errors before it runs the afterEach hooks.
  const failed = task.result?.state === 'fail' || (task.result?.errors?.length ?? 0) > 0;
  return session.endTest(fullName(task), { checkLeaks: task.concurrent !== true, failed });
});

vitest.afterAll(async () => {
  await session.finish();
});
