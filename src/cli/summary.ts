import type { Report } from './report-types.js';
import { formatBytes } from './sizes.js';

const VERDICTS = {
  'leak-suspected': 'LEAK SUSPECTED: the heap grows steadily from test to test',
  stable: 'stable: no steady heap growth',
  'not-enough-data': 'too few post-GC points for a verdict (5 are needed)',
} as const;

/** The plain-text summary printed when a run ends (and by `report merge`). */
export function formatSummary(report: Report): string {
  const { summary, run } = report;
  const out: string[] = [];
  const seconds = (run.durationMs / 1000).toFixed(1);
  out.push('', `custodian: ${run.command.join(' ')} (${run.runner}, ${seconds} s${run.shards > 1 ? `, ${run.shards} shards` : ''})`);
  out.push(
    `  RSS (process tree): before ${formatBytes(summary.rss.before)}, peak ${formatBytes(summary.rss.peak)}, after ${formatBytes(summary.rss.after)}, ` +
      `growth ${formatBytes(summary.rss.growthBytesPerSecond)}/s`,
  );
  out.push(`  tests: ${summary.tests.total} reported, ${summary.tests.failed} failed, ${summary.tests.withLeaks} with leaked handles`);
  const worst = summary.heap.worst;
  const fit = worst ? ` (worst series: ${formatBytes(worst.trend.slopeBytesPerTest)}/test over ${worst.tests} tests, r² ${worst.trend.r2.toFixed(2)}, fitted growth ${formatBytes(worst.trend.growthBytes)})` : '';
  out.push(`  heap trend: ${VERDICTS[summary.heap.verdict]}${fit}`);
  for (const step of worst?.trend.steps.slice(0, 3) ?? []) out.push(`    stepped up ${formatBytes(step.bytes)} around ${step.scope}`);
  const growing = summary.topFiles.filter((file) => file.heapGrowthBytes > 0);
  if (growing.length > 0) {
    out.push('  files where the heap grew most:');
    for (const file of growing) out.push(`    ${formatBytes(file.heapGrowthBytes).padStart(10)}  ${file.file}`);
  }
  const tests = summary.topTests.filter((test) => test.deltaBytes > 0).slice(0, 5);
  if (tests.length > 0) {
    out.push('  tests where the heap grew most (read after a GC):');
    for (const test of tests) out.push(`    ${formatBytes(test.deltaBytes).padStart(10)}  ${test.file} > ${test.name}`);
  }
  if (summary.leaksByTest.length > 0) {
    out.push('  leaked handles:');
    for (const entry of summary.leaksByTest) {
      for (const leak of entry.leaks) {
        const creator = leak.createdBy && leak.createdBy !== entry.name ? ` (created by ${leak.createdBy})` : '';
        out.push(`    ${entry.file} > ${entry.name}: ${leak.description}${creator}${leak.disposed ? ', closed by custodian' : ''}`);
      }
    }
  }
  if (summary.cleanupFailures.length > 0) {
    out.push('  cleanup failures:');
    for (const entry of summary.cleanupFailures) {
      out.push(`    ${entry.file} > ${entry.name}: ${entry.failed} failed, ${entry.timedOut} timed out, ${entry.forced} forced`);
    }
  }
  for (const warning of summary.warnings) out.push(`  warning: ${warning}`);
  for (const gate of summary.gates) out.push(`  gate --${gate.gate}: ${gate.passed ? 'passed' : 'FAILED'}: ${gate.detail}`);
  if (run.interrupted) out.push('  interrupted: the report holds what was collected until then');
  out.push(`  sampler: ${run.sampler.ticks} readings (${run.sampler.method}), ${run.sampler.cpuPercent.toFixed(2)}% of one core`);
  out.push(`  exit code ${report.exitCode}`);
  return out.join('\n');
}
