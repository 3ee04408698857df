import { constants } from 'node:os';
import { fitLine } from '../memory/least-squares.js';
import { computeTrend } from '../memory/trend.js';
import {
  REPORT_SCHEMA,
  REPORT_VERSION,
  type GateResult,
  type Report,
  type ReportFile,
  type ReportRun,
  type ReportSummary,
  type ReportTest,
  type SeriesTrend,
} from './report-types.js';
import type { RssSample } from './sampler.js';
import { formatBytes } from './sizes.js';
import type { FileLeakLine, LeakLine, TestLine } from './test-lines.js';

/** What a run (or a merge) collected, before the summary is worked out. */
export interface ReportInput {
  readonly toolVersion: string;
  readonly run: ReportRun;
  readonly samples: readonly (RssSample & { readonly shard: number })[];
  readonly tests: readonly (TestLine & { readonly shard: number })[];
  /** Leaks found outside tests at the ends of files (what `beforeAll` created and nothing closed). */
  readonly fileLeaks?: readonly (FileLeakLine & { readonly shard: number })[];
  readonly warnings: readonly string[];
}

/** The name leaks found outside tests are listed under. */
export const OUTSIDE_TESTS = '(outside tests)';

/** Exit code of the CLI: the command's when it failed (128 + n for signal n), 3 when a gate failed, else 0. */
export function exitCodeFor(run: Pick<ReportRun, 'exitCode' | 'signal'>, gates: readonly GateResult[]): number {
  if (run.signal !== null) return 128 + (constants.signals[run.signal as NodeJS.Signals] ?? 0);
  if (run.exitCode !== null && run.exitCode !== 0) return run.exitCode;
  return gates.some((gate) => !gate.passed) ? 3 : 0;
}

/**
 * Joins the RSS samples and the per-test lines into the report: heap series (one per test
 * process: lines of one pid, or of one file when lines carry no pid) with their trends,
 * files with their boundaries on the time axis, the tables, the gates and the exit code.
 */
export function buildReport(input: ReportInput): Report {
  const tests = assignSeries(input.tests);
  const files = summariseFiles(tests);
  const fileLeaks = input.fileLeaks ?? [];
  const summary = summarise(input, tests, files, fileLeaks);
  return {
    schema: REPORT_SCHEMA,
    version: REPORT_VERSION,
    tool: { name: 'custodian', version: input.toolVersion },
    run: input.run,
    samples: input.samples,
    tests,
    fileLeaks,
    files,
    summary,
    exitCode: exitCodeFor(input.run, summary.gates),
  };
}

function assignSeries(lines: readonly (TestLine & { shard: number })[]): ReportTest[] {
  const counters = new Map<string, number>();
  return lines.map((line) => {
    const series = `${line.shard}:${line.pid ?? line.file}`;
    const index = counters.get(series) ?? 0;
    counters.set(series, index + 1);
    return { ...line, series, index, deltaBytes: line.heapUsedAfter - line.heapUsedBefore };
  });
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const list = groups.get(key(item));
    if (list) list.push(item);
    else groups.set(key(item), [item]);
  }
  return groups;
}

function trendOf(tests: readonly ReportTest[], reindex: boolean) {
  return computeTrend(
    tests.map((test, position) => ({
      index: reindex ? position : test.index,
      scope: `${test.file} > ${test.name}`,
      heapUsedAfter: test.heapUsedAfter,
      deltaBytes: test.deltaBytes,
      gc: test.gc === true,
    })),
  );
}

function summariseFiles(tests: readonly ReportTest[]): ReportFile[] {
  return [...groupBy(tests, (test) => `${test.shard}\u0000${test.file}`).values()].map((group) => {
    const first = group[0]!;
    return {
      file: first.file,
      shard: first.shard,
      tests: group.length,
      failed: group.filter((test) => test.status === 'failed').length,
      leaks: group.reduce((sum, test) => sum + test.leaks.length, 0),
      firstT: Math.min(...group.map((test) => test.t)),
      lastT: Math.max(...group.map((test) => test.t)),
      heapGrowthBytes: group.length >= 2 ? trendOf(group, true).growthBytes : first.deltaBytes,
    };
  });
}

/**
 * The tests where the heap grew most, from post-GC evidence only: the steps each series' trend
 * found between post-GC points, and deltas read after a GC at both ends. A raw delta is mostly
 * the garbage the test happened to leave for the next GC, and ranks noise.
 */
function topTests(tests: readonly ReportTest[], series: readonly SeriesTrend[]): ReportSummary['topTests'] {
  const bySeries = groupBy(tests, (test) => test.series);
  const found = new Map<ReportTest, number>();
  for (const entry of series) {
    const group = bySeries.get(entry.series) ?? [];
    for (const step of entry.trend.steps) {
      const test = group.find((candidate) => candidate.index === step.index);
      if (test !== undefined) found.set(test, Math.max(found.get(test) ?? 0, step.bytes));
    }
    group.forEach((test, position) => {
      if (test.gc === true && position > 0 && group[position - 1]!.gc === true && test.deltaBytes > 0) {
        found.set(test, Math.max(found.get(test) ?? 0, test.deltaBytes));
      }
    });
  }
  return [...found]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 10)
    .map(([test, bytes]) => ({ file: test.file, name: test.name, deltaBytes: bytes }));
}

function summarise(input: ReportInput, tests: readonly ReportTest[], files: readonly ReportFile[], fileLeaks: readonly FileLeakLine[]): ReportSummary {
  const samples = input.samples;
  const rss = {
    before: samples[0]?.rss ?? 0,
    peak: samples.reduce((peak, sample) => Math.max(peak, sample.rss), 0),
    after: samples[samples.length - 1]?.rss ?? 0,
    growthBytesPerSecond:
      fitLine(
        samples.map((sample) => sample.t / 1000),
        samples.map((sample) => sample.rss),
      ).slope,
  };
  const series: SeriesTrend[] = [...groupBy(tests, (test) => test.series).entries()].map(([key, group]) => ({
    series: key,
    tests: group.length,
    trend: trendOf(group, false),
  }));
  const worst = series.reduce<SeriesTrend | null>((best, entry) => (best === null || entry.trend.growthBytes > best.trend.growthBytes ? entry : best), null);
  const verdict =
    series.some((entry) => entry.trend.suspectedLeak) ? 'leak-suspected'
    : series.some((entry) => entry.trend.points >= 5) ? 'stable'
    : 'not-enough-data';
  const growthBytes = worst ? Math.max(0, worst.trend.growthBytes) : Math.max(0, rss.after - rss.before);
  const leaky = tests.filter((test) => test.leaks.length > 0);
  const heap = { verdict, worst, series, growthBytes } as const;
  const leakEntry = (file: string, name: string, leaks: readonly LeakLine[]) => ({
    file,
    name,
    leaks: leaks.map((leak) => ({ description: leak.description, disposed: leak.disposed, createdBy: leak.test })),
  });
  return {
    rss,
    heap,
    tests: { total: tests.length, failed: tests.filter((test) => test.status === 'failed').length, withLeaks: leaky.length },
    topFiles: [...files]
      .sort((a, b) => b.heapGrowthBytes - a.heapGrowthBytes)
      .slice(0, 5)
      .map((file) => ({ file: file.file, heapGrowthBytes: file.heapGrowthBytes })),
    topTests: topTests(tests, series),
    leaksByTest: [
      ...leaky.map((test) => leakEntry(test.file, test.name, test.leaks)),
      ...fileLeaks.map((entry) => leakEntry(entry.file, OUTSIDE_TESTS, entry.leaks)),
    ],
    cleanupFailures: tests
      .filter((test) => !test.cleanup.ok || test.cleanup.failed > 0 || test.cleanup.timedOut > 0)
      .map((test) => ({ file: test.file, name: test.name, failed: test.cleanup.failed, timedOut: test.cleanup.timedOut, forced: test.cleanup.forced })),
    warnings: [
      ...input.warnings,
      ...(tests.length === 0 ? ['no per-test lines were written: the integration was not loaded (see custodian run --help)'] : []),
    ],
    gates: evaluateGates(input.run, rss.peak, heap, leaky.length + fileLeaks.length),
  };
}

function evaluateGates(run: ReportRun, peak: number, heap: { verdict: string; growthBytes: number }, leakyTests: number): GateResult[] {
  const gates: GateResult[] = [];
  const { maxRss, maxGrowth, failOnLeak } = run.limits;
  if (maxRss !== null) {
    gates.push({ gate: 'max-rss', limit: maxRss, actual: peak, passed: peak <= maxRss, detail: `peak RSS ${formatBytes(peak)} (limit ${formatBytes(maxRss)})` });
  }
  if (maxGrowth !== null) {
    const actual = heap.growthBytes;
    gates.push({ gate: 'max-growth', limit: maxGrowth, actual, passed: actual <= maxGrowth, detail: `memory grew ${formatBytes(actual)} (limit ${formatBytes(maxGrowth)})` });
  }
  if (failOnLeak) {
    const suspected = heap.verdict === 'leak-suspected';
    gates.push({
      gate: 'fail-on-leak',
      limit: null,
      actual: leakyTests + (suspected ? 1 : 0),
      passed: leakyTests === 0 && !suspected,
      detail: `${leakyTests} test(s) leaked handles${suspected ? '; the heap trend suspects a leak' : ''}`,
    });
  }
  return gates;
}
