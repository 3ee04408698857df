import { readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../../src/cli/report-types.js';
import { builtCli, runCli, type BuiltCli } from './_cli.js';

const MiB = 1024 * 1024;
let built: BuiltCli;
let out: string;

beforeAll(async () => {
  built = await builtCli();
  out = mkdtempSync(join(tmpdir(), 'custodian-cli-reports-'));
}, 300_000);

const readJson = (file: string): Report => JSON.parse(readFileSync(file, 'utf8')) as Report;

describe('custodian run', () => {
  it('passes a clean suite: exit 0, no gate tripped, no leak suspected', async () => {
    const json = join(out, 'clean.json');
    const result = await runCli(built, ['run', '--json', json, '--max-growth', '64MB', '--fail-on-leak', '--', 'vitest', 'run', 'clean.test.mjs']);
    expect(result.code, result.stderr).toBe(0);
    const report = readJson(json);
    expect(report).toMatchObject({ schema: 'custodian-report', version: 1, exitCode: 0 });
    expect(report.tests).toHaveLength(60);
    expect(report.summary.heap.verdict).not.toBe('leak-suspected');
    expect(report.summary.gates.map((gate) => gate.passed)).toEqual([true, true]);
    expect(report.samples.length).toBeGreaterThan(0);
    expect(result.stdout).toContain('heap trend');
  });

  it('finds 1 MiB retained per test within 15% and trips --max-growth with exit 3', async () => {
    const json = join(out, 'retains.json');
    const result = await runCli(built, ['run', '--json', json, '--max-growth', '16MB', '--', 'vitest', 'run', 'retains-1mb.test.mjs']);
    expect(result.code, result.stderr).toBe(3);
    const report = readJson(json);
    expect(report.summary.heap.verdict).toBe('leak-suspected');
    const slope = report.summary.heap.worst!.trend.slopeBytesPerTest;
    expect(Math.abs(slope - MiB) / MiB).toBeLessThan(0.15);
    expect(report.summary.gates).toEqual([expect.objectContaining({ gate: 'max-growth', passed: false })]);
    expect(result.stdout).toContain('gate --max-growth: FAILED');
  });

  it("passes the test command's exit code through when a test fails", async () => {
    const json = join(out, 'failing.json');
    const result = await runCli(built, ['run', '--json', json, '--max-growth', '1B', '--', 'vitest', 'run', 'failing.test.mjs']);
    expect(result.code).toBe(1);
    const report = readJson(json);
    expect(report.run.exitCode).toBe(1);
    expect(report.summary.tests).toMatchObject({ total: 2, failed: 1 });
  });

  it('joins sharded reports with report merge', async () => {
    const first = join(out, 'shard-1.json');
    const second = join(out, 'shard-2.json');
    const merged = join(out, 'merged.json');
    await runCli(built, ['run', '--json', first, '--', 'vitest', 'run', 'failing.test.mjs', '-t', 'passes']);
    await runCli(built, ['run', '--json', second, '--', 'vitest', 'run', 'failing.test.mjs', '-t', 'fails']);
    const result = await runCli(built, ['report', 'merge', first, second, '-o', merged, '--html', join(out, 'merged.html')]);
    expect(result.code, result.stderr).toBe(0);
    const report = readJson(merged);
    expect(report.run.shards).toBe(2);
    expect(report.tests.map((test) => [test.name, test.shard])).toEqual([['passes', 0], ['fails', 1]]);
    expect(report.run.exitCode).toBe(1);
    expect(readFileSync(join(out, 'merged.html'), 'utf8')).toContain('id="rss-chart"');
  });

  it("maps -t to the runner's own flag", async () => {
    const json = join(out, 'pattern.json');
    const result = await runCli(built, ['run', '--json', json, '-t', 'passes', '--', 'vitest', 'run', 'failing.test.mjs']);
    expect(result.code).toBe(0);
    expect(readJson(json).tests.map((test) => test.name)).toEqual(['passes']);
  });

  it("agrees within 5% with the kernel's peak RSS (VmHWM) of a child that allocates 300 MiB", async () => {
    const json = join(out, 'allocate.json');
    const hwmFile = join(out, 'hwm.json');
    const result = await runCli(built, ['run', '--sample-interval', '0.1', '--json', json, '--', process.execPath, 'allocate.mjs', '300', hwmFile, '1500']);
    expect(result.code, result.stderr).toBe(0);
    const { hwm } = JSON.parse(readFileSync(hwmFile, 'utf8')) as { hwm: number };
    const peak = readJson(json).summary.rss.peak;
    expect(hwm).toBeGreaterThan(300 * MiB);
    expect(Math.abs(peak - hwm) / hwm).toBeLessThan(0.05);
  });

  it('--gc-debug exposes gc() and traces GCs in the test processes', async () => {
    const script = "if (typeof gc !== 'function') process.exit(5); gc();";
    const result = await runCli(built, ['run', '--gc-debug', '--', process.execPath, '-e', script]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout + result.stderr).toMatch(/Mark-Compact/);
  });

  it('exits with 2 and says what is accepted for bad arguments', async () => {
    const size = await runCli(built, ['run', '--max-rss', 'lots']);
    expect(size.code).toBe(2);
    expect(size.stderr).toContain('512MB');
    expect(size.stderr).toContain('1.5GiB');
    const unknown = await runCli(built, ['run', '--frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--frobnicate');
    const merge = await runCli(built, ['report', 'merge', 'a.json']);
    expect(merge.code).toBe(2);
    expect(merge.stderr).toContain('-o');
    const pattern = await runCli(built, ['run', '-t', 'x', '--', 'some-runner']);
    expect(pattern.code).toBe(2);
    expect(pattern.stderr).toContain('vitest, jest, mocha and node --test');
  });
});
