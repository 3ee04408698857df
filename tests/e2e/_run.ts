// Runs a real test framework on a fixture suite as a subprocess and reads custodian's report.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { isAlive, ROOT } from '../_process.js';

export { ROOT } from '../_process.js';

/** The kind each leak test of the fixture suites (fixtures/leak-kinds.cjs) must be blamed for; other tests are clean. */
export const EXPECTED_KIND: Record<string, string> = {
  'leaks an interval': 'timer',
  'leaks a refed timeout': 'timer',
  'leaks a client socket': 'socket',
  'leaks a listening server': 'server',
  'leaks a worker': 'thread',
  'leaks a child process': 'process',
  'leaks an fs watcher': 'watcher',
  'leaks a message port': 'port',
};

/**
 * Bundles an integration entry from src/ with esbuild into `dir` (jest and mocha load plain
 * JavaScript), so the e2e runs exercise the current source without a full tsup build.
 */
export async function bundleEntry(entry: 'jest' | 'mocha' | 'node-test', dir: string, format: 'cjs' | 'esm' = 'cjs'): Promise<string> {
  const { build } = await import('esbuild');
  const outfile = join(dir, `${entry}.${format === 'cjs' ? 'cjs' : 'mjs'}`);
  await build({
    entryPoints: [join(ROOT, 'src', 'integrations', `${entry}.ts`)],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format,
    outfile,
    logLevel: 'silent',
    // As the package build sets it (tsup.config.ts): how leaked handles' closing code is loaded.
    define: { __CUSTODIAN_CJS__: String(format === 'cjs') },
  });
  return outfile;
}

export interface ReportLine {
  /** `checkpoint` lines carry a file end's post-GC heap, and no leaks. */
  type: 'test' | 'file' | 'checkpoint';
  file: string;
  name?: string;
  leaks?: Array<{ kind: string; type: string; description: string; test: string; disposed: boolean; stack?: string }>;
  cleanup?: { ok: boolean };
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** True when the run had to be killed: it hung instead of exiting. */
  hung: boolean;
  output: string;
  lines: ReportLine[];
  dir: string;
}

/** Runs `args` with Node, CUSTODIAN_REPORT pointing at a fresh file; kills it after `limitMs`. */
export async function runSuite(args: string[], env: Record<string, string> = {}, limitMs = 90_000): Promise<RunResult> {
  const dir = mkdtempSync(join(os.tmpdir(), 'custodian-e2e-'));
  const report = join(dir, 'report.jsonl');
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, CUSTODIAN_REPORT: report, CI: '', FORCE_COLOR: '0', NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  let hung = false;
  const timer = setTimeout(() => {
    hung = true;
    child.kill('SIGKILL');
  }, limitMs);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.once('close', (exitCode, exitSignal) => resolve([exitCode, exitSignal])),
  );
  clearTimeout(timer);
  const lines = existsSync(report)
    ? readFileSync(report, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as ReportLine)
    : [];
  return { code, signal, hung, output, lines, dir };
}

/**
 * The checks every framework's report must pass: one line per fixture test (17), each leak
 * test blamed for exactly its kind under its own full name (`fullName` maps the short name to
 * the framework's), no clean test blamed, and nothing left for the end-of-file check.
 */
export function checkAttribution(lines: ReportLine[], fullName: (name: string) => string): void {
  const tests = lines.filter((line) => line.type === 'test');
  expect(tests).toHaveLength(17);
  const byName = new Map(tests.map((line) => [line.name, line]));
  for (const name of ['is clean before', 'is clean at the end', ...Object.keys(EXPECTED_KIND).filter((n) => n !== 'leaks a client socket').map((n) => `is clean after ${n}`)]) {
    expect(byName.get(fullName(name))?.leaks, name).toEqual([]);
  }
  for (const [name, kind] of Object.entries(EXPECTED_KIND)) {
    expect(byName.get(fullName(name))?.leaks?.map((leak) => [leak.kind, leak.test]), name).toEqual([[kind, fullName(name)]]);
  }
  expect(lines.filter((line) => line.type === 'file')).toEqual([]);
}

/** The pid of the child process the fixture leaked, from its leak description. */
export function leakedPid(lines: ReportLine[]): number {
  const leak = lines.flatMap((line) => line.leaks ?? []).find((candidate) => candidate.kind === 'process');
  return Number(/child process (\d+)/.exec(leak?.description ?? '')?.[1]);
}

/**
 * The checks of a run under the default `'dispose'`: it exits 0 without hanging, every leak is
 * named with its test and closed (the leaked child's pid is gone), and the summary says so.
 */
export function checkDisposeRun(result: RunResult, lines: ReportLine[], fullName: (name: string) => string, summary: string): void {
  expect(result.hung).toBe(false);
  expect(result.code, result.output).toBe(0);
  checkAttribution(lines, fullName);
  expect(result.lines.flatMap((line) => line.leaks ?? []).every((leak) => leak.disposed)).toBe(true);
  expect(isAlive(leakedPid(result.lines))).toBe(false);
  expect(result.output).toContain(summary);
}

/**
 * The checks of a mocha run under `'fail'`: a failed `afterEach` hook ends mocha's suite, so the
 * run fails at the first leak, after the clean test before it, and says why.
 */
export function checkMochaFailRun(result: RunResult): void {
  expect(result.hung).toBe(false);
  expect(result.code).not.toBe(0);
  expect(result.lines.filter((line) => line.type === 'test').map((line) => [line.name, (line.leaks ?? []).map((leak) => leak.kind)])).toEqual([
    ['fixture is clean before', []],
    ['fixture leaks an interval', ['timer']],
  ]);
  expect(result.output).toMatch(/"after each" hook.* for "leaks an interval"/);
  expect(result.output).toContain('LeakDetectedError');
}
