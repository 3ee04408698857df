import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkAttribution, checkDisposeRun, EXPECTED_KIND, leakedPid, type ReportLine, ROOT, runSuite } from './_run.js';
import { isAlive } from '../_process.js';

const LEAKS_FILE = 'tests/e2e/fixtures/vitest/leaks.test.ts';
const ATTRIBUTION_FILE = 'tests/e2e/fixtures/vitest/attribution.test.ts';
const TEARDOWN_FILE = 'tests/e2e/fixtures/vitest/teardown.test.ts';
const VITEST = join(ROOT, 'node_modules', 'vitest', 'vitest.mjs');
const CONFIG = join(ROOT, 'tests', 'e2e', 'fixtures', 'vitest', 'vitest.config.ts');

const fullName = (name: string) => `fixture > ${name}`;
const ofFile = (lines: ReportLine[], file: string) => lines.filter((line) => line.file === file);

describe('custodian/vitest', () => {
  it('names the test behind every leak kind, closes them all and exits cleanly (dispose)', async () => {
    const result = await runSuite([VITEST, 'run', '--config', CONFIG, 'leaks.test']);
    checkDisposeRun(result, ofFile(result.lines, LEAKS_FILE), fullName, 'custodian: tests/e2e/fixtures/vitest/leaks.test.ts: 8 leaked handles');
  });

  it('fails the leaking tests, and only them, with ERR_LEAK_DETECTED (fail)', async () => {
    const result = await runSuite([VITEST, 'run', '--config', CONFIG, '--reporter=json', 'leaks.test'], { CUSTODIAN_LEAKS: 'fail' });
    expect(result.hung).toBe(false);
    expect(result.code).toBe(1);
    checkAttribution(ofFile(result.lines, LEAKS_FILE), fullName);
    const json = JSON.parse(result.output.slice(result.output.indexOf('{'))) as {
      testResults: Array<{ assertionResults: Array<{ title: string; status: string; failureMessages: string[] }> }>;
    };
    const results = json.testResults.flatMap((file) => file.assertionResults);
    const failed = results.filter((test) => test.status === 'failed').map((test) => test.title);
    expect(failed.sort()).toEqual(Object.keys(EXPECTED_KIND).sort());
    expect(results.find((test) => test.title === 'leaks an interval')?.failureMessages.join('\n')).toContain('LeakDetectedError');
    // The report lines say which tests custodian failed, for `custodian run`'s counts.
    const failedLines = ofFile(result.lines, LEAKS_FILE).filter((line) => (line as { status?: string }).status === 'failed');
    expect(failedLines.map((line) => line.name).sort()).toEqual(Object.keys(EXPECTED_KIND).map(fullName).sort());
  });

  it('reports without closing under warn, with creation stacks when asked', async () => {
    const result = await runSuite([VITEST, 'run', '--config', CONFIG, 'leaks.test'], { CUSTODIAN_LEAKS: 'warn', CUSTODIAN_STACKS: '1' });
    expect(result.hung).toBe(false);
    checkAttribution(ofFile(result.lines, LEAKS_FILE), fullName);
    const leaks = result.lines.flatMap((line) => line.leaks ?? []);
    expect(leaks.some((leak) => leak.disposed)).toBe(false);
    const interval = leaks.find((leak) => leak.description.startsWith('interval'));
    expect(interval?.stack?.split('\n')[0]).toContain('leak-kinds.cjs');
    // Leave nothing behind: the child the fixture spawned is killed by the worker's exit.
    const pid = leakedPid(result.lines);
    if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  });

  it('attributes beforeEach, after-await and callback handles to their test, beforeAll and concurrent ones to the file', async () => {
    const result = await runSuite([VITEST, 'run', '--config', CONFIG, 'attribution.test']);
    expect(result.hung).toBe(false);
    expect(result.code, result.output).toBe(0);
    const lines = ofFile(result.lines, ATTRIBUTION_FILE);
    const tests = lines.filter((line) => line.type === 'test').map((line) => [line.name, (line.leaks ?? []).map((leak) => leak.test)]);
    expect(tests).toEqual([
      ['attribution > leaks in beforeEach', ['attribution > leaks in beforeEach']],
      ['attribution > leaks after an await', ['attribution > leaks after an await']],
      ['attribution > leaks in a callback', ['attribution > leaks in a callback']],
      ['attribution > is clean', []],
      ['attribution > nested > is clean too', []],
      ['attribution > concurrent > leaks concurrently a', []],
      ['attribution > concurrent > leaks concurrently b', []],
    ]);
    // Both beforeAll intervals and the two concurrent ones: reported for the file, closed.
    const file = lines.filter((line) => line.type === 'file');
    expect(file).toHaveLength(1);
    expect(file[0]?.leaks?.map((leak) => [leak.kind, leak.test, leak.disposed])).toEqual(Array(4).fill(['timer', ATTRIBUTION_FILE, true]));
  });

  it("checks each test after its own teardown: afterEach hooks, onTestFinished callbacks and fixtures", async () => {
    // vitest 4.1's runner calls onAfterRetryTask after all of them, and custodian checks there.
    const result = await runSuite([VITEST, 'run', '--config', CONFIG, 'teardown.test'], { CUSTODIAN_LEAKS: 'fail' });
    expect(result.hung).toBe(false);
    expect(result.code).toBe(1);
    const tests = ofFile(result.lines, TEARDOWN_FILE).filter((line) => line.type === 'test');
    expect(tests.map((line) => [line.name, (line.leaks ?? []).length, (line as { status?: string }).status])).toEqual([
      ['teardown > closes in afterEach', 0, 'passed'],
      ['teardown > closes in onTestFinished', 0, 'passed'],
      ['teardown > closes in a fixture teardown', 0, 'passed'],
      ['teardown > leaks', 1, 'failed'],
    ]);
    expect(result.output).not.toContain('did not call');
  });

  it('checks the tests of every file when one process runs several (isolate: false)', async () => {
    // The runner hook is installed once per process; each file's setup hands it that file's session.
    const args = [VITEST, 'run', '--config', CONFIG, '--no-isolate', '--no-file-parallelism', '--maxWorkers=1', 'teardown.test', 'attribution.test'];
    const result = await runSuite(args, { CUSTODIAN_LEAKS: 'warn' });
    expect(result.hung).toBe(false);
    expect(result.code, result.output).toBe(0);
    const tests = result.lines.filter((line) => line.type === 'test') as Array<ReportLine & { pid?: number }>;
    expect(new Set(tests.map((line) => line.pid)).size).toBe(1);
    const leaking = (file: string) =>
      ofFile(tests, file)
        .filter((line) => (line.leaks ?? []).length > 0)
        .map((line) => line.name);
    expect(leaking(TEARDOWN_FILE)).toEqual(['teardown > leaks']);
    expect(leaking(ATTRIBUTION_FILE)).toEqual(['attribution > leaks in beforeEach', 'attribution > leaks after an await', 'attribution > leaks in a callback']);
  });

  it('keeps what a file sets up outside its tests (module code, beforeAll, stubGlobal there) and takes back what a test changes', async () => {
    const result = await runSuite([VITEST, 'run', '--config', CONFIG, 'setup.test']);
    expect(result.hung).toBe(false);
    expect(result.code, result.output).toBe(0);
    const tests = result.lines.filter((line) => line.type === 'test');
    expect(tests).toHaveLength(4);
    // The file's own setup is no news at its end: nothing got past the per-test check.
    expect(result.output).not.toContain('past the per-test check');
  });

  it('says so when the runner never calls its onAfterRetryTask hook, rather than report a clean run', async () => {
    const config = join(ROOT, 'tests', 'e2e', 'fixtures', 'vitest', 'vitest.no-runner-hook.config.ts');
    const result = await runSuite([VITEST, 'run', '--config', config, 'teardown.test']);
    expect(result.hung).toBe(false);
    expect(result.output).toContain("custodian: vitest's runner did not call its onAfterRetryTask hook");
    // Nothing was checked: no test line in the report.
    expect(result.lines.filter((line) => line.type === 'test')).toEqual([]);
  });
});
