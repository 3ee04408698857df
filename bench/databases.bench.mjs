// Closing database pools through the registry against closing them by hand. pg-pool's end()
// resolves once its idle clients are removed and their sockets told to end (it does not wait
// for the server), so both sides measure the same calls and the ratio is the registry's cost.
//   cleanupAll() of 20 pg pools with 5 open connections each, at concurrency 1 and 8, against
//   `Promise.all(pools.map((pool) => pool.end()))` (target: concurrency 8 within 1.3x of it).
//
//   npx tsup --out-dir .dist-db && CUSTODIAN_DIST=$PWD/.dist-db node --expose-gc bench/databases.bench.mjs
//
// It starts its own PostgreSQL (bench/_postgres.mjs: a temporary initdb, max_connections=250,
// fsync off, stopped and deleted at the end), so the 100 connections fit whatever the machine's
// own server allows. BENCH_PG_POOLS, BENCH_PG_CONNECTIONS and BENCH_RUNS change the shape.
//
// The cases take turns within each round, in an order that rotates from round to round.
// Wall-clock times here are noise-bound: each case is 1.5-3 ms of work, and under load one
// socket call of the close (a write or a shutdown on loopback) stalls for 20-80 ms now and
// then, whichever side makes it. So the table reports, besides the wall-clock medians and best
// runs, the median of the per-round ratios (each case against the raw run of the same round)
// and the process's CPU time, which those stalls do not inflate. BENCH_DEBUG=1 prints each round.
//
// `for (p of pools) await p.end()` is the by-hand reference for closing one pool at a time.
//
// Where the registry's extra time goes: in steady state (a hot loop) custodian's part costs
// about 1.5 us per pool, describe() 0.1 us and the deadline timer 0.13 us of it; in this
// benchmark, right after the pools were built, its best runs add some 0.2 ms per 20 pools:
// ~0.1 ms for the 20 register() calls (shape recognition, entries) and ~0.1 ms of cleanup
// bookkeeping (deadlines, outcomes, the report), against ~1.4 ms for ending 100 connections.
import pg from 'pg';
import { envCount, loadCustodian, median, printTable, writeResults } from './_lib.mjs';
import { startPostgres } from './_postgres.mjs';

const { ResourceRegistry } = await loadCustodian();
const POOLS = envCount('BENCH_PG_POOLS', 20);
const CONNECTIONS = envCount('BENCH_PG_CONNECTIONS', 5);
const RUNS = envCount('BENCH_RUNS', 31);
const WARMUP = 2;
const APPLICATION = `custodian-bench-${process.pid}`;

const MAX_CONNECTIONS = Math.max(250, POOLS * CONNECTIONS + 20);
const server = await startPostgres({ maxConnections: MAX_CONNECTIONS });
const connection = { host: server.host, port: server.port, user: server.user, database: server.database };
console.log(`PostgreSQL ${server.version} on ${server.host}:${server.port} (temporary, max_connections ${MAX_CONNECTIONS})`);

let admin;
try {
  admin = new pg.Client({ ...connection, application_name: `${APPLICATION}-admin` });
  await admin.connect();
  await run();
} finally {
  await admin?.end().catch(() => undefined);
  server.stop();
}

async function backends() {
  const { rows } = await admin.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1', [APPLICATION]);
  return rows[0].n;
}

/** POOLS pools, each with CONNECTIONS connections open and idle; built outside the timed region. */
async function makePools() {
  const pools = Array.from({ length: POOLS }, () => new pg.Pool({ ...connection, application_name: APPLICATION, max: CONNECTIONS }));
  await Promise.all(
    pools.map(async (pool) => {
      const clients = await Promise.all(Array.from({ length: CONNECTIONS }, () => pool.connect()));
      for (const client of clients) client.release();
    }),
  );
  const open = pools.reduce((sum, pool) => sum + pool.idleCount, 0);
  if (open !== POOLS * CONNECTIONS) throw new Error(`expected ${POOLS * CONNECTIONS} idle connections, got ${open}`);
  // Let the connection handshakes' trailing events run and collect their garbage, so neither
  // side pays for them inside the timed region.
  await new Promise((resolve) => setTimeout(resolve, 20));
  globalThis.gc?.();
  return pools;
}

/** Waits until the server has let every benchmark backend go, so runs do not overlap. */
async function drained() {
  while ((await backends()) > 0) await new Promise((resolve) => setTimeout(resolve, 20));
}

/** Wall-clock and CPU milliseconds of `fn`: on a loaded machine the CPU time is the steadier figure. */
async function timed(fn) {
  const cpu = process.cpuUsage();
  const start = performance.now();
  await fn();
  const wall = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { wall, cpu: (used.user + used.system) / 1000 };
}

async function raw() {
  const pools = await makePools();
  const result = await timed(() => Promise.all(pools.map((pool) => pool.end())));
  await drained();
  return result;
}

/** The reference for concurrency 1: the same calls one pool at a time, newest first, by hand. */
async function rawOneByOne() {
  const pools = await makePools();
  const result = await timed(async () => {
    for (let index = pools.length - 1; index >= 0; index--) await pools[index].end();
  });
  await drained();
  return result;
}

function viaRegistry(concurrency) {
  return async () => {
    const pools = await makePools();
    const registry = new ResourceRegistry({ name: 'bench' });
    let report;
    const result = await timed(async () => {
      for (const pool of pools) registry.register(pool);
      report = await registry.cleanupAll({ concurrency });
    });
    if (report.disposed.length !== POOLS) throw new Error(`expected ${POOLS} graceful closes, got ${JSON.stringify(report)}`);
    await drained();
    return result;
  };
}

/**
 * Runs both code paths a few thousand times on pools that never connected (their end() has
 * nothing to close), so that V8 has compiled them before the first measured round: the
 * registry's code otherwise runs only 20 times per round, and its compilation on V8's
 * background threads lands in the process's CPU time. After a test suite's first few tests,
 * cleanupAll() is hot code too.
 */
async function warmUp() {
  const idlePools = () => Array.from({ length: POOLS }, () => new pg.Pool({ ...connection, application_name: APPLICATION }));
  for (let i = 0; i < 2000; i++) {
    await Promise.all(idlePools().map((pool) => pool.end()));
    for (const concurrency of [1, 8]) {
      const registry = new ResourceRegistry({ name: 'warm-up' });
      for (const pool of idlePools()) registry.register(pool);
      await registry.cleanupAll({ concurrency });
    }
  }
}

async function run() {
  const CASE_NAMES = { raw: 'Promise.all(pools.map(p => p.end()))', 'one by one': 'for (p of pools) await p.end()' };
  await warmUp();
  const cases = { raw, 'one by one': rawOneByOne, 'concurrency 1': viaRegistry(1), 'concurrency 8': viaRegistry(8) };
  const names = Object.keys(cases);
  const rounds = [];
  for (let round = 0; round < WARMUP + RUNS; round++) {
    const sample = {};
    for (let turn = 0; turn < names.length; turn++) {
      const name = names[(round + turn) % names.length];
      sample[name] = await cases[name]();
    }
    if (process.env.BENCH_DEBUG) console.log(round, Object.entries(sample).map(([n, s]) => `${n}=${s.wall.toFixed(1)}/${s.cpu.toFixed(1)}`).join(" "));
    if (round >= WARMUP) rounds.push(sample);
  }

  const pick = (name, key) => rounds.map((sample) => sample[name][key]);
  const rawWall = median(pick('raw', 'wall'));
  const rawCpu = median(pick('raw', 'cpu'));
  const rawMin = Math.min(...pick('raw', 'wall'));
  const rows = names.map((name) => ({
    case: CASE_NAMES[name] ?? `registry.cleanupAll({ ${name.replace(' ', ': ')} })`,
    median_ms: median(pick(name, 'wall')),
    min_ms: Math.min(...pick(name, 'wall')),
    ratio_vs_raw: median(pick(name, 'wall')) / rawWall,
    // Each round's own raw run as the reference: a slow phase of the machine hits both.
    paired_ratio: median(rounds.map((sample) => sample[name].wall / sample.raw.wall)),
    min_ratio: Math.min(...pick(name, 'wall')) / rawMin,
    cpu_median_ms: median(pick(name, 'cpu')),
    cpu_ratio: median(pick(name, 'cpu')) / rawCpu,
  }));
  printTable(`${POOLS} pg pools x ${CONNECTIONS} open connections (${RUNS} rounds, medians)`, rows);
  const concurrent = rows.find((row) => row.case.includes('concurrency: 8'));
  const verdict = (ratio) => `${ratio.toFixed(2)}x ${ratio <= 1.3 ? 'met' : 'MISSED'}`;
  console.log(
    `target: concurrency 8 within 1.3x of the raw parallel end -> wall median ${verdict(concurrent.ratio_vs_raw)}, ` +
      `paired ${verdict(concurrent.paired_ratio)}, CPU ${verdict(concurrent.cpu_ratio)}`,
  );
  writeResults('databases', { pools: POOLS, connectionsPerPool: CONNECTIONS, runs: RUNS, postgres: server.version, rows });
}
