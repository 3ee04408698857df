import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundleEntry, checkAttribution, checkDisposeRun, ROOT, runSuite } from './_run.js';

const JEST = join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js');
const fullName = (name: string) => `fixture ${name}`;
let setup: string;

beforeAll(async () => {
  setup = await bundleEntry('jest', mkdtempSync(join(os.tmpdir(), 'custodian-jest-')), 'cjs');
});

function jest(): string[] {
  return [JEST, '--rootDir', join(ROOT, 'tests', 'e2e', 'fixtures', 'jest'), '--testMatch', '**/*.test.cjs', '--setupFilesAfterEnv', setup, '--ci'];
}

describe('custodian/jest', () => {
  it('names the test behind every leak kind, closes them all and exits cleanly (dispose)', async () => {
    const result = await runSuite(jest());
    checkDisposeRun(result, result.lines, fullName, '8 leaked handles');
  });

  it('fails the run under fail', async () => {
    const result = await runSuite(jest(), { CUSTODIAN_LEAKS: 'fail' });
    expect(result.hung).toBe(false);
    expect(result.code).toBe(1);
    checkAttribution(result.lines, fullName);
    expect(result.output).toContain('LeakDetectedError');
    expect(result.output).toMatch(/Tests:\s+8 failed, 9 passed/);
  });
});

describe('custodian/jest with test.concurrent', () => {
  it('attributes nothing per test in such a file, and reports it all for the file', async () => {
    const result = await runSuite([
      JEST,
      '--rootDir',
      join(ROOT, 'tests', 'e2e', 'fixtures', 'jest-concurrent'),
      '--testMatch',
      '**/*.test.cjs',
      '--setupFilesAfterEnv',
      setup,
      '--ci',
    ]);
    expect(result.hung).toBe(false);
    expect(result.code, result.output).toBe(0);
    expect(result.lines.filter((line) => line.type === 'test').flatMap((line) => line.leaks ?? [])).toEqual([]);
    const leaks = result.lines.filter((line) => line.type === 'file').flatMap((line) => line.leaks ?? []);
    expect(leaks.map((leak) => leak.test)).toEqual(Array(3).fill('tests/e2e/fixtures/jest-concurrent/concurrent.test.cjs'));
  });
});
