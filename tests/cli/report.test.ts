import { describe, expect, it } from 'vitest';
import { buildReport, exitCodeFor, type ReportInput } from '../../src/cli/report.js';
import { mergeReports } from '../../src/cli/merge.js';
import { renderHtml } from '../../src/cli/html.js';
import { formatSummary } from '../../src/cli/summary.js';
import type { GateLimits } from '../../src/cli/report-types.js';
import type { TestLine } from '../../src/cli/test-lines.js';

const MiB = 1024 * 1024;

function line(file: string, index: number, heap: number, extra: Partial<TestLine> = {}): TestLine & { shard: number } {
  return {
    file,
    name: `${file} test ${index}`,
    durationMs: 1,
    heapUsedBefore: heap - 1000,
    heapUsedAfter: heap,
    rss: 100 * MiB,
    leaks: [],
    cleanup: { ok: true, disposed: 0, forced: 0, failed: 0, timedOut: 0 },
    gc: true,
    pid: file === 'a.test.ts' ? 11 : 12,
    t: index * 10,
    shard: 0,
    ...extra,
  };
}

function input(tests: (TestLine & { shard: number })[], limits: Partial<GateLimits> = {}, exitCode = 0): ReportInput {
  return {
    toolVersion: '0.0.0-test',
    run: {
      command: ['vitest', 'run'],
      runner: 'vitest',
      startedAt: new Date(0).toISOString(),
      durationMs: 1000,
      exitCode,
      signal: null,
      interrupted: false,
      sampleIntervalMs: 500,
      sampler: { method: 'procfs', ticks: 3, cpuMs: 1, wallMs: 1000, cpuPercent: 0.1 },
      pids: [10, 11, 12],
      shards: 1,
      limits: { maxRss: null, maxGrowth: null, failOnLeak: false, ...limits },
    },
    samples: [
      { t: 0, rss: 50 * MiB, processes: 1, shard: 0 },
      { t: 500, rss: 300 * MiB, processes: 3, shard: 0 },
      { t: 1000, rss: 200 * MiB, processes: 3, shard: 0 },
    ],
    tests,
    warnings: [],
  };
}

const leaking = Array.from({ length: 40 }, (_, index) => line('a.test.ts', index, 40 * MiB + index * MiB));
const steady = Array.from({ length: 40 }, (_, index) => line('b.test.ts', index, 40 * MiB + (index % 3) * 100_000));

describe('buildReport', () => {
  it('fits one heap series per test process and names the leaking one', () => {
    const report = buildReport(input([...leaking, ...steady]));
    expect(report.summary.heap.series.map((entry) => [entry.series, entry.trend.suspectedLeak])).toEqual([
      ['0:11', true],
      ['0:12', false],
    ]);
    expect(report.summary.heap.verdict).toBe('leak-suspected');
    expect(report.summary.heap.worst?.trend.slopeBytesPerTest).toBeCloseTo(MiB, -3);
    expect(report.summary.rss).toMatchObject({ before: 50 * MiB, peak: 300 * MiB, after: 200 * MiB });
    expect(report.files.map((file) => [file.file, file.tests, file.firstT, file.lastT])).toEqual([
      ['a.test.ts', 40, 0, 390],
      ['b.test.ts', 40, 0, 390],
    ]);
    expect(report.summary.topFiles[0]?.file).toBe('a.test.ts');
  });

  it('evaluates the gates and exits with 3 when the tests passed but a gate failed', () => {
    const report = buildReport(input([...leaking, ...steady], { maxRss: 256 * MiB, maxGrowth: 64 * MiB, failOnLeak: true }));
    expect(report.summary.gates.map((gate) => [gate.gate, gate.passed])).toEqual([
      ['max-rss', false],
      ['max-growth', true],
      ['fail-on-leak', false],
    ]);
    expect(report.exitCode).toBe(3);
    expect(buildReport(input(steady, { maxRss: 512 * MiB, failOnLeak: true })).exitCode).toBe(0);
  });

  it("keeps the command's own failure as the exit code", () => {
    expect(buildReport(input(steady, { maxRss: 1 }, 1)).exitCode).toBe(1);
    expect(exitCodeFor({ exitCode: null, signal: 'SIGTERM' }, [])).toBe(143);
  });

  it('lists leaked handles and cleanup failures by test', () => {
    const tests = [
      line('c.test.ts', 0, MiB, {
        leaks: [{ kind: 'timer', type: 'Timeout', description: 'setInterval(100 ms)', test: 'c.test.ts test 0', disposed: true }],
      }),
      line('c.test.ts', 1, MiB, { cleanup: { ok: false, disposed: 1, forced: 1, failed: 1, timedOut: 0 } }),
    ];
    const report = buildReport(input(tests, { failOnLeak: true }));
    expect(report.summary.leaksByTest).toEqual([
      { file: 'c.test.ts', name: 'c.test.ts test 0', leaks: [{ description: 'setInterval(100 ms)', disposed: true, createdBy: 'c.test.ts test 0' }] },
    ]);
    expect(report.summary.cleanupFailures).toEqual([{ file: 'c.test.ts', name: 'c.test.ts test 1', failed: 1, timedOut: 0, forced: 1 }]);
    expect(report.exitCode).toBe(3);
    const text = formatSummary(report);
    expect(text).toContain('setInterval(100 ms)');
    expect(text).toContain('gate --fail-on-leak: FAILED');
  });

  it('lists leaks found outside tests under the file and fails --fail-on-leak on them', () => {
    const leak = { kind: 'server', type: 'Server', description: 'server 127.0.0.1:4000', test: 'd.test.ts', disposed: true };
    const report = buildReport({ ...input(steady, { failOnLeak: true }), fileLeaks: [{ file: 'd.test.ts', pid: 12, leaks: [leak], shard: 0 }] });
    expect(report.fileLeaks).toHaveLength(1);
    expect(report.summary.leaksByTest).toEqual([
      { file: 'd.test.ts', name: '(outside tests)', leaks: [{ description: 'server 127.0.0.1:4000', disposed: true, createdBy: 'd.test.ts' }] },
    ]);
    expect(report.exitCode).toBe(3);
    expect(mergeReports([report, report]).fileLeaks.map((entry) => entry.shard)).toEqual([0, 1]);
  });

  it('ranks the tests where the heap grew by post-GC evidence, never by raw deltas', () => {
    // Raw readings full of garbage (+30 MiB deltas) around one confirmed 6 MiB step.
    const raw = Array.from({ length: 30 }, (_, index) =>
      index % 5 === 4
        ? line('e.test.ts', index, 40 * MiB + (index >= 20 ? 6 * MiB : 0), { heapUsedBefore: 40 * MiB })
        : line('e.test.ts', index, 70 * MiB + index, { gc: false, heapUsedBefore: 40 * MiB }),
    );
    const report = buildReport(input(raw));
    expect(report.summary.topTests[0]).toMatchObject({ file: 'e.test.ts', deltaBytes: 6 * MiB });
    expect(report.summary.topTests.every((test) => test.deltaBytes <= 6 * MiB)).toBe(true);
  });

  it('warns when no test wrote a line', () => {
    expect(buildReport(input([])).summary.warnings.join('\n')).toContain('integration was not loaded');
  });
});

describe('mergeReports', () => {
  it('puts shards one after the other and keeps their series apart', () => {
    const one = buildReport(input(leaking.slice(0, 20)));
    const two = buildReport(input(leaking.slice(20), {}, 1));
    const merged = mergeReports([one, two]);
    expect(merged.run.shards).toBe(2);
    expect(merged.samples.map((sample) => sample.t)).toEqual([0, 500, 1000, 1000, 1500, 2000]);
    expect(new Set(merged.tests.map((test) => test.series))).toEqual(new Set(['0:11', '1:11']));
    expect(merged.run.exitCode).toBe(1);
    expect(merged.exitCode).toBe(1);
  });
});

describe('renderHtml', () => {
  it('embeds the report without letting it close the script element', () => {
    const leak = { kind: 'timer', type: 'Timeout', description: 'setInterval(1 ms)', test: '</script><img src=x onerror=alert(1)>', disposed: true };
    const hostile = line('x.test.ts', 0, MiB, { name: '</script><img src=x onerror=alert(1)>', leaks: [leak] });
    const html = renderHtml(buildReport(input([hostile])));
    expect(html).not.toContain('</script><img');
    expect(html).toContain('&#60;/script&#62;&#60;img');
    expect(html.match(/<\/script>/g)).toHaveLength(2);
    expect(html).not.toMatch(/(src|href)="http/);
  });
});
