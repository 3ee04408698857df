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
// The setup file is transformed by vite, in vitest's main process, before the first worker can
// load it: it is kept to these lines, and the setup itself is loaded by Node (vitest-setup.ts).
import * as vitest from 'vitest';
import { setUpVitestFile } from './vitest-setup.js';

// Not a literal: vite resolves every literal `import()` of a module it transforms, run or not,
// and vitest 5 has no vitest/suite export any more (the whole file failed to load there).
const SUITE = ['vitest', 'suite'].join('/');

setUpVitestFile(vitest, () => import(/* @vite-ignore */ SUITE));
