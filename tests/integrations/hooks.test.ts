import { afterEach, describe, expect, it } from 'vitest';
import { TestSession } from '../../src/integrations/_hooks.js';
import { cleanupAllNow } from '../../src/lifecycle/cleanup-all.js';
import { clearGlobalsBaseline } from '../../src/globals/snapshot.js';
import { peekMemoryMonitor, setMemoryMonitor } from '../../src/memory/global-monitor.js';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Writes through a saved reference are not seen by the cheap per-test check.
const savedEnv = process.env;

/** What `run` printed through console.warn (the end-of-file summary). */
async function warningsOf(run: () => Promise<void>): Promise<string[]> {
  const warnings: string[] = [];
  const warn = console.warn;
  console.warn = (message: string) => void warnings.push(message);
  try {
    await run();
  } finally {
    console.warn = warn;
  }
  return warnings;
}

afterEach(() => {
  delete process.env.CUSTODIAN_HOOKS_TEST;
  clearGlobalsBaseline();
  setMemoryMonitor(undefined);
});

describe('TestSession', () => {
  it('restores at the end of the file what got past the per-test check, and says so', async () => {
    const session = new TestSession({ file: 'hooks.fixture' });
    session.start();
    session.beginTest('clean');
    await session.endTest('clean');
    // After the last test (an afterAll, say), through a reference no per-test check watches.
    savedEnv.CUSTODIAN_HOOKS_TEST = 'secret-value';
    const warnings = await warningsOf(() => session.finish());
    expect(process.env.CUSTODIAN_HOOKS_TEST).toBeUndefined();
    expect(warnings.join('\n')).toContain('environment variable CUSTODIAN_HOOKS_TEST added');
    expect(warnings.join('\n')).not.toContain('secret-value');
  });

  it("takes the baseline with Node's lazy AbortController already turned, so a first test using it ends on the cheap check", async () => {
    // As Node 20 defines it: an accessor that replaces itself with a data property on first use
    // (vitest and node:test create an AbortController for every test).
    const real = AbortController;
    const lazy = {
      get(): typeof AbortController {
        Object.defineProperty(globalThis, 'AbortController', { value: real, writable: true, configurable: true, enumerable: false });
        return real;
      },
      set(value: unknown): void {
        Object.defineProperty(globalThis, 'AbortController', { value, writable: true, configurable: true, enumerable: false });
      },
      configurable: true,
      enumerable: false,
    };
    Object.defineProperty(globalThis, 'AbortController', lazy);
    try {
      const session = new TestSession({ file: 'abort.fixture' });
      session.start();
      expect(Object.getOwnPropertyDescriptor(globalThis, 'AbortController')?.value).toBe(real);
      session.beginTest('creates a signal');
      void new AbortController().signal;
      const report = cleanupAllNow() as Awaited<ReturnType<typeof cleanupAllNow>>;
      // The quick report: no step timed, nothing restored.
      expect(report.durationMs).toBe(0);
      expect(report.steps.find((step) => step.step === 'globals')).toMatchObject({ status: 'ok', durationMs: 0 });
      await session.finish();
    } finally {
      Object.defineProperty(globalThis, 'AbortController', { value: real, writable: true, configurable: true, enumerable: false });
    }
  });

  it('keeps globals set up outside tests for the tests that follow, and puts the file\'s globals back at its end without a word', async () => {
    const g = globalThis as Record<string, unknown>;
    const session = new TestSession({ file: 'setup.fixture' });
    session.start();
    // The file's module code or a beforeAll hook, between the start and the first test.
    g.__custodianSetUp = 'setup';
    session.beginTest('first');
    g.__custodianByTest = 'test';
    await session.endTest('first');
    expect(g.__custodianSetUp).toBe('setup');
    expect('__custodianByTest' in globalThis).toBe(false);
    session.beginTest('second');
    await session.endTest('second');
    expect(g.__custodianSetUp).toBe('setup');
    const warnings = await warningsOf(() => session.finish());
    expect('__custodianSetUp' in globalThis).toBe(false);
    expect(warnings).toEqual([]);
  });

  it('adopts nothing while a test runs: what an overlapping test changed is still taken back', async () => {
    const g = globalThis as Record<string, unknown>;
    const session = new TestSession({ file: 'concurrent.fixture' });
    session.start();
    session.beginTest('a');
    g.__custodianByA = 'a';
    session.beginTest('b');
    await session.endTest('a');
    await session.endTest('b');
    expect('__custodianByA' in globalThis).toBe(false);
    await session.finish();
  });

  it('stays silent for a clean file', async () => {
    const session = new TestSession({ file: 'clean.fixture' });
    session.start();
    session.beginTest('clean');
    await session.endTest('clean');
    expect(session.summary()).toBeUndefined();
    await session.finish();
  });

  it('takes GCs for the memory trend only when it writes a report', async () => {
    const retained: number[][] = [];
    // 40 tests keeping 1 MB each: with the trend on, growth and gcEvery both ask for GCs.
    const run = async (file: string): Promise<void> => {
      const session = new TestSession({ file });
      session.start();
      for (let test = 0; test < 40; test++) {
        session.beginTest(`keeps 1 MB ${test}`);
        retained.push(Array.from({ length: 131_072 }, (_, index) => index + 0.5));
        await session.endTest(`keeps 1 MB ${test}`);
      }
      await session.finish();
    };
    await run('no-report.fixture');
    expect(peekMemoryMonitor()!.samples.filter((sample) => sample.gc)).toHaveLength(0);
    setMemoryMonitor(undefined);
    clearGlobalsBaseline();
    const directory = mkdtempSync(join(tmpdir(), 'custodian-hooks-'));
    process.env.CUSTODIAN_REPORT = join(directory, 'report.jsonl');
    try {
      await run('report.fixture');
      expect(peekMemoryMonitor()!.samples.filter((sample) => sample.gc).length).toBeGreaterThan(0);
      const lines = readFileSync(process.env.CUSTODIAN_REPORT, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { gc?: boolean });
      expect(lines.some((line) => line.gc === true)).toBe(true);
    } finally {
      delete process.env.CUSTODIAN_REPORT;
      rmSync(directory, { recursive: true, force: true });
    }
    expect(retained).toHaveLength(80);
  });
});
