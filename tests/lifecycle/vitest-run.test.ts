// End to end: real vitest runs (subprocesses) on the fixture suites in ./fixtures.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const config = join(root, 'tests', 'lifecycle', 'fixtures', 'vitest.config.ts');
const scratch = mkdtempSync(join(tmpdir(), 'custodian-lifecycle-'));
const strays: number[] = [];

interface Run {
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }>;
}

function runFixture(fixture: string, env: Record<string, string> = {}, options: { detached?: boolean } = {}): Run {
  const child = spawn(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', '--config', config], {
    cwd: root,
    env: { ...process.env, FIXTURE: fixture, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.detached === true,
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, output }));
  });
  return { child, exited };
}

async function waitFor<T>(probe: () => T | undefined, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Whether a process with this pid is still running. A zombie (dead, waiting to be reaped by a
 * parent that is gone, which a container's pid 1 may never do) does not count: it runs nothing.
 */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const state = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '')[0];
    return state !== 'Z' && state !== 'X';
  } catch {
    return !existsSync('/proc/self/stat');
  }
}

async function pidsFrom(file: string): Promise<{ worker: number; child: number }> {
  const pids = await waitFor(() => (existsSync(file) && readFileSync(file, 'utf8').length > 0 ? (JSON.parse(readFileSync(file, 'utf8')) as { worker: number; child: number }) : undefined), `pids in ${file}`);
  strays.push(pids.worker, pids.child);
  return pids;
}

async function gone(pid: number): Promise<boolean> {
  await waitFor(() => (isRunning(pid) ? undefined : true), `pid ${pid} to end`, 15_000).catch(() => undefined);
  return !isRunning(pid);
}

let counter = 0;
function pidFile(): string {
  return join(scratch, `pids-${++counter}.json`);
}

afterEach(() => {
  // A failed assertion must not leave the fixture's processes behind.
  for (const pid of strays.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {}
  }
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('cleanupAll in a real vitest run', () => {
  it('keeps test B from seeing the global, env var and process listener test A added', async () => {
    const { code, output } = await runFixture('isolation.fixture.ts').exited;
    expect(output).toContain('2 passed');
    expect(code).toBe(0);
  });

  it('is what makes the difference: without it test B fails (control)', async () => {
    const { code, output } = await runFixture('isolation.fixture.ts', { FIXTURE_NO_CLEANUP: '1' }).exited;
    expect(output).toContain('1 failed');
    expect(code).toBe(1);
  });
});

describe('orphan protection in a real vitest run', () => {
  it('kills the registered child when the test process gets SIGTERM, and the process still dies of it', async () => {
    const file = pidFile();
    const run = runFixture('orphan-hang.fixture.ts', { FIXTURE_PID_FILE: file });
    const { worker, child } = await pidsFrom(file);
    process.kill(worker, 'SIGTERM');
    await run.exited;
    expect(await gone(child)).toBe(true);
    // The handler re-raised SIGTERM instead of swallowing it: the hung worker is gone too.
    expect(await gone(worker)).toBe(true);
  });

  it('kills a detached child (its own process group) on Ctrl-C to the whole run', async () => {
    const file = pidFile();
    const run = runFixture('orphan-hang.fixture.ts', { FIXTURE_PID_FILE: file, FIXTURE_DETACHED: '1' }, { detached: true });
    const { child } = await pidsFrom(file);
    // What a terminal does on Ctrl-C: SIGINT to every process of the foreground group. The
    // detached child is in a group of its own, so only custodian can reach it.
    process.kill(-run.child.pid!, 'SIGINT');
    await run.exited;
    expect(await gone(child)).toBe(true);
  });

  it('kills the registered child when the test process exits after an uncaught error', async () => {
    const file = pidFile();
    const run = runFixture('orphan-uncaught.fixture.ts', { FIXTURE_PID_FILE: file });
    const { child } = await pidsFrom(file);
    const { code, output } = await run.exited;
    expect(output).toContain('uncaught in fixture');
    expect(code).toBe(1);
    expect(await gone(child)).toBe(true);
  });

  it('is what makes the difference: without the handlers the child survives (control)', async () => {
    const file = pidFile();
    const run = runFixture('orphan-uncaught.fixture.ts', { FIXTURE_PID_FILE: file, FIXTURE_NO_INSTALL: '1' });
    const { child } = await pidsFrom(file);
    await run.exited;
    expect(isRunning(child)).toBe(true);
  });
});
