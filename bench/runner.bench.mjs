// AsyncRunner: throughput of run() next to p-limit alone, and how fast shutdown() resolves.
//   node bench/run.mjs runner          (after npm run build)
//   npx tsup --out-dir /tmp/x-dist && CUSTODIAN_DIST=/tmp/x-dist node --expose-gc bench/runner.bench.mjs
import pLimit from 'p-limit';
import { loadCustodian, measure, median, printTable, writeResults } from './_lib.mjs';

const { AsyncRunner } = await loadCustodian('index');

const TASKS = 100_000;
const CONCURRENCY = 16;
// The target compares the first two rows (sync task); the async pair shows the cost of a task that can be abandoned.
const trivial = () => 1;
const trivialAsync = async () => 1;

function throughPLimit(task) {
  return async () => {
    const limit = pLimit(CONCURRENCY);
    const promises = new Array(TASKS);
    for (let i = 0; i < TASKS; i++) promises[i] = limit(task);
    await Promise.all(promises);
  };
}

function throughRunner(options, task = trivial) {
  return async () => {
    const runner = new AsyncRunner({ concurrency: CONCURRENCY, ...options });
    const promises = new Array(TASKS);
    for (let i = 0; i < TASKS; i++) promises[i] = runner.run(task);
    await Promise.all(promises);
    await runner.shutdown();
  };
}

function throughRunnerWithTimeout() {
  return async () => {
    const runner = new AsyncRunner({ concurrency: CONCURRENCY });
    const promises = new Array(TASKS);
    for (let i = 0; i < TASKS; i++) promises[i] = runner.run(trivial, { timeoutMs: 10_000 });
    await Promise.all(promises);
    await runner.shutdown();
  };
}

// Interleaved, in alternating order, so both sides see the same machine load (other processes
// share the 2 cores); the median of the rounds is reported.
const ROUNDS = 9;
const variants = [
  ['p-limit alone', throughPLimit(trivial)],
  ['AsyncRunner.run', throughRunner({})],
  ['p-limit alone, async task', throughPLimit(trivialAsync)],
  ['AsyncRunner.run, async task', throughRunner({}, trivialAsync)],
  ["AsyncRunner.run, stacks: 'all'", throughRunner({ stacks: 'all' })],
  ['AsyncRunner.run, timeoutMs (own signal + timer)', throughRunnerWithTimeout()],
];
const times = new Map(variants.map(([name]) => [name, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, fn] of round % 2 === 0 ? variants : [...variants].reverse()) {
    globalThis.gc?.();
    const [ms] = await measure(fn, { runs: 1, warmup: round === 0 ? 2 : 0 });
    times.get(name).push(ms);
  }
}
const baseline = median(times.get('p-limit alone'));
const asyncBaseline = median(times.get('p-limit alone, async task'));
const throughput = variants.map(([name]) => {
  const ms = median(times.get(name));
  const base = name.includes('async task') ? asyncBaseline : baseline;
  return { variant: name, 'median ms': ms, 'tasks/s': Math.round((TASKS / ms) * 1000), 'ratio to p-limit': base / ms };
});
printTable(`${TASKS} trivial tasks at concurrency ${CONCURRENCY} (median of ${ROUNDS})`, throughput);

const honour = (signal) =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, 60_000);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason);
    }, { once: true });
  });
const held = new Set();
const ignore = () =>
  new Promise((resolve) => {
    held.add(resolve);
  });

async function shutdownLatency({ queued, running, task, deadline }) {
  const runner = new AsyncRunner({ concurrency: running, shutdownTimeoutMs: deadline });
  const promises = [];
  for (let i = 0; i < running + queued; i++) promises.push(runner.run(task).catch(() => {}));
  await new Promise((resolve) => setImmediate(resolve)); // let the first `running` tasks start
  if (runner.active !== running || runner.pending !== queued) throw new Error('tasks did not start as expected');
  const start = performance.now();
  const report = await runner.shutdown();
  const ms = performance.now() - start;
  for (const resolve of held) resolve();
  held.clear();
  await Promise.all(promises);
  if (report.cancelled !== queued) throw new Error(`expected ${queued} cancelled, got ${report.cancelled}`);
  return { ms, report };
}

const latency = [];
{
  const samples = [];
  for (let i = 0; i < 9; i++) samples.push((await shutdownLatency({ queued: 10_000, running: 16, task: honour, deadline: 5000 })).ms);
  latency.push({ scenario: '10,000 queued + 16 running that honour the signal', 'median ms': median(samples), 'max ms': Math.max(...samples), target: '< 20 ms' });
}
{
  const deadline = 50;
  const samples = [];
  for (let i = 0; i < 9; i++) {
    const { ms, report } = await shutdownLatency({ queued: 0, running: 16, task: ignore, deadline });
    if (report.abandoned.length !== 16) throw new Error('expected 16 abandoned tasks');
    samples.push(ms - deadline);
  }
  latency.push({ scenario: `16 running that ignore it (deadline ${deadline} ms): ms past the deadline`, 'median ms': median(samples), 'max ms': Math.max(...samples), target: '< 5 ms' });
}
printTable('shutdown() latency (9 runs)', latency);

writeResults('runner', { tasks: TASKS, concurrency: CONCURRENCY, throughput, latency });
