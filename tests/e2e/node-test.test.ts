import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundleEntry, checkAttribution, checkDisposeRun, ROOT, runSuite } from './_run.js';

const fullName = (name: string) => `fixture > ${name}`;
let preload: string;

beforeAll(async () => {
  preload = await bundleEntry('node-test', mkdtempSync(join(os.tmpdir(), 'custodian-node-test-')), 'cjs');
});

function nodeTest(): string[] {
  // The ESM build is what `--import custodian/node-test` loads; this bundle is CommonJS only
  // because it sits outside the project and cannot resolve its dependencies as ESM.
  return ['--test', '--require', preload, join(ROOT, 'tests', 'e2e', 'fixtures', 'node-test', 'leaks.test.cjs')];
}

describe('custodian/node-test', () => {
  it('names the test behind every leak kind, closes them all and exits cleanly (dispose)', async () => {
    const result = await runSuite(nodeTest());
    checkDisposeRun(result, result.lines, fullName, '8 leaked handles');
  });

  it('fails the run under fail', async () => {
    const result = await runSuite(nodeTest(), { CUSTODIAN_LEAKS: 'fail' });
    expect(result.hung).toBe(false);
    expect(result.code).toBe(1);
    checkAttribution(result.lines, fullName);
    expect(result.output).toContain('ERR_LEAK_DETECTED');
  });
});

describe('custodian/node-test with concurrent tests', () => {
  it('never blames a test for what an overlapping one created', async () => {
    const file = join(ROOT, 'tests', 'e2e', 'fixtures', 'node-test', 'concurrent.test.cjs');
    const result = await runSuite(['--test', '--require', preload, file]);
    expect(result.hung).toBe(false);
    expect(result.code, result.output).toBe(0);
    const tests = result.lines.filter((line) => line.type === 'test');
    expect(tests.map((line) => [line.name, line.leaks])).toEqual([
      ['concurrent > a', []],
      ['concurrent > b', []],
    ]);
    const leaks = result.lines.filter((line) => line.type === 'file').flatMap((line) => line.leaks ?? []);
    expect(leaks).toHaveLength(2);
    // Each interval is its own test's (created before the other began) or the file's (created
    // while both ran): never the other test's.
    const FILE = 'tests/e2e/fixtures/node-test/concurrent.test.cjs';
    expect([FILE, 'concurrent > a']).toContain(leaks.find((leak) => leak.description === 'interval 1000 ms')?.test);
    expect([FILE, 'concurrent > b']).toContain(leaks.find((leak) => leak.description === 'interval 2000 ms')?.test);
  });
});
