/**
 * The custodian/jest entry point: `setupFilesAfterEnv: ['custodian/jest']`.
 *
 * Per test file it starts leak tracking and takes the globals baseline; before each test it
 * begins tracking under the test's full name, after each test it runs `cleanupAll()` and the
 * leak check; at the end of the file it checks what `beforeAll` created and prints a summary.
 * Options come from `configure()` or the `CUSTODIAN_*` environment variables;
 * `CUSTODIAN_REPORT=<file>` appends one JSON line per test.
 *
 * Limitations: jest runs this file's `afterAll` before the test file's own, so handles created
 * in `beforeAll` are not checked at the end of the file (handles tests leave are). In a file
 * with `test.concurrent` tests, whose bodies start before their hooks run, handles are not
 * attributed per test at all: they go to the file scope and are reported at its end.
 *
 * @example
 * ```js
 * // jest.config.js
 * module.exports = { setupFilesAfterEnv: ['custodian/jest'] };
 * ```
 */
import { relative } from 'node:path';
import { checkGlobalPropertiesPerReset } from '../globals/clean-state.js';
import { TestSession } from './_hooks.js';

interface JestGlobals {
  beforeEach(fn: () => unknown): void;
  afterEach(fn: () => unknown): void;
  afterAll(fn: () => unknown): void;
  expect: { getState(): { currentTestName?: string; testPath?: string } };
}

const jest = globalThis as unknown as JestGlobals;
const state = () => jest.expect.getState();
const testPath = state().testPath;

// jest's global is a vm context: its properties are checked at the end of the file (see
// checkGlobalPropertiesPerReset), the environment and process listeners after every test.
checkGlobalPropertiesPerReset(false);
const session = new TestSession({ file: testPath ? relative(process.cwd(), testPath) : 'jest' });
session.start();

interface CircusBlock {
  readonly type?: string;
  readonly concurrent?: boolean;
  readonly children?: readonly CircusBlock[];
}

interface CircusState {
  readonly rootDescribeBlock?: CircusBlock;
  readonly currentlyRunningTest?: { readonly errors?: readonly unknown[] } | null;
}

// jest-circus keeps its state on the environment's global under an unregistered symbol; listing
// the global's symbols costs about 16 µs in jest's vm context, so the symbol is found once.
let stateSymbol: symbol | undefined;

function circusState(): CircusState | undefined {
  stateSymbol ??= Object.getOwnPropertySymbols(globalThis).find((candidate) => candidate.description === 'JEST_STATE_SYMBOL');
  return stateSymbol && (globalThis as unknown as Record<symbol, CircusState | undefined>)[stateSymbol];
}

/** Whether the running test has failed so far (circus records errors before the afterEach hooks); undefined when circus is not the runner. */
function runningTestFailed(): boolean | undefined {
  const errors = circusState()?.currentlyRunningTest?.errors;
  return errors === undefined ? undefined : errors.length > 0;
}

function hasConcurrentTests(): boolean {
  const root = circusState()?.rootDescribeBlock;
  const visit = (block: CircusBlock): boolean =>
    (block.type === 'test' && block.concurrent === true) || (block.children ?? []).some(visit);
  return root !== undefined && visit(root);
}

let concurrent: boolean | undefined;

jest.beforeEach(() => {
  concurrent ??= hasConcurrentTests();
  session.beginTest(state().currentTestName ?? '(unnamed test)', { attributable: !concurrent });
});

jest.afterEach(() => session.endTest(state().currentTestName ?? '(unnamed test)', { failed: runningTestFailed() }));

// jest runs afterAll hooks in the order they were defined, so this one runs before the test
// file's own afterAll: what beforeAll created may still be closed there, and is not checked.
jest.afterAll(() => session.finish({ fileScope: false }));
