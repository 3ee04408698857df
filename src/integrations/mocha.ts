/**
 * The custodian/mocha entry point: `mocha --require custodian/mocha` (a root hook plugin).
 *
 * Starts leak tracking and takes the globals baseline before the run; before each test it
 * begins tracking under the test's full title, after each test it runs `cleanupAll()` and the
 * leak check; after the run it checks what root `before` hooks created and prints a summary.
 * mocha runs every file in one process, so the session spans the run, and each test's file is
 * taken from mocha. Options come from `configure()` or the `CUSTODIAN_*` environment variables;
 * `CUSTODIAN_REPORT=<file>` appends one JSON line per test.
 *
 * Limitations: with `--parallel`, each worker process gets its own session (and summary).
 * Under `leaks: 'fail'` the leak fails the root `afterEach` hook, and mocha ends the suite at a
 * failed hook: the run fails at the first leaking test (named in the hook's title).
 *
 * @example
 * ```sh
 * mocha --require custodian/mocha 'test/**\/*.spec.js'
 * ```
 */
import { TestSession } from './_hooks.js';

interface MochaContext {
  currentTest?: { fullTitle(): string; file?: string; state?: string };
}

let session: TestSession | undefined;

function testName(context: MochaContext): string {
  return context.currentTest?.fullTitle() ?? '(unnamed test)';
}

/** The root hooks mocha installs from a `--require`d module. */
export const mochaHooks = {
  beforeAll(): void {
    session = new TestSession({ file: 'mocha run' });
    session.start();
  },
  beforeEach(this: MochaContext): void {
    session?.beginTest(testName(this));
  },
  afterEach(this: MochaContext): void | Promise<void> {
    const state = this.currentTest?.state;
    return session?.endTest(testName(this), { failed: state === 'failed' ? true : state === 'passed' ? false : undefined });
  },
  async afterAll(): Promise<void> {
    await session?.finish();
    session = undefined;
  },
};
