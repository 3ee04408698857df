import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { install, uninstall } from '../../src/lifecycle/install.js';
import { EXIT_SIGNALS, exitHandlersInstalled, isExitHandler, killLiveChildren, uninstallExitHandlers } from '../../src/_internal/exit-handlers.js';
import { liveChildren } from '../../src/_internal/live-children.js';
import { isListenerTrackingOn, startListenerTracking } from '../../src/globals/listener-origins.js';
import { registry } from '../../src/registry/default-registry.js';

const EVENTS = ['exit', ...EXIT_SIGNALS] as const;
const started: ChildProcess[] = [];

function ours(event: string): number {
  return process.listeners(event as 'exit').filter((listener) => isExitHandler(listener)).length;
}

function sleeper(options: { detached?: boolean; script?: string } = {}): ChildProcess {
  const child = spawn(process.execPath, ['-e', options.script ?? 'setInterval(() => {}, 1000)'], {
    stdio: ['ignore', 'pipe', 'ignore'],
    detached: options.detached === true,
  });
  started.push(child);
  return child;
}

afterEach(async () => {
  await registry.cleanupAll({ throwOnError: false });
  for (const child of started.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  uninstall();
});

describe('install', () => {
  it('adds one exit and one signal listener per event, once however often it is called', () => {
    install();
    install();
    expect(exitHandlersInstalled()).toBe(true);
    for (const event of EVENTS) expect(ours(event)).toBe(1);
  });
});

describe('uninstall', () => {
  it('removes every handler of the table and the listener tracker, and install() puts the handlers back', () => {
    install();
    startListenerTracking();
    uninstall();
    for (const event of EVENTS) expect(ours(event)).toBe(0);
    expect(isListenerTrackingOn()).toBe(false);
    uninstall();
    install();
    for (const event of EVENTS) expect(ours(event)).toBe(1);
  });
});

describe('automatic install', () => {
  it('installs the handlers when a registry takes a child process, unless uninstall() opted out', async () => {
    install();
    uninstall();
    registry.register(sleeper());
    expect(exitHandlersInstalled()).toBe(false);
    await registry.cleanupAll();
    install();
    uninstall();
    install();
    uninstallExitHandlers();
    expect(exitHandlersInstalled()).toBe(false);
    registry.register(sleeper());
    expect(exitHandlersInstalled()).toBe(true);
  });
});

describe('killLiveChildren', () => {
  it('kills every child process a registry holds, synchronously, with SIGKILL', async () => {
    const child = sleeper();
    registry.register(child, { kind: 'process', name: 'sleeper', dispose: (c) => void c.kill() });
    expect(liveChildren.has(child)).toBe(true);
    const exited = once(child, 'exit');
    expect(killLiveChildren()).toBe(1);
    const [, signal] = await exited;
    expect(signal).toBe('SIGKILL');
  });

  it('kills the whole process group of a detached child, grandchildren included', async () => {
    // The child starts a grandchild in its group and prints its pid.
    const child = sleeper({
      detached: true,
      script: "const g = require('child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' }); console.log(g.pid); setInterval(() => {}, 1000);",
    });
    const [line] = (await once(child.stdout!, 'data')) as [Buffer];
    const grandchild = Number(line.toString().trim());
    registry.register(child, { kind: 'process', name: 'group leader', dispose: (c) => void c.kill() });
    const exited = once(child, 'exit');
    killLiveChildren();
    await exited;
    await expect.poll(() => isRunning(grandchild), { timeout: 15_000 }).toBe(false);
  });

  it('skips children that already exited, and children that were unregistered', async () => {
    const done = sleeper({ script: '' });
    const registration = registry.register(done, { kind: 'process', name: 'quick', dispose: () => undefined });
    await once(done, 'exit');
    expect(killLiveChildren()).toBe(0);
    registration.unregister();
    expect(liveChildren.has(done)).toBe(false);
  });
});

describe('the exit and signal handlers in a plain Node process', () => {
  const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  // Inside the repository, so the bundle's bare imports (debug, p-limit) resolve from its node_modules.
  const cache = join(repo, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  const scratch = mkdtempSync(join(cache, 'custodian-exit-'));
  const script = join(scratch, 'exit-script.mjs');
  const strays: number[] = [];

  beforeAll(async () => {
    // esbuild (tsup's) turns the TypeScript fixture and the sources it imports into one script.
    await build({
      entryPoints: [join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'exit-script.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile: script,
      external: ['debug', 'p-limit'],
      logLevel: 'silent',
    });
  });
  afterEach(() => {
    for (const pid of strays.splice(0)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {}
    }
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  async function runScript(end: string, signal?: NodeJS.Signals): Promise<{ child: number; code: number | null; signal: NodeJS.Signals | null }> {
    const program = spawn(process.execPath, [script], {
      cwd: repo,
      env: { ...process.env, FIXTURE_END: end },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = once(program, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    const [line] = (await once(program.stdout!, 'data')) as [Buffer];
    const child = Number(line.toString().trim());
    strays.push(child);
    if (signal !== undefined) program.kill(signal);
    const [code, endSignal] = await exited;
    return { child, code, signal: endSignal };
  }

  it('kills the registered child when the process dies of an uncaught error', async () => {
    const { child, code } = await runScript('uncaught');
    expect(code).toBe(1);
    await expect.poll(() => isRunning(child), { timeout: 15_000 }).toBe(false);
  });

  it('kills the registered child on process.exit()', async () => {
    const { child, code } = await runScript('exit');
    expect(code).toBe(3);
    await expect.poll(() => isRunning(child), { timeout: 15_000 }).toBe(false);
  });

  it('kills the child on SIGTERM, then lets the process die of the signal as it would have', async () => {
    const { child, code, signal } = await runScript('signal', 'SIGTERM');
    expect(signal).toBe('SIGTERM');
    expect(code).toBeNull();
    await expect.poll(() => isRunning(child), { timeout: 15_000 }).toBe(false);
  });

  it('does the same on SIGINT', async () => {
    const { child, signal } = await runScript('signal', 'SIGINT');
    expect(signal).toBe('SIGINT');
    await expect.poll(() => isRunning(child), { timeout: 15_000 }).toBe(false);
  });
});

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const state = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '')[0];
    return state !== 'Z' && state !== 'X';
  } catch {
    return true;
  }
}
