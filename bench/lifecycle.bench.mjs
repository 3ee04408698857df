// cleanupAll() after every test: what it costs a real vitest run when a test registered nothing.
//
//   npx tsup --out-dir /tmp/lifecycle-dist
//   CUSTODIAN_DIST=/tmp/lifecycle-dist node --expose-gc bench/lifecycle.bench.mjs
//
// Four generated vitest files of TESTS trivial tests (default 20,000), run RUNS times each
// (default 5), interleaved, wall time of the whole `vitest run` subprocess:
//   plain          afterEach(() => {})
//   promise no-op  afterEach(() => Promise.resolve())                 what vitest charges for any async hook
//   cleanupAll     afterEach(() => cleanupAll())                      the target: <= 1.05x plain
//   + baseline     the same, with setGlobalsBaseline() in beforeAll   (what the integrations do)
// Then the per-call cost of cleanupAll() in-process, idle and with a baseline.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { envCount, loadCustodian, median, printTable, writeResults } from './_lib.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const dist = process.env.CUSTODIAN_DIST ?? join(root, 'dist');
const TESTS = envCount('TESTS', 20_000);
const RUNS = envCount('RUNS', 5);

if (!existsSync(join(dist, 'index.js'))) {
  console.error(`no build in ${dist}: run \`npx tsup --out-dir ${dist}\` first (or set CUSTODIAN_DIST)`);
  process.exit(2);
}
const entry = pathToFileURL(join(dist, 'index.js')).href;
const work = mkdtempSync(join(tmpdir(), 'custodian-bench-lifecycle-'));

const body = `for (let i = 0; i < ${TESTS}; i++) test('test ' + i, () => {});\n`;
const variants = {
  plain: `import { afterEach, test } from 'vitest';\nafterEach(() => {});\n${body}`,
  // What any afterEach that returns a promise costs vitest, custodian or not: the floor.
  'promise no-op': `import { afterEach, test } from 'vitest';\nafterEach(() => Promise.resolve());\n${body}`,
  cleanupAll: `import { afterEach, test } from 'vitest';\nimport { cleanupAll } from ${JSON.stringify(entry)};\nafterEach(() => cleanupAll());\n${body}`,
  '+ baseline':
    `import { afterEach, beforeAll, test } from 'vitest';\nimport { cleanupAll, setGlobalsBaseline } from ${JSON.stringify(entry)};\n` +
    `beforeAll(() => setGlobalsBaseline());\nafterEach(() => cleanupAll());\n${body}`,
};
const files = {};
for (const [index, [name, source]] of Object.entries(variants).entries()) {
  files[name] = `variant-${index}.test.mjs`;
  writeFileSync(join(work, files[name]), source);
}
const config = join(work, 'vitest.config.mjs');
writeFileSync(
  config,
  // The build is loaded by Node as it is, the way vitest loads a package from node_modules, rather
  // than transformed like the project's own sources.
  `export default { test: { root: ${JSON.stringify(work)}, include: [process.env.BENCH_FILE], pool: 'forks', reporters: ['dot'],\n` +
    `  server: { deps: { external: [${JSON.stringify(dist)}] } } } };\n`,
);

function runVitest(file) {
  const start = performance.now();
  const result = spawnSync(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', '--config', config], {
    cwd: root,
    env: { ...process.env, BENCH_FILE: file, FORCE_COLOR: '0' },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const ms = performance.now() - start;
  if (result.status !== 0 || !result.stdout.includes(`${TESTS} passed`)) {
    console.error(result.stdout.slice(-2000), result.stderr.slice(-2000));
    throw new Error(`vitest run of ${file} failed (exit ${result.status})`);
  }
  return ms;
}

const times = Object.fromEntries(Object.keys(variants).map((name) => [name, []]));
try {
  runVitest(files.plain); // warm-up: vite's caches, the file system
  for (let run = 0; run < RUNS; run++) {
    for (const name of Object.keys(variants)) times[name].push(runVitest(files[name]));
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

const plain = median(times.plain);
const plainMin = Math.min(...times.plain);
// The median is the figure; the ratio of the minimums is printed too because it is the steadier
// one when other work shares the machine (the fastest run is the one least disturbed).
const rows = Object.entries(times).map(([variant, list]) => ({
  variant,
  'median ms': median(list),
  'min ms': Math.min(...list),
  'max ms': Math.max(...list),
  'ratio (medians)': median(list) / plain,
  'ratio (minimums)': Math.min(...list) / plainMin,
  'µs per test over plain (medians)': ((median(list) - plain) * 1000) / TESTS,
}));
printTable(`vitest run, ${TESTS} trivial tests, wall time, median of ${RUNS} runs`, rows);

// In-process: the cost of one call, the loop's own await included.
const { cleanupAll, setGlobalsBaseline, clearGlobalsBaseline } = await loadCustodian('index');
async function perCall(calls) {
  for (let i = 0; i < 2000; i++) await cleanupAll();
  const start = performance.now();
  for (let i = 0; i < calls; i++) await cleanupAll();
  return ((performance.now() - start) * 1000) / calls;
}
async function emptyAwait(calls) {
  const noop = async () => {};
  const start = performance.now();
  for (let i = 0; i < calls; i++) await noop();
  return ((performance.now() - start) * 1000) / calls;
}
const micro = [{ case: 'await of an empty async function', 'µs per call': await emptyAwait(200_000) }];
micro.push({ case: 'cleanupAll(), nothing registered, no baseline', 'µs per call': await perCall(200_000) });
setGlobalsBaseline();
micro.push({ case: 'cleanupAll(), nothing registered, with a globals baseline', 'µs per call': await perCall(20_000) });
clearGlobalsBaseline();
printTable('cleanupAll() in-process', micro);

writeResults('lifecycle', { tests: TESTS, runs: RUNS, times, vitest: rows, perCall: micro });
