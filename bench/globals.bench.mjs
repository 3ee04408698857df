// resetGlobals() with a globals baseline: what one call costs in-process when a test changed
// nothing (the case cleanupAll() meets after almost every test), and when it changed something.
//
//   npx tsup --out-dir /tmp/globals-dist
//   CUSTODIAN_DIST=/tmp/globals-dist node --expose-gc bench/globals.bench.mjs
//
// Before/after in one run: build the older revision elsewhere and name it in
// CUSTODIAN_DIST_BEFORE (e.g. `git archive <rev> | tar -x -C /tmp/before-src`, link node_modules,
// `npx tsup --out-dir /tmp/before-dist` there). Each build is measured in its own child process:
// both copies would otherwise share custodian's process-wide slots.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { envCount, median, printTable, writeResults } from './_lib.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const CALLS = envCount('CALLS', 20_000);
const ROUNDS = envCount('ROUNDS', 7);

async function child(dist) {
  const { resetGlobals, setGlobalsBaseline, clearGlobalsBaseline } = await import(join(dist, 'index.js'));
  const g = globalThis;
  // Each case: `change` runs before every call (what the test did), outside the timed call when
  // it is cheap enough not to matter; the figure is the median over rounds of µs per call.
  async function perCall(change, options) {
    for (let i = 0; i < 2000; i++) {
      change?.(i);
      await resetGlobals(options);
    }
    const rounds = [];
    for (let round = 0; round < ROUNDS; round++) {
      const start = performance.now();
      for (let i = 0; i < CALLS; i++) {
        change?.(i);
        await resetGlobals(options);
      }
      rounds.push(((performance.now() - start) * 1000) / CALLS);
    }
    return { median: median(rounds), best: Math.min(...rounds) };
  }
  const results = {};
  results['no baseline (resets only)'] = await perCall();
  setGlobalsBaseline();
  results['baseline, nothing changed'] = await perCall();
  results['baseline, nothing changed, { full: true }'] = await perCall(undefined, { full: true });
  results['baseline, one env var set'] = await perCall((i) => {
    process.env.CUSTODIAN_BENCH_VAR = String(i);
  });
  results['baseline, one global assigned'] = await perCall((i) => {
    g.__custodianBenchGlobal = i;
  });
  clearGlobalsBaseline();
  process.stdout.write(JSON.stringify(results));
}

function measureBuild(dist) {
  const result = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), '--child', dist], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`measuring ${dist} failed: ${result.stderr.slice(-2000)}`);
  return JSON.parse(result.stdout);
}

if (process.argv[2] === '--child') {
  await child(process.argv[3]);
} else {
  const after = process.env.CUSTODIAN_DIST ?? join(here, '..', 'dist');
  const before = process.env.CUSTODIAN_DIST_BEFORE;
  for (const dist of [after, before]) {
    if (dist !== undefined && !existsSync(join(dist, 'index.js'))) {
      console.error(`no build in ${dist}: run \`npx tsup --out-dir ${dist}\` first`);
      process.exit(2);
    }
  }
  const measured = { after: measureBuild(after) };
  if (before !== undefined) measured.before = measureBuild(before);
  const rows = Object.keys(measured.after).map((name) => {
    const row = { case: name };
    if (measured.before) {
      row['before µs (median)'] = measured.before[name].median;
      row['before µs (best)'] = measured.before[name].best;
    }
    row['after µs (median)'] = measured.after[name].median;
    row['after µs (best)'] = measured.after[name].best;
    return row;
  });
  printTable(`resetGlobals() per call, in-process, ${CALLS} calls x ${ROUNDS} rounds, ${process.version}`, rows);
  writeResults('globals', { calls: CALLS, rounds: ROUNDS, dists: { after, before }, measured });
}
