import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, transform } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AsyncRunner } from '../../src/runner/async-runner.js';
import { ShutdownError } from '../../src/runner/errors.js';
import { isCustodianError } from '../../src/errors.js';
import { failOnUnhandledRejections, ignoring, liveTimers } from './_helpers.js';

failOnUnhandledRejections();

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
// Node 24+ runs `await using` natively; on Node 20 the fixture is lowered by esbuild first.
const native = typeof (globalThis as { DisposableStack?: unknown }).DisposableStack === 'function';

let workDir: string;
let entry: string;

beforeAll(async () => {
  // Under node_modules, so the bundle's bare imports (p-limit, debug) resolve to the project's.
  const cache = join(root, 'node_modules', '.cache');
  await mkdir(cache, { recursive: true });
  workDir = await mkdtemp(join(cache, 'custodian-runner-'));
  entry = join(workDir, 'runner.mjs');
  await build({
    stdin: { contents: "export { AsyncRunner } from './src/runner/async-runner.js';", resolveDir: root, loader: 'ts' },
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    outfile: entry,
    logLevel: 'silent',
  });
});

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

async function runFixture(name: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let script = join(here, 'fixtures', name);
  if (!native) {
    const lowered = await transform(await readFile(script, 'utf8'), { target: 'node20', format: 'esm', loader: 'js' });
    script = join(workDir, name);
    await writeFile(script, lowered.code);
  }
  const child = spawn(process.execPath, [script], {
    env: { ...process.env, CUSTODIAN_RUNNER_ENTRY: pathToFileURL(entry).href },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  // A fixture that hangs (a task the block failed to stop) is killed rather than stalling the suite.
  const guard = setTimeout(() => child.kill('SIGKILL'), 20_000);
  try {
    const [code] = (await once(child, 'close')) as [number | null];
    return { code, stdout, stderr };
  } finally {
    clearTimeout(guard);
  }
}

describe('AsyncRunner[Symbol.asyncDispose]', () => {
  it(`stops its tasks at the end of a native await using block (${native ? 'native' : 'lowered by esbuild on this Node'})`, async () => {
    const { code, stdout, stderr } = await runFixture('await-using-clean.mjs');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ aborted: true, reason: 'ERR_RUNNER_CLOSED', timers: 0, native });
  });

  it('throws ShutdownError naming the abandoned task out of a native await using block', async () => {
    const { code, stdout } = await runFixture('await-using-abandoned.mjs');
    expect(code).toBe(3);
    expect(JSON.parse(stdout)).toEqual({ name: 'ShutdownError', code: 'ERR_SHUTDOWN', abandoned: ['ignores its signal'] });
  });

  it('stops its tasks at the end of a compiled await using block', async () => {
    const baseline = liveTimers();
    let taskSignal: AbortSignal | undefined;
    let runner: AsyncRunner | undefined;
    {
      await using scoped = new AsyncRunner();
      runner = scoped;
      scoped.spawn((signal) => {
        taskSignal = signal;
        return delay(60_000, undefined, { signal });
      });
      expect(liveTimers()).toBe(baseline + 1);
    }
    expect(runner.closed).toBe(true);
    expect(taskSignal?.aborted).toBe(true);
    expect(liveTimers()).toBe(baseline);
  });

  it('rejects with ShutdownError carrying the report when a task was abandoned', async () => {
    const stuck = ignoring();
    let thrown: unknown;
    try {
      await using runner = new AsyncRunner({ name: 'compiled', shutdownTimeoutMs: 30 });
      runner.spawn(stuck.task, { name: 'ignores its signal' });
    } catch (error) {
      thrown = error;
    } finally {
      stuck.release();
    }
    expect(thrown).toBeInstanceOf(ShutdownError);
    expect(isCustodianError(thrown, 'ERR_SHUTDOWN')).toBe(true);
    const report = (thrown as ShutdownError).report;
    expect(report.runner).toBe('compiled');
    expect(report.abandoned.map((task) => task.name)).toEqual(['ignores its signal']);
  });

  it('rejects with ShutdownError when a background task failed with nobody observing, but not when onError saw it', async () => {
    const boom = new Error('unobserved');
    let thrown: unknown;
    try {
      await using runner = new AsyncRunner();
      runner.spawn(() => Promise.reject(boom));
      await runner.onIdle();
    } catch (error) {
      thrown = error;
    }
    expect(isCustodianError(thrown, 'ERR_SHUTDOWN')).toBe(true);
    expect((thrown as ShutdownError).report.errors).toEqual([boom]);
    expect((thrown as ShutdownError).cause).toBe(boom);

    const seen: unknown[] = [];
    {
      await using runner = new AsyncRunner({ onError: (error) => seen.push(error) });
      runner.spawn(() => Promise.reject(boom));
      await runner.onIdle();
    }
    expect(seen).toEqual([boom]);
  });

  it('keeps the block error first and suppresses the ShutdownError behind it', async () => {
    const stuck = ignoring();
    const blockError = new Error('test body failed');
    let thrown: unknown;
    try {
      await using runner = new AsyncRunner({ shutdownTimeoutMs: 10 });
      runner.spawn(stuck.task);
      throw blockError;
    } catch (error) {
      thrown = error;
    } finally {
      stuck.release();
    }
    expect((thrown as { name: string }).name).toBe('SuppressedError');
    expect((thrown as { error: unknown }).error).toBeInstanceOf(ShutdownError);
    expect((thrown as { suppressed: unknown }).suppressed).toBe(blockError);
  });
});
