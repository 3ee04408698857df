import { PAGE_SCRIPT } from './html-script.js';
import type { Report } from './report-types.js';
import { formatBytes } from './sizes.js';

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

function table(caption: string, head: readonly string[], rows: readonly (readonly string[])[]): string {
  if (rows.length === 0) return '';
  const header = head.every((cell) => cell === '') ? '' : `<thead><tr>${head.map((cell) => `<th>${escapeHtml(cell)}</th>`).join('')}</tr></thead>`;
  const body = rows.map((row) => `<tr>${row.map((cell) => `<td>${escapeHtml(cell)}</td>`).join('')}</tr>`).join('\n');
  return `<h2>${escapeHtml(caption)}</h2>\n<table>${header}<tbody>\n${body}\n</tbody></table>`;
}

/**
 * The report as one self-contained page: inline CSS, the report as inline JSON, and inline
 * script that draws the charts as SVG. No network access, no external files; it opens from
 * disk and from a CI artifact viewer alike.
 */
export function renderHtml(report: Report): string {
  const { summary, run } = report;
  // Inside <script>, only "<" can end the element early; JSON allows \u003c in its place.
  const data = JSON.stringify(report).replace(/</g, '\\u003c');
  const worst = summary.heap.worst;
  const overview: string[][] = [
    ['command', run.command.join(' ')],
    ['runner', run.runner],
    ['duration', `${(run.durationMs / 1000).toFixed(1)} s${run.shards > 1 ? ` (${run.shards} shards)` : ''}`],
    ['exit code', String(report.exitCode)],
    ['RSS before / peak / after', `${formatBytes(summary.rss.before)} / ${formatBytes(summary.rss.peak)} / ${formatBytes(summary.rss.after)}`],
    ['RSS growth', `${formatBytes(summary.rss.growthBytesPerSecond)}/s`],
    ['heap trend', summary.heap.verdict + (worst ? ` (${formatBytes(worst.trend.slopeBytesPerTest)}/test, r² ${worst.trend.r2.toFixed(2)}, ${formatBytes(worst.trend.growthBytes)} fitted growth)` : '')],
    ['tests', `${summary.tests.total} reported, ${summary.tests.failed} failed, ${summary.tests.withLeaks} with leaked handles`],
    ['sampler', `${run.sampler.ticks} readings every ${run.sampleIntervalMs} ms (${run.sampler.method}), ${run.sampler.cpuPercent.toFixed(2)}% of one core`],
  ];
  const sections = [
    table('Run', ['', ''], overview),
    table('Gates', ['gate', 'result', 'detail'], summary.gates.map((gate) => [`--${gate.gate}`, gate.passed ? 'passed' : 'FAILED', gate.detail])),
    table('Warnings', ['warning'], summary.warnings.map((warning) => [warning])),
    table('Steps in the heap', ['around test', 'tests', 'step'], (worst?.trend.steps ?? []).map((step) => [step.scope, `${step.fromIndex}–${step.toIndex}`, formatBytes(step.bytes)])),
    table('Files where the heap grew most', ['file', 'fitted growth'], summary.topFiles.map((file) => [file.file, formatBytes(file.heapGrowthBytes)])),
    table('Tests where the heap grew most', ['file', 'test', 'heap delta'], summary.topTests.map((test) => [test.file, test.name, formatBytes(test.deltaBytes)])),
    table(
      'Leaked handles',
      ['file', 'test', 'handle', 'created by', 'closed'],
      summary.leaksByTest.flatMap((entry) => entry.leaks.map((leak) => [entry.file, entry.name, leak.description, leak.createdBy, leak.disposed ? 'yes' : 'no'])),
    ),
    table('Cleanup failures', ['file', 'test', 'failed', 'timed out', 'forced'], summary.cleanupFailures.map((entry) => [entry.file, entry.name, String(entry.failed), String(entry.timedOut), String(entry.forced)])),
    table('Files', ['file', 'tests', 'failed', 'leaks', 'fitted heap growth'], report.files.map((file) => [file.file, String(file.tests), String(file.failed), String(file.leaks), formatBytes(file.heapGrowthBytes)])),
  ];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>custodian report: ${escapeHtml(run.command.join(' '))}</title>
<style>
  body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px auto; max-width: 1000px; color: #18181b; padding: 0 16px; }
  h1 { font-size: 20px; margin-bottom: 4px; } h2 { font-size: 16px; margin-top: 28px; }
  .verdict { font-weight: 600; } .leak-suspected { color: #b91c1c; } .stable { color: #15803d; }
  svg { width: 100%; height: auto; background: #fafafa; border: 1px solid #e4e4e7; border-radius: 6px; }
  table { border-collapse: collapse; width: 100%; font-size: 13px; }
  th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #e4e4e7; vertical-align: top; word-break: break-word; }
  th { background: #f4f4f5; }
</style>
</head>
<body>
<h1>custodian: memory and leaks</h1>
<p class="verdict ${summary.heap.verdict}">Heap trend: ${escapeHtml(summary.heap.verdict)} · peak RSS ${escapeHtml(formatBytes(summary.rss.peak))} · exit code ${report.exitCode}</p>
<h2>RSS of the process tree over time</h2>
<svg id="rss-chart" viewBox="0 0 960 320" role="img" aria-label="RSS over time"></svg>
<h2>Heap after each test</h2>
<svg id="heap-chart" viewBox="0 0 960 320" role="img" aria-label="heap per test"></svg>
${sections.filter(Boolean).join('\n')}
<script type="application/json" id="custodian-data">${data}</script>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
}
