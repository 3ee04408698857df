import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../../src/cli/report-types.js';
import { builtCli, FIXTURES, runCli, type BuiltCli } from './_cli.js';

const MiB = 1024 * 1024;
const JEST = join(FIXTURES, 'jest');
let built: BuiltCli;
let out: string;

beforeAll(async () => {
  built = await builtCli();
  out = mkdtempSync(join(tmpdir(), 'custodian-cli-jest-'));
}, 300_000);

const readJson = (file: string): Report => JSON.parse(readFileSync(file, 'utf8')) as Report;

describe('custodian run -- jest', () => {
  it('loads the setup through a generated config, finds 1 MiB per test and trips --max-growth', async () => {
    const json = join(out, 'retains.json');
    const result = await runCli(built, ['run', '--json', json, '--max-growth', '16MB', '--', 'jest', 'retains-1mb'], {}, JEST);
    expect(result.code, result.stderr).toBe(3);
    const report = readJson(json);
    expect(report.run.runner).toBe('jest');
    expect(report.tests).toHaveLength(60);
    const slope = report.summary.heap.worst!.trend.slopeBytesPerTest;
    expect(Math.abs(slope - MiB) / MiB).toBeLessThan(0.15);
    expect(report.summary.heap.verdict).toBe('leak-suspected');
  });

  it("passes jest's exit code through when a test fails, with -t mapped", async () => {
    const json = join(out, 'failing.json');
    const failing = await runCli(built, ['run', '--json', json, '--', 'jest', 'failing'], {}, JEST);
    expect(failing.code).toBe(1);
    // The integration reads each test's outcome from jest-circus in its afterEach.
    expect(readJson(json).summary.tests).toMatchObject({ total: 2, failed: 1 });
    expect(readJson(json).tests.map((test) => [test.name, test.status])).toEqual([['passes', 'passed'], ['fails', 'failed']]);
    const filtered = await runCli(built, ['run', '--json', json, '-t', 'passes', '--', 'jest', 'failing'], {}, JEST);
    expect(filtered.code, filtered.stderr).toBe(0);
    expect(readJson(json).tests.map((test) => test.name)).toEqual(['passes']);
  });
});
