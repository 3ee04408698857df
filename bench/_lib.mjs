// Shared helpers for the benchmarks: timing, a table on stdout, JSON in bench/results/.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import os from 'node:os';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * A whole-number setting from the environment (`BENCH_RUNS=21`), or `fallback` when it is unset.
 * Anything else stops the benchmark with what was wrong: `Number('x')` would run no rounds and
 * print medians of nothing.
 */
export function envCount(name, fallback, minimum = 1) {
  const text = process.env[name];
  const value = text === undefined || text === '' ? fallback : Number(text);
  if (!Number.isInteger(value) || value < minimum) throw new Error(`${name} must be a whole number of at least ${minimum}, got ${JSON.stringify(text)}`);
  return value;
}

/** Median of a list of numbers. */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * The ratio of two variants measured in interleaved runs (`samples[i]` and `base[i]` from the
 * same round), as the median of the per-round ratios with a 95% bootstrap interval. A shared
 * machine's load drifts over a benchmark's minutes and moves every variant of a round alike:
 * pairing the rounds takes the drift out, which a ratio of the two medians does not. The
 * interval is seeded, so the same samples always give the same figures.
 */
export function pairedRatio(samples, base, { resamples = 2000, seed = 1 } = {}) {
  const count = Math.min(samples.length, base.length);
  const ratios = Array.from({ length: count }, (_, index) => samples[index] / base[index]);
  if (count < 2) return { median: ratios[0], low: ratios[0], high: ratios[0], rounds: count };
  // mulberry32: a small seeded generator, so that reruns of a saved result agree.
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const medians = [];
  for (let round = 0; round < resamples; round++) {
    medians.push(median(Array.from({ length: count }, () => ratios[Math.floor(random() * count)])));
  }
  medians.sort((a, b) => a - b);
  return { median: median(ratios), low: medians[Math.floor(resamples * 0.025)], high: medians[Math.ceil(resamples * 0.975) - 1], rounds: count };
}

/**
 * CPU time the bench process's waited-for children used so far (user + system, in ms), which on
 * Linux includes their own waited-for children (vitest's forks, jest's workers). Other sessions
 * share this machine: CPU time is what the tests cost, wall time also measures their load.
 * `undefined` off Linux.
 */
export function childrenCpuMs() {
  if (process.platform !== 'linux') return undefined;
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  // Fields 16 and 17 of /proc/<pid>/stat (cutime, cstime), in clock ticks of 1/100 s.
  return (Number(fields[13]) + Number(fields[14])) * 10;
}

/** Runs `fn` (sync or async) `runs` times after `warmup` runs; returns each run's milliseconds. */
export async function measure(fn, { runs = 7, warmup = 2 } = {}) {
  for (let i = 0; i < warmup; i++) await fn();
  const times = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await fn();
    times.push(performance.now() - start);
  }
  return times;
}

/** Prints rows (objects with the same keys) as an aligned table. */
export function printTable(title, rows) {
  console.log(`\n${title}`);
  if (rows.length === 0) return;
  const keys = Object.keys(rows[0]);
  const cells = [keys, ...rows.map((row) => keys.map((key) => format(row[key])))];
  const widths = keys.map((_, column) => Math.max(...cells.map((line) => String(line[column]).length)));
  for (const [index, line] of cells.entries()) {
    console.log(line.map((cell, column) => String(cell).padEnd(widths[column])).join('  '));
    if (index === 0) console.log(widths.map((width) => '-'.repeat(width)).join('  '));
  }
}

function format(value) {
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : value.toFixed(value < 10 ? 3 : 1);
  return String(value ?? '');
}

/** Writes bench/results/<name>.json with the machine and Node version alongside the figures. */
export function writeResults(name, results) {
  const file = join(here, 'results', `${name}.json`);
  mkdirSync(dirname(file), { recursive: true });
  const payload = {
    benchmark: name,
    date: new Date().toISOString(),
    node: process.version,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    results,
  };
  writeFileSync(file, `${JSON.stringify(payload, null, 2)}\n`);
  console.log(`\nwrote ${file}`);
}

/**
 * Imports a built entry of the library (index, vitest, typeorm, ...). From dist/ by default;
 * CUSTODIAN_DIST=<dir> points at another build (so parallel builds do not clobber each other).
 */
export async function loadCustodian(entry = 'index') {
  const dist = process.env.CUSTODIAN_DIST ?? join(here, '..', 'dist');
  return import(join(dist, `${entry}.js`));
}
