/**
 * The custodian/node-test entry point: `node --test --import custodian/node-test`.
 *
 * Loaded before each test file (`node --test` runs every file in its own process), it starts
 * leak tracking and takes the globals baseline; before each test it begins tracking under the
 * test's name, after each test it runs `cleanupAll()` and the leak check; when the file's tests
 * are done it checks what `before` hooks created and prints a summary. Options come from
 * `configure()` or the `CUSTODIAN_*` environment variables; `CUSTODIAN_REPORT=<file>` appends
 * one JSON line per test.
 *
 * Limitation: tests run with `concurrency` > 1 in one file overlap, so their handles cannot be
 * attributed per test; keep leak-sensitive tests sequential (the default).
 *
 * @example
 * ```sh
 * node --test --import custodian/node-test
 * ```
 */
import { relative } from 'node:path';
import { after, afterEach, beforeEach } from 'node:test';
import { TestSession } from './_hooks.js';

interface NodeTestContext {
  readonly name: string;
  readonly fullName?: string;
}

function testName(context: NodeTestContext): string {
  return context.fullName ?? context.name;
}

// `node --test` preloads this module in the orchestrating process too, which runs no tests.
const orchestrator = process.execArgv.includes('--test') && process.env.NODE_TEST_CONTEXT === undefined;

if (!orchestrator) {
  const entry = process.argv[1];
  const session = new TestSession({ file: entry ? relative(process.cwd(), entry) : 'node:test' });
  session.start();

  beforeEach((context) => {
    session.beginTest(testName(context as unknown as NodeTestContext));
  });

  afterEach((context) => session.endTest(testName(context as unknown as NodeTestContext)));

  after(async () => {
    await session.finish();
  });
}
