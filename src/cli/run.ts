import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { logger } from '../_internal/debug.js';
import type { RunArgs } from './args.js';
import { bundledIntegration, importOption, injectSetup } from './inject.js';
import { Progress } from './progress.js';
import { buildReport } from './report.js';
import type { Report } from './report-types.js';
import { detectRunner, withTestNamePattern } from './runners.js';
import { TreeSampler } from './sampler.js';
import { TestLineReader } from './test-lines.js';

const debug = logger('cli');

/** Where the run reads and writes; injected so tests can capture output. */
export interface RunIo {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
  readonly cliUrl: string;
  readonly version: string;
  /** Milliseconds between the forwarded signal and SIGKILL to the whole tree. */
  readonly killAfterMs?: number;
}

const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** node_modules/.bin of the working directory and its parents, first on PATH (as npx does). */
function binPath(cwd: string, path: string | undefined): string {
  const dirs: string[] = [];
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    dirs.push(join(dir, 'node_modules', '.bin'));
    if (dirname(dir) === dir) break;
  }
  return [...dirs, ...(path ? [path] : [])].join(delimiter);
}

function signalTree(child: ChildProcess, pids: readonly number[], signal: NodeJS.Signals): void {
  // The child leads its own process group (detached): one kill reaches it and every descendant
  // that stayed in the group; the pids seen by the sampler cover those that left it.
  try {
    if (child.pid !== undefined) process.kill(-child.pid, signal);
  } catch {}
  if (signal === 'SIGKILL') {
    for (const pid of pids) {
      try {
        process.kill(pid, signal);
      } catch {}
    }
  }
}

/**
 * `custodian run`: spawns the test command with the hooks loaded and CUSTODIAN_REPORT set,
 * samples the tree's RSS, follows the per-test lines, and when the command ends (or the CLI
 * is told to stop) writes the reports and the summary. Resolves with the report; the caller
 * turns `report.exitCode` into the process's exit code.
 *
 * Signals: the first SIGINT/SIGTERM/SIGHUP is forwarded to the command's process group; a
 * second one, or `killAfterMs` without an exit, kills the whole tree with SIGKILL.
 */
export async function runTests(args: RunArgs, io: RunIo): Promise<Report> {
  const startedAtEpoch = Date.now();
  const started = performance.now();
  const tmp = mkdtempSync(join(tmpdir(), 'custodian-run-'));
  const reportFile = join(tmp, 'tests.jsonl');
  writeFileSync(reportFile, '');
  const warnings: string[] = [];
  const runner = detectRunner(args.command);
  let command = args.testNamePattern === undefined ? [...args.command] : withTestNamePattern(args.command, runner, args.testNamePattern);
  // What the user asked for (with -t mapped), for the report: not the generated config's path.
  const asked = [...command];
  if (args.inject) {
    const setup = args.setup === undefined ? bundledIntegration(runner.kind, io.cliUrl) : resolve(io.cwd, args.setup);
    if (setup === undefined) {
      if (runner.kind !== 'unknown') warnings.push(`custodian's ${runner.kind} integration was not found next to the CLI; pass --setup <file>`);
    } else {
      const injection = injectSetup(command, runner, setup, io.cwd, tmp);
      command = injection.command;
      if (injection.warning) warnings.push(injection.warning);
    }
  }
  const env: NodeJS.ProcessEnv = { ...io.env, CUSTODIAN_REPORT: reportFile, PATH: binPath(io.cwd, io.env.PATH) };
  if (args.gcDebug) {
    const trace = join(tmp, 'gc-trace.mjs');
    writeFileSync(trace, "import { setFlagsFromString } from 'node:v8';\nsetFlagsFromString('--trace-gc');\n");
    // --trace-gc is not allowed in NODE_OPTIONS; a preload turns it on (V8 flags are process-wide).
    env.NODE_OPTIONS = [env.NODE_OPTIONS, '--expose-gc', importOption(trace)].filter(Boolean).join(' ');
    env.CUSTODIAN_GC_DEBUG = '1';
  }
  const live = args.progress && io.stderr.isTTY === true;
  if (live && io.stdout.isTTY && env.FORCE_COLOR === undefined) env.FORCE_COLOR = '1';
  debug('spawning %o', command);

  const progress = new Progress(io.stderr, args.progress);
  const lines = new TestLineReader(reportFile, startedAtEpoch);
  const sampler = new TreeSampler(args.sampleInterval * 1000, started);
  const child = spawn(command[0]!, command.slice(1), { cwd: io.cwd, env, detached: true, stdio: ['inherit', live ? 'pipe' : 'inherit', live ? 'pipe' : 'inherit'] });
  let peak = 0;
  let failed = 0;
  let leaks = 0;
  const refresh = (rss: number): void => {
    for (const line of lines.poll(Math.round(performance.now() - started))) {
      if (line.status === 'failed') failed++;
      leaks += line.leaks.length;
    }
    peak = Math.max(peak, rss);
    progress.update({ elapsedMs: performance.now() - started, rss, peak, tests: lines.lines.length, failed, leaks });
  };
  let lastRss = 0;
  for (const [source, target] of [[child.stdout, io.stdout], [child.stderr, io.stderr]] as const) {
    source?.on('data', (chunk: Buffer) => {
      progress.clear();
      target.write(chunk);
      refresh(lastRss);
    });
  }

  let interrupted = false;
  let escalation: NodeJS.Timeout | undefined;
  const killTree = (): void => signalTree(child, sampler.seenPids, 'SIGKILL');
  const onSignal = (signal: NodeJS.Signals): void => {
    if (interrupted) {
      debug('second %s: killing the tree', signal);
      killTree();
      return;
    }
    interrupted = true;
    debug('forwarding %s', signal);
    signalTree(child, [], signal);
    escalation = setTimeout(killTree, io.killAfterMs ?? 10_000);
  };
  for (const signal of FORWARDED) process.on(signal, onSignal);

  const outcome = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>((resolveExit) => {
    child.once('error', (error) => resolveExit({ code: 127, signal: null, error }));
    child.once('exit', (code, signal) => resolveExit({ code, signal }));
    if (child.pid !== undefined) {
      sampler.start(child.pid, (sample) => {
        lastRss = sample.rss;
        refresh(sample.rss);
      });
    }
  });
  try {
    for (const signal of FORWARDED) process.off(signal, onSignal);
    clearTimeout(escalation);
    await sampler.stop();
    progress.clear();
    if (outcome.error) warnings.push(`could not start ${JSON.stringify(command[0])}: ${outcome.error.message}`);
    // Whatever of the command outlived it (workers it did not reap) goes with it.
    if (child.pid !== undefined && groupAlive(child.pid)) {
      warnings.push('processes of the test command were still running after it exited; custodian killed them');
      killTree();
    }
    lines.poll(Math.round(performance.now() - started), true);
    if (lines.invalid > 0) warnings.push(`${lines.invalid} line(s) of the per-test report were not JSON`);
    return buildReport({
      toolVersion: io.version,
      run: {
        command: asked,
        runner: runner.kind,
        startedAt: new Date(startedAtEpoch).toISOString(),
        durationMs: Math.round(performance.now() - started),
        exitCode: outcome.code,
        signal: outcome.signal,
        interrupted,
        sampleIntervalMs: Math.round(args.sampleInterval * 1000),
        sampler: sampler.cost(),
        pids: sampler.seenPids,
        shards: 1,
        limits: { maxRss: args.maxRss ?? null, maxGrowth: args.maxGrowth ?? null, failOnLeak: args.failOnLeak },
      },
      samples: sampler.samples.map((sample) => ({ ...sample, shard: 0 })),
      tests: lines.lines.map((line) => ({ ...line, shard: 0 })),
      fileLeaks: lines.fileLeaks.map((entry) => ({ ...entry, shard: 0 })),
      warnings,
    });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}
