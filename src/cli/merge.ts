import { readFileSync } from 'node:fs';
import { buildReport } from './report.js';
import { REPORT_SCHEMA, REPORT_VERSION, type Report } from './report-types.js';
import { UsageError } from './usage-error.js';

/** Reads a report written by `--json` (or by a merge), checking its schema and version. */
export function readReport(path: string): Report {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new UsageError(`cannot read report ${path}: ${(error as Error).message}`);
  }
  const report = parsed as Partial<Report>;
  if (report.schema !== REPORT_SCHEMA) throw new UsageError(`${path} is not a custodian report (no "schema": "${REPORT_SCHEMA}")`);
  if (report.version !== REPORT_VERSION) {
    throw new UsageError(`${path} has report version ${String(report.version)}; this custodian reads version ${REPORT_VERSION}`);
  }
  return report as Report;
}

/**
 * Joins reports of sharded runs (`vitest --shard i/n` on several CI jobs) into one. On the
 * time axis the shards follow each other in the order given; each keeps its own heap series
 * (`<shard>:<pid>`), since processes on different machines share nothing. The summary, the
 * gates (those of the first report) and the exit code (the first failing shard's) are worked
 * out again over the whole.
 */
export function mergeReports(reports: readonly Report[]): Report {
  if (reports.length === 0) throw new UsageError('nothing to merge');
  let offset = 0;
  const samples: Report['samples'][number][] = [];
  const tests: Parameters<typeof buildReport>[0]['tests'][number][] = [];
  const warnings: string[] = [];
  const fileLeaks: Report['fileLeaks'][number][] = [];
  let shard = 0;
  for (const report of reports) {
    const shards = Math.max(1, report.run.shards);
    for (const sample of report.samples) samples.push({ ...sample, t: sample.t + offset, shard: shard + sample.shard });
    for (const test of report.tests) {
      const { series: _series, index: _index, deltaBytes: _delta, ...line } = test;
      tests.push({ ...line, t: test.t + offset, shard: shard + test.shard });
    }
    // Reports written before file leaks were recorded have none.
    for (const entry of report.fileLeaks ?? []) fileLeaks.push({ ...entry, shard: shard + entry.shard });
    for (const warning of report.summary.warnings) if (!warnings.includes(warning)) warnings.push(warning);
    offset += Math.max(report.run.durationMs, report.samples[report.samples.length - 1]?.t ?? 0);
    shard += shards;
  }
  const first = reports[0]!;
  const failing = reports.find((report) => report.run.signal !== null || (report.run.exitCode ?? 0) !== 0);
  const sampler = reports.reduce(
    (sum, report) => ({
      method: report.run.sampler.method,
      ticks: sum.ticks + report.run.sampler.ticks,
      cpuMs: sum.cpuMs + report.run.sampler.cpuMs,
      wallMs: sum.wallMs + report.run.sampler.wallMs,
      cpuPercent: 0,
    }),
    { method: first.run.sampler.method, ticks: 0, cpuMs: 0, wallMs: 0, cpuPercent: 0 },
  );
  return buildReport({
    toolVersion: first.tool.version,
    run: {
      ...first.run,
      durationMs: offset,
      exitCode: failing ? failing.run.exitCode : 0,
      signal: failing ? failing.run.signal : null,
      interrupted: reports.some((report) => report.run.interrupted),
      sampler: { ...sampler, cpuPercent: sampler.wallMs > 0 ? (sampler.cpuMs / sampler.wallMs) * 100 : 0 },
      pids: reports.flatMap((report) => report.run.pids),
      shards: shard,
    },
    samples,
    tests,
    fileLeaks,
    warnings: warnings.filter((warning) => !warning.startsWith('no per-test lines')),
  });
}
