import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, it } from 'vitest';
import { bundleEntry, checkDisposeRun, checkMochaFailRun, ROOT, runSuite } from './_run.js';

const MOCHA = join(ROOT, 'node_modules', 'mocha', 'bin', 'mocha.js');
const fullName = (name: string) => `fixture ${name}`;
let plugin: string;

beforeAll(async () => {
  plugin = await bundleEntry('mocha', mkdtempSync(join(os.tmpdir(), 'custodian-mocha-')), 'cjs');
});

function mocha(): string[] {
  return [MOCHA, '--require', plugin, join(ROOT, 'tests', 'e2e', 'fixtures', 'mocha', 'leaks.spec.cjs')];
}

describe('custodian/mocha', () => {
  it('names the test behind every leak kind, closes them all and exits cleanly (dispose)', async () => {
    const result = await runSuite(mocha());
    checkDisposeRun(result, result.lines, fullName, 'custodian: mocha run: 8 leaked handles');
  });

  it('fails the run at the first leak under fail (a failed afterEach hook ends mocha\'s suite)', async () => {
    const result = await runSuite(mocha(), { CUSTODIAN_LEAKS: 'fail' });
    checkMochaFailRun(result);
  });
});
