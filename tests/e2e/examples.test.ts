import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report, ReportTest } from '../../src/cli/report-types.js';
import { builtCli, ROOT, runCli, type BuiltCli, type CliResult } from './cli/_cli.js';

// The deliberate leaks of examples/, by test: what each leaves open.
const LEAKS: Record<string, string[]> = {
  'orders API > rejects an order without a customer': ['server'],
  'heartbeat > counts beats from zero': ['timer'],
  'hasher > gives equal orders equal fingerprints': ['thread'],
};
const FORGOTTEN_DATA_SOURCE = 'database > starts a private database empty';
// Tests whose registry cleanup is expected to close something (createTestDataSource()).
const REGISTERED = ['shipper > ships new orders in the background'];

let built: BuiltCli;
let dist: string;
let out: string;
let result: CliResult;
let report: Report;

beforeAll(async () => {
  // examples/vitest.config.mjs points `custodian` at this run's build through CUSTODIAN_DIST
  // instead of ../dist, which a developer may be rebuilding meanwhile.
  built = await builtCli();
  dist = built.dir;
  out = mkdtempSync(join(tmpdir(), 'custodian-examples-'));
  // `npm run example`, with the reports written to a private directory.
  result = await runCli(
    built,
    ['run', '--html', join(out, 'report.html'), '--json', join(out, 'report.json'), '--', 'vitest', 'run', '--config', 'examples/vitest.config.mjs'],
    { CUSTODIAN_DIST: dist, CUSTODIAN_LEAKS: '' },
    ROOT,
  );
  report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report;
}, 300_000);

afterAll(() => {
  rmSync(out, { recursive: true, force: true });
});

const byName = (name: string): ReportTest => {
  const test = report.tests.find((entry) => entry.name === name);
  if (test === undefined) throw new Error(`no test line for "${name}"`);
  return test;
};

describe('examples/ run through custodian run', () => {
  it('passes: every leak is closed, none fails its test', () => {
    expect(result.code, result.stderr).toBe(0);
    expect(report.exitCode).toBe(0);
    expect(report.summary.tests).toMatchObject({ total: 31, failed: 0 });
    expect(report.tests.every((test) => test.cleanup.ok && test.status !== 'failed')).toBe(true);
  });

  it('attributes each deliberate leak to its test and closes it', () => {
    for (const [name, kinds] of Object.entries(LEAKS)) {
      const test = byName(name);
      expect(test.leaks.map((leak) => leak.kind), name).toEqual(expect.arrayContaining(kinds));
      expect(test.leaks.every((leak) => leak.disposed && leak.test === name), name).toBe(true);
    }
    const named = report.summary.leaksByTest.map((entry) => entry.name);
    expect(named.sort()).toEqual(Object.keys(LEAKS).sort());
    for (const name of Object.keys(LEAKS)) expect(result.stdout).toContain(name);
  });

  it('blames no clean test', () => {
    const blamed = report.tests.filter((test) => test.leaks.length > 0).map((test) => test.name);
    expect(blamed.sort()).toEqual(Object.keys(LEAKS).sort());
  });

  it('destroys the forgotten DataSource in the cleanup after its test, and only there', () => {
    // trackDataSources() registered it; SQLite in memory holds no handle, so it shows as
    // what the cleanup closed rather than as a leaked handle.
    expect(byName(FORGOTTEN_DATA_SOURCE).cleanup.disposed).toBe(1);
    const closing = report.tests.filter((test) => test.cleanup.disposed > 0).map((test) => test.name);
    expect(closing.sort()).toEqual([FORGOTTEN_DATA_SOURCE, ...REGISTERED].sort());
  });

  it('finds the slow memory leak of the report cache by the heap trend', () => {
    expect(report.summary.heap.verdict).toBe('leak-suspected');
    const worst = report.summary.heap.worst!;
    const reportTests = report.tests.filter((test) => test.series === worst.series);
    expect(reportTests.every((test) => test.file.endsWith('reports.test.mjs'))).toBe(true);
    expect(worst.trend.suspectedLeak).toBe(true);
    // 16,384 rows per report: about 2.6 MiB a test.
    expect(worst.trend.slopeBytesPerTest).toBeGreaterThan(1024 * 1024);
    expect(report.summary.topFiles[0]!.file).toMatch(/reports\.test\.mjs$/);
    expect(result.stdout).toContain('LEAK SUSPECTED');
  });

  it('writes the page with the memory chart', () => {
    const html = join(out, 'report.html');
    expect(existsSync(html)).toBe(true);
    const page = readFileSync(html, 'utf8');
    expect(page).toContain('id="rss-chart"');
    expect(page).toContain('id="heap-chart"');
    // The page carries the per-test data its script draws the heap chart from.
    expect(page).toContain('renders the monthly report of ada');
  });

  it('fails exactly the leaking tests with CUSTODIAN_LEAKS=fail (the CI setting)', async () => {
    const json = join(out, 'fail.json');
    const failed = await runCli(
      built,
      ['run', '--json', json, '--', 'vitest', 'run', '--config', 'examples/vitest.config.mjs'],
      { CUSTODIAN_DIST: dist, CUSTODIAN_LEAKS: 'fail' },
      ROOT,
    );
    expect(failed.code, failed.stderr).toBe(1);
    expect(failed.stdout).toMatch(/3 failed/);
    const lines = (JSON.parse(readFileSync(json, 'utf8')) as Report).tests;
    // The lines carry no status (the integration writes them before vitest records the
    // failure): a test failed by its cleanup is one whose cleanup is not ok.
    const names = lines.filter((test) => !test.cleanup.ok).map((test) => test.name);
    expect(names.sort()).toEqual(Object.keys(LEAKS).sort());
  }, 120_000);
});
