// Memory monitoring overhead in a real vitest run, and the CLI sampler's own CPU use.
//   1. 2,000 trivial vitest tests (4 files x 500; BENCH_FILES, BENCH_TESTS_PER_FILE): plain,
//      vs a setup file that drives the built MemoryMonitor around every test in its default mode
//      ('auto', target <= 1.10x) and in 'always' mode (a full GC after every test; the figure is
//      reported, no target).
//      Wall time of the whole `vitest run` (the target) and CPU time of its process tree, medians
//      of interleaved runs (BENCH_RUNS, 9 by default: on a shared 2-core machine single runs
//      swing by 5%), and the median of each round's own ratio to plain with its 95% bootstrap
//      interval ('paired vs plain', the figure the target is read from). Two more rows split
//      the cost: empty hooks alone, and the library loaded with empty hooks ('vs hooks' is the
//      monitor's own share).
//   2. The CLI's process-tree sampler at --sample-interval 0.5 over a 4-process tree for 10 s:
//      CPU it used as a percentage of one core (target < 1%).
// CUSTODIAN_DIST=<dir> points at a build (default dist/); the CLI is built into a temp
// directory when the build has no cli.js (tsup.config.ts has no cli entry yet).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { childrenCpuMs, envCount, median, pairedRatio, printTable, writeResults } from './_lib.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = process.env.CUSTODIAN_DIST ?? join(root, 'dist');
const RUNS = envCount('BENCH_RUNS', 9);
const ALWAYS_RUNS = envCount('BENCH_ALWAYS_RUNS', 1, 0);
// The suite's shape: 4 x 500 by default. BENCH_FILES=1 BENCH_TESTS_PER_FILE=2000 runs the same
// 2,000 tests in one fork, which separates what custodian costs per file from what it costs per test.
const FILES = envCount('BENCH_FILES', 4);
const TESTS_PER_FILE = envCount('BENCH_TESTS_PER_FILE', 500);

const project = mkdtempSync(join(tmpdir(), 'custodian-bench-memory-'));
symlinkSync(join(root, 'node_modules'), join(project, 'node_modules'));
writeFileSync(join(project, 'vitest.config.mjs'), "export default { test: { include: ['*.test.mjs'], pool: 'forks' } };\n");
for (let file = 0; file < FILES; file++) {
  writeFileSync(
    join(project, `trivial-${file}.test.mjs`),
    `import { expect, it } from 'vitest';\nfor (let i = 0; i < ${TESTS_PER_FILE}; i++) it('trivial ' + i, () => { expect(i + 1).toBeGreaterThan(i); });\n`,
  );
}
const setup = (mode) => {
  const file = join(project, `setup-${mode}.mjs`);
  if (mode === 'bare') {
    // Reads the test's name as any integration must (vitest hands hooks a context object).
    writeFileSync(file, `import { afterEach, beforeEach } from 'vitest';\nlet name;\nbeforeEach((context) => { name = context.task.name; });\nafterEach(() => { name = undefined; });\n`);
    return file;
  }
  if (mode === 'hooks') {
    // The same library load and the same two hooks, doing nothing: what any integration costs.
    writeFileSync(
      file,
      `import { afterEach, beforeEach } from 'vitest';\nimport { createRequire } from 'node:module';\n` +
        `createRequire(import.meta.url)(${JSON.stringify(join(dist, 'index.cjs'))});\n` +
        `let name;\nbeforeEach((context) => { name = context.task.name; });\nafterEach(() => { name = undefined; });\n`,
    );
    return file;
  }
  writeFileSync(
    file,
    `import { afterAll, afterEach, beforeEach } from 'vitest';\n` +
      // Loaded with Node's own require: the build lives outside node_modules, and vitest would
      // transform it instead of loading it the way it loads an installed package.
      `import { createRequire } from 'node:module';\n` +
      `const { MemoryMonitor } = createRequire(import.meta.url)(${JSON.stringify(join(dist, 'index.cjs'))});\n` +
      `const monitor = new MemoryMonitor({ gc: '${mode}' });\n` +
      `beforeEach((context) => monitor.before(context.task.name));\n` +
      `afterEach(() => { monitor.after(); });\n` +
      `afterAll(() => { monitor.checkpoint(); const points = monitor.samples.filter((sample) => sample.gc).length; if (process.env.BENCH_TRACE) console.log(JSON.stringify({ gcMs: monitor.gcTimeMs, points })); });\n`,
  );
  return file;
};
const configs = {
  plain: join(project, 'vitest.config.mjs'),
};
for (const mode of ['bare', 'hooks', 'auto', 'always']) {
  const file = join(project, `vitest.${mode}.config.mjs`);
  writeFileSync(file, `export default { test: { include: ['*.test.mjs'], pool: 'forks', setupFiles: [${JSON.stringify(setup(mode))}] } };\n`);
  configs[mode] = file;
}

// The real custodian/vitest, memory monitoring off and in its default mode: the integration as
// users load it (natively, as from node_modules, not transformed by vite).
{
  const external = new RegExp(`^${dist.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`);
  const file = join(project, 'vitest.integration.config.mjs');
  writeFileSync(
    file,
    `export default { test: { include: ['*.test.mjs'], pool: 'forks', server: { deps: { external: [${external}] } }, setupFiles: [${JSON.stringify(join(dist, 'vitest.js'))}] } };\n`,
  );
  configs.integrationOff = file;
  configs.integration = file;
}
const ENV = { integrationOff: { CUSTODIAN_MEMORY: 'off' }, integration: { CUSTODIAN_MEMORY: 'auto' } };

const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs');
function runVitest(config, env = {}) {
  const cpuBefore = childrenCpuMs();
  const start = performance.now();
  const result = spawnSync(process.execPath, [vitest, 'run', '--config', config, '--root', project], { cwd: project, encoding: 'utf8', env: { ...process.env, BENCH_TRACE: '1', ...env } });
  const ms = performance.now() - start;
  const cpu = cpuBefore === undefined ? ms : childrenCpuMs() - cpuBefore;
  if (result.status !== 0) throw new Error(`vitest failed:\n${result.stdout}\n${result.stderr}`);
  // eslint-disable-next-line no-control-regex -- strips vitest's colours
  if (!new RegExp(`Tests\\s+.*\\b${FILES * TESTS_PER_FILE} passed`).test(result.stdout.replace(/\u001b\[[0-9;]*m/g, ''))) {
    throw new Error(`expected ${FILES * TESTS_PER_FILE} tests:\n${result.stdout}`);
  }
  const traces = [...result.stdout.matchAll(/\{"gcMs":([\d.]+),"points":(\d+)\}/g)].map((match) => ({ gcMs: Number(match[1]), points: Number(match[2]) }));
  return { ms, cpu, traces };
}

// BENCH_ONLY=plain,integration runs only those rows (plain always runs): more runs of the rows a
// question is about, in the same time.
const ONLY = process.env.BENCH_ONLY ? new Set(['plain', ...process.env.BENCH_ONLY.split(',')]) : undefined;
const MODES = ['plain', 'bare', 'hooks', 'auto', 'integrationOff', 'integration', 'always'].filter((mode) => ONLY === undefined || ONLY.has(mode));
const times = Object.fromEntries(MODES.map((mode) => [mode, []]));
const cpuTimes = Object.fromEntries(MODES.map((mode) => [mode, []]));
const gc = { auto: [], always: [] };
runVitest(configs.plain); // warm the file system cache and vitest's own caches
for (let run = 0; run < RUNS; run++) {
  // Every other round in reverse order: whichever variant runs first in a round (after a pause,
  // or after the slow 'always' run) is not always the same one.
  const order = run % 2 === 0 ? Object.keys(times) : Object.keys(times).reverse();
  for (const mode of order) {
    // 'always' takes a minute per run on a small machine; its figure needs no confidence interval.
    if (mode === 'always' && run >= ALWAYS_RUNS) continue;
    const { ms, cpu, traces } = runVitest(configs[mode], ENV[mode]);
    times[mode].push(ms);
    cpuTimes[mode].push(cpu);
    if (gc[mode]) gc[mode].push(...traces);
  }
}
const plain = median(times.plain);
const hooks = times.hooks ? median(times.hooks) : undefined;
const LABELS = {
  plain: 'vitest, nothing loaded',
  bare: 'before/afterEach reading the test name',
  hooks: 'library loaded + the same hooks',
  auto: "MemoryMonitor gc: 'auto' (default)",
  always: "MemoryMonitor gc: 'always'",
  integrationOff: 'custodian/vitest, CUSTODIAN_MEMORY=off',
  integration: 'custodian/vitest, memory default (auto)',
};
// The median of the rounds' own ratios to plain (see pairedRatio), with its 95% interval: the
// figure the target is read from, as the machine's load drifts between rounds. Only for the
// variants that ran in every round ('always' runs once).
const paired = Object.fromEntries(
  Object.entries(times)
    .filter(([mode, list]) => mode !== 'plain' && list.length === times.plain.length)
    .map(([mode, list]) => [mode, { wall: pairedRatio(list, times.plain), cpu: pairedRatio(cpuTimes[mode], cpuTimes.plain) }]),
);
const pairedText = (ratio) => `${ratio.median.toFixed(3)} (${ratio.low.toFixed(3)}-${ratio.high.toFixed(3)})`;
const rows = Object.entries(times).map(([mode, list]) => ({
  variant: LABELS[mode],
  'median ms': median(list),
  'vs plain': median(list) / plain,
  'paired vs plain': paired[mode] ? pairedText(paired[mode].wall) : '',
  'vs hooks':
    mode === 'plain' || (mode === 'integration' ? times.integrationOff === undefined : times.hooks === undefined)
      ? ''
      : mode === 'integration'
        ? `${(median(list) / median(times.integrationOff)).toFixed(3)} vs off`
        : median(list) / hooks,
  // CPU time of the whole process tree (vitest and its forks), which the machine's other load
  // disturbs less than wall time; it also counts V8's background threads (GC, compilation).
  'cpu ms': median(cpuTimes[mode]),
  'cpu vs plain': median(cpuTimes[mode]) / median(cpuTimes.plain),
  target: mode === 'auto' || mode === 'integration' ? '<= 1.10x' : '',
  'GC ms per file': gc[mode] ? median(gc[mode].map((trace) => trace.gcMs)) : '',
  'post-GC points per file': gc[mode] ? median(gc[mode].map((trace) => trace.points)) : '',
}));
printTable(`${FILES * TESTS_PER_FILE} trivial vitest tests (${FILES === 1 ? 'one file' : `${FILES} files`}, pool forks), ${RUNS} runs each`, rows);

// 1b. The monitor's own cost per test, in this process (no vitest): before() + after() pairs.
const { MemoryMonitor } = await import(join(dist, 'index.js'));
const perCall = [];
for (const mode of ['never', 'auto']) {
  const pairs = 20_000;
  const monitor = new MemoryMonitor({ gc: mode });
  const start = performance.now();
  for (let i = 0; i < pairs; i++) {
    monitor.before('t');
    monitor.after();
  }
  const ms = performance.now() - start;
  perCall.push({ mode, pairs, 'µs per test (incl. GCs)': (ms * 1000) / pairs, 'GC ms': monitor.gcTimeMs, GCs: monitor.samples.filter((sample) => sample.gc).length });
}
printTable('MemoryMonitor before() + after() in a plain loop', perCall);

// 2. The sampler.
let cli = join(dist, 'cli.js');
let cliBuild;
if (!existsSync(cli)) {
  cliBuild = mkdtempSync(join(tmpdir(), 'custodian-bench-cli-'));
  execFileSync('npx', ['tsup', '--no-config', '--entry.cli', 'src/cli/main.ts', '--format', 'esm', '--target', 'node20', '--platform', 'node', '--out-dir', cliBuild], { cwd: root, stdio: 'pipe' });
  cli = join(cliBuild, 'cli.js');
}
const treeScript = `
const { spawn } = require('node:child_process');
for (let i = 0; i < 3; i++) spawn(process.execPath, ['-e', 'globalThis.b = Buffer.alloc(32 << 20, 1); setTimeout(() => {}, 10000)'], { stdio: 'ignore' });
setTimeout(() => process.exit(0), 10000);
`;
const reportDir = mkdtempSync(join(tmpdir(), 'custodian-bench-sampler-'));
mkdirSync(reportDir, { recursive: true });
const reportFile = join(reportDir, 'report.json');
spawnSync(process.execPath, [cli, 'run', '--no-progress', '--sample-interval', '0.5', '--json', reportFile, '--', process.execPath, '-e', treeScript], { cwd: project, stdio: 'pipe' });
const sampler = JSON.parse(readFileSync(reportFile, 'utf8')).run.sampler;
printTable('CLI sampler at --sample-interval 0.5, 4-process tree, 10 s', [
  { method: sampler.method, readings: sampler.ticks, 'cpu ms': sampler.cpuMs, 'wall ms': sampler.wallMs, '% of one core': sampler.cpuPercent, target: '< 1%' },
]);

writeResults('memory', {
  tests: FILES * TESTS_PER_FILE,
  files: FILES,
  runs: RUNS,
  vitest: rows,
  perCall,
  samples: times,
  cpuSamples: cpuTimes,
  paired,
  sampler,
});
rmSync(project, { recursive: true, force: true });
rmSync(reportDir, { recursive: true, force: true });
if (cliBuild) rmSync(cliBuild, { recursive: true, force: true });
