// ResourceRegistry overhead against the raw loop that closes the same resources.
//   1. 10,000 timers: register + cleanupAll() vs clearTimeout in a loop (target: <= 2 µs per entry).
//   2. 200 listening servers, cleanupAll({ concurrency: 16 }) vs closing them all in parallel
//      (target: within 1.5x).
// Raw and registry runs alternate, so a burst of load from elsewhere on the machine hits both
// sides alike. Each side is timed in wall time and in CPU time of this process
// (process.cpuUsage(): user + system), which other processes' load disturbs much less.
import { once } from 'node:events';
import { createServer } from 'node:net';
import { loadCustodian, median, printTable, writeResults } from './_lib.mjs';

const { ResourceRegistry } = await loadCustodian();
const TIMERS = 10_000;
const SERVERS = 200;
const TIMER_ROUNDS = 25;
const SERVER_ROUNDS = 45;
// The first rounds run cold code (interpreter, baseline compiler) and are left out.
const WARMUP = 5;
const noop = () => undefined;

/** Runs `body` and returns its wall and CPU milliseconds. */
async function timed(body) {
  const cpu = process.cpuUsage();
  const start = performance.now();
  await body();
  const wall = performance.now() - start;
  const { user, system } = process.cpuUsage(cpu);
  return { wall, cpu: (user + system) / 1000 };
}

function makeTimers() {
  const timers = new Array(TIMERS);
  for (let i = 0; i < TIMERS; i++) timers[i] = setTimeout(noop, 60_000);
  return timers;
}

// Creating the resources is outside the measured region for both sides: only close (+ register) is timed.
function timersRaw() {
  const timers = makeTimers();
  return timed(() => {
    for (const timer of timers) clearTimeout(timer);
  });
}

function timersRegistry() {
  const timers = makeTimers();
  const registry = new ResourceRegistry();
  return timed(async () => {
    for (const timer of timers) registry.register(timer);
    await registry.cleanupAll();
  });
}

async function makeServers() {
  const servers = [];
  for (let i = 0; i < SERVERS; i++) servers.push(createServer().listen(0, '127.0.0.1'));
  await Promise.all(servers.map((server) => once(server, 'listening')));
  return servers;
}

async function serversRaw() {
  const servers = await makeServers();
  return timed(() => Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve)))));
}

async function serversRegistry() {
  const servers = await makeServers();
  const registry = new ResourceRegistry();
  return timed(async () => {
    for (const server of servers) registry.register(server);
    await registry.cleanupAll({ concurrency: 16 });
  });
}

/** Alternates raw and registry runs; returns each side's samples after the warm-up rounds. */
async function compare(raw, ours, rounds) {
  const samples = { raw: [], ours: [] };
  for (let round = 0; round < rounds; round++) {
    // Which side goes first alternates too, so neither always runs right after the other's garbage.
    const order = round % 2 === 0 ? ['raw', 'ours'] : ['ours', 'raw'];
    for (const side of order) {
      const sample = await (side === 'raw' ? raw : ours)();
      if (round >= WARMUP) samples[side].push(sample);
    }
  }
  return samples;
}

const range = (values) => `${Math.min(...values).toFixed(2)}-${Math.max(...values).toFixed(2)}`;

function row(name, entries, samples, target) {
  const rawWall = samples.raw.map((sample) => sample.wall);
  const oursWall = samples.ours.map((sample) => sample.wall);
  const rawCpu = median(samples.raw.map((sample) => sample.cpu));
  const oursCpu = median(samples.ours.map((sample) => sample.cpu));
  return {
    case: name,
    raw_ms: median(rawWall),
    registry_ms: median(oursWall),
    raw_range: range(rawWall),
    registry_range: range(oursWall),
    ratio: median(oursWall) / median(rawWall),
    raw_cpu_ms: rawCpu,
    registry_cpu_ms: oursCpu,
    cpu_ratio: oursCpu / rawCpu,
    overhead_us_per_entry: ((median(oursWall) - median(rawWall)) * 1000) / entries,
    target,
  };
}

const timers = await compare(timersRaw, timersRegistry, TIMER_ROUNDS);
const servers = await compare(serversRaw, serversRegistry, SERVER_ROUNDS);
const rows = [
  row(`${TIMERS} timers`, TIMERS, timers, '<= 2 µs/entry'),
  row(`${SERVERS} servers, concurrency 16`, SERVERS, servers, '<= 1.5x'),
];
printTable(`ResourceRegistry vs raw close (median of alternating runs after ${WARMUP} warm-up rounds, ms; ranges min-max)`, rows);
writeResults('registry', rows);
