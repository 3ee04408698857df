// Leak tracking overhead, each side by side in one run, as ratios against the plain runner:
//   - vitest, 20,000 trivial tests: plain; custodian/vitest (defaults); CUSTODIAN_STACKS=1;
//     vitest's own --detectAsyncLeaks.
//   - jest, 20,000 trivial tests: plain; custodian/jest; --detectOpenHandles.
//   - a promise-heavy test (a million awaited promises) with and without a HandleTracker.
// The suites load the BUILT integrations (CUSTODIAN_DIST, default dist/), so the build must be
// inside the repository (its imports of vitest, debug and p-limit resolve from node_modules):
//   npx tsup --out-dir .dist-leaks && CUSTODIAN_DIST=$PWD/.dist-leaks node --expose-gc bench/leaks.bench.mjs
// LEAKS_BENCH_TESTS=<n> and LEAKS_BENCH_RUNS=<n> shrink it for a quick look; LEAKS_BENCH_ONLY=
// vitest,jest,promises picks parts.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { childrenCpuMs, envCount, loadCustodian, median, printTable, writeResults } from './_lib.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const dist = process.env.CUSTODIAN_DIST ?? join(root, 'dist');
const TESTS = envCount('LEAKS_BENCH_TESTS', 20_000);
const RUNS = envCount('LEAKS_BENCH_RUNS', 3);
const PROMISES = 1_000_000;
// Ignored by git (.dist-*/), and inside the repository so the suites resolve vitest and jest.
const work = join(root, '.dist-leaks-bench');

function writeSuites() {
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const body = `for (let i = 0; i < ${TESTS}; i++) it('test ' + i, () => {});\n`;
  writeFileSync(join(work, 'trivial.vitest.test.mjs'), `import { it } from 'vitest';\n${body}`);
  writeFileSync(join(work, 'trivial.jest.test.cjs'), body);
  // The build must load as a dependency does from node_modules (natively), not be transformed
  // by vite as source, which costs a few hundred ms per file and is not what users pay.
  const external = new RegExp(`^${dist.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`);
  const vitestConfig = (setupFiles) =>
    `export default { test: { root: ${JSON.stringify(work)}, include: ['*.vitest.test.mjs'], pool: 'forks', ` +
    `server: { deps: { external: [${external}] } }, setupFiles: ${JSON.stringify(setupFiles)} } };\n`;
  writeFileSync(join(work, 'plain.vitest.config.mjs'), vitestConfig([]));
  // The floor for any integration built on one afterEach: what vitest charges for the hook itself.
  writeFileSync(join(work, 'empty-after-each.setup.mjs'), `import { afterEach } from 'vitest';\nafterEach(() => {});\n`);
  writeFileSync(join(work, 'empty-after-each.vitest.config.mjs'), vitestConfig([join(work, 'empty-after-each.setup.mjs')]));
  writeFileSync(join(work, 'custodian.vitest.config.mjs'), vitestConfig([join(dist, 'vitest.js')]));
  const jestConfig = (setup) =>
    `module.exports = { rootDir: ${JSON.stringify(work)}, testMatch: ['**/*.jest.test.cjs'], setupFilesAfterEnv: ${JSON.stringify(setup)} };\n`;
  writeFileSync(join(work, 'plain.jest.config.cjs'), jestConfig([]));
  writeFileSync(join(work, 'custodian.jest.config.cjs'), jestConfig([join(dist, 'jest.cjs')]));
}

/** Wall and CPU time of one run of a test command; throws when the run fails. */
function timeRun(args, env = {}) {
  const cpuBefore = childrenCpuMs();
  const start = performance.now();
  const result = spawnSync(process.execPath, args, { cwd: root, env: { ...process.env, CI: 'true', ...env }, encoding: 'utf8' });
  const wall = performance.now() - start;
  const cpuAfter = childrenCpuMs();
  if (result.status !== 0) throw new Error(`${args.join(' ')} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  return { wall, cpu: cpuBefore === undefined ? wall : cpuAfter - cpuBefore };
}

/**
 * Runs every variant RUNS times (or its own `runs`), interleaved so that drift in the machine's
 * load hits all alike; reports medians, with ratios and per-test overhead on CPU time.
 */
function compare(variants) {
  const times = new Map(variants.map((variant) => [variant.name, []]));
  for (let run = 0; run < RUNS; run++) {
    for (const variant of variants) {
      if (run < (variant.runs ?? RUNS)) times.get(variant.name).push(timeRun(variant.args, variant.env));
    }
  }
  const stats = (name) => ({ wall: median(times.get(name).map((t) => t.wall)), cpu: median(times.get(name).map((t) => t.cpu)) });
  const plain = stats(variants[0].name);
  return variants.map((variant) => {
    const { wall, cpu } = stats(variant.name);
    return {
      variant: variant.name,
      runs: times.get(variant.name).length,
      cpuMs: cpu,
      cpuRatio: cpu / plain.cpu,
      cpuPerTestUs: ((cpu - plain.cpu) * 1000) / TESTS,
      wallMs: wall,
      wallRatio: wall / plain.wall,
    };
  });
}

const results = {};
const only = new Set((process.env.LEAKS_BENCH_ONLY ?? 'vitest,jest,promises').split(','));
writeSuites();

if (only.has('vitest')) {
  const VITEST = join(root, 'node_modules', 'vitest', 'vitest.mjs');
  const vitestRun = (config) => [VITEST, 'run', '--config', join(work, config)];
  results.vitest = compare([
    { name: 'vitest plain', args: vitestRun('plain.vitest.config.mjs') },
    { name: 'vitest, one empty afterEach', args: vitestRun('empty-after-each.vitest.config.mjs') },
    { name: 'custodian/vitest (defaults)', args: vitestRun('custodian.vitest.config.mjs') },
    // Everything but leak tracking (cleanupAll with the globals baseline): what the tracker adds.
    { name: 'custodian/vitest leaks: off', args: vitestRun('custodian.vitest.config.mjs'), env: { CUSTODIAN_LEAKS: 'off' } },
    { name: 'custodian/vitest stacks: true', args: vitestRun('custodian.vitest.config.mjs'), env: { CUSTODIAN_STACKS: '1' } },
    // About 20x plain: one run is enough to place it.
    { name: 'vitest --detectAsyncLeaks', args: [...vitestRun('plain.vitest.config.mjs'), '--detectAsyncLeaks'], runs: 1 },
  ]);
  printTable(`vitest, ${TESTS} trivial tests (medians, CPU time of the whole process tree incl. startup)`, results.vitest);
}

if (only.has('jest')) {
  const JEST = join(root, 'node_modules', 'jest', 'bin', 'jest.js');
  const jestRun = (config) => [JEST, '--config', join(work, config)];
  results.jest = compare([
    { name: 'jest plain', args: jestRun('plain.jest.config.cjs') },
    { name: 'custodian/jest (defaults)', args: jestRun('custodian.jest.config.cjs') },
    { name: 'custodian/jest leaks: off', args: jestRun('custodian.jest.config.cjs'), env: { CUSTODIAN_LEAKS: 'off' } },
    { name: 'jest --detectOpenHandles', args: [...jestRun('plain.jest.config.cjs'), '--detectOpenHandles'] },
  ]);
  printTable(`jest, ${TESTS} trivial tests (medians, CPU time of the whole process tree incl. startup)`, results.jest);
}

// In process: the tracker's only per-promise cost would be a hook, and it has none.
if (only.has('promises')) {
  const { trackHandles } = await loadCustodian('index');
  async function promiseHeavy() {
    let sum = 0;
    for (let i = 0; i < PROMISES; i++) sum += await Promise.resolve(i);
    return sum;
}
const plainTimes = [];
const trackedTimes = [];
await promiseHeavy(); // warm-up
// Alternating order and a full GC before every run: otherwise whichever side runs second pays
// for the first one's million promises, which reads as a difference between the two.
for (let round = 0; round < 10; round++) {
  for (const tracked of round % 2 === 0 ? [false, true] : [true, false]) {
    const tracker = tracked ? trackHandles() : undefined;
    tracker?.begin('promise-heavy');
    globalThis.gc?.();
    const start = performance.now();
    await promiseHeavy();
    (tracked ? trackedTimes : plainTimes).push(performance.now() - start);
    await tracker?.end();
    tracker?.stop();
  }
}
const plainMs = median(plainTimes);
const trackedMs = median(trackedTimes);
results.promises = [
  { variant: 'no tracking', ms: plainMs, ratio: 1 },
  { variant: 'trackHandles() active', ms: trackedMs, ratio: trackedMs / plainMs },
];
printTable(`a million awaited promises (median of ${plainTimes.length} runs)`, results.promises);
}

rmSync(work, { recursive: true, force: true });
writeResults('leaks', { tests: TESTS, runs: RUNS, ...results });
