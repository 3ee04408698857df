import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../../src/cli/report-types.js';
import { builtCli, runCli, type BuiltCli } from './_cli.js';

const MiB = 1024 * 1024;
let built: BuiltCli;
let out: string;

beforeAll(async () => {
  // The CLI finds the built custodian/vitest next to itself and injects it.
  built = await builtCli();
  out = mkdtempSync(join(tmpdir(), 'custodian-cli-integration-'));
}, 120_000);

afterAll(() => {
  rmSync(out, { recursive: true, force: true });
});

const readJson = (file: string): Report => JSON.parse(readFileSync(file, 'utf8')) as Report;

describe('custodian run with the built custodian/vitest integration', () => {
  it('injects the integration into an unchanged vitest config: leaks by test, the heap trend, the gates', async () => {
    const json = join(out, 'report.json');
    const result = await runCli(built, ['run', '--json', json, '--max-growth', '16MB', '--', 'vitest', 'run', 'real-integration.test.mjs']);
    // The tests pass (the leak is closed under the default 'dispose'); the growth gate trips.
    expect(result.code, result.stderr).toBe(3);
    const report = readJson(json);
    expect(report.tests).toHaveLength(42);
    const leaky = report.tests.filter((test) => test.leaks.length > 0);
    expect(leaky.map((test) => test.name)).toEqual(['leaks an interval']);
    expect(leaky[0]!.leaks[0]).toMatchObject({ kind: 'timer', disposed: true });
    expect(report.tests.every((test) => typeof test.pid === 'number')).toBe(true);
    expect(report.summary.heap.verdict).toBe('leak-suspected');
    const slope = report.summary.heap.worst!.trend.slopeBytesPerTest;
    expect(Math.abs(slope - MiB) / MiB).toBeLessThan(0.15);
    expect(result.stdout).toContain('leaks an interval');
  });

  it('fails the run on a leak with --fail-on-leak, exit 3', async () => {
    const result = await runCli(built, ['run', '--fail-on-leak', '--', 'vitest', 'run', 'real-integration.test.mjs', '-t', 'interval']);
    expect(result.code, result.stderr).toBe(3);
  });

  it('reports what beforeAll left open under the file, and --fail-on-leak trips on it', async () => {
    const json = join(out, 'file-leak.json');
    const result = await runCli(built, ['run', '--json', json, '--fail-on-leak', '--', 'vitest', 'run', 'file-leak.test.mjs']);
    expect(result.code, result.stderr).toBe(3);
    const report = readJson(json);
    expect(report.tests.map((test) => [test.name, test.leaks.length])).toEqual([['is clean', 0]]);
    expect(report.fileLeaks).toEqual([expect.objectContaining({ file: 'file-leak.test.mjs', leaks: [expect.objectContaining({ kind: 'timer', disposed: true })] })]);
    expect(report.summary.leaksByTest.map((entry) => entry.name)).toEqual(['(outside tests)']);
    expect(result.stdout).toContain('file-leak.test.mjs > (outside tests)');
  });
});
