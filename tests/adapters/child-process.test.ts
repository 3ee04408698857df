import { fork, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { ResourceRegistry } from '../../src/registry/resource-registry.js';
import { findAdapter } from '../../src/adapters/table.js';
import { childProcessAdapter } from '../../src/adapters/child-process.js';
import { baselineResources, expectResourcesBack, pidGone, waitForPidGone } from './helpers.js';

const fixture = (name: string): string => fileURLToPath(new URL(`fixtures/${name}`, import.meta.url));

const started: ChildProcess[] = [];
const extraPids: number[] = [];
afterEach(() => {
  // A failing test must not leave processes behind.
  for (const child of started.splice(0)) {
    if (child.pid !== undefined && !tryKill(-child.pid)) tryKill(child.pid);
  }
  for (const pid of extraPids.splice(0)) tryKill(pid);
});

function tryKill(pid: number): boolean {
  try {
    process.kill(pid, 'SIGKILL');
    return true;
  } catch {
    return false;
  }
}

/** Spawns a fixture with node and waits for its first line of output. */
async function start(script: string, args: string[] = [], options: { detached?: boolean } = {}): Promise<{ child: ChildProcess; line: string }> {
  const child = spawn(process.execPath, [fixture(script), ...args], { stdio: ['ignore', 'pipe', 'inherit'], detached: options.detached ?? false });
  started.push(child);
  const [data] = (await once(child.stdout!, 'data')) as [Buffer];
  return { child, line: data.toString().trim() };
}

const PROCESS_RESOURCES = ['ProcessWrap', 'PipeWrap'];

describe('childProcessAdapter', () => {
  it('ends a cooperative child with SIGTERM and waits for its exit', async () => {
    const baseline = await baselineResources();
    const { child } = await start('idle.js');
    expect(findAdapter(child)).toBe(childProcessAdapter);
    const pid = child.pid!;
    const registry = new ResourceRegistry();
    registry.register(child);
    const report = await registry.cleanupAll();
    expect(report.disposed).toHaveLength(1);
    expect(report.disposed[0]).toMatchObject({ kind: 'process', phase: 'graceful' });
    expect(child.signalCode).toBe('SIGTERM');
    expect(pidGone(pid)).toBe(true);
    await expectResourcesBack(baseline, PROCESS_RESOURCES);
  });

  it('ends a forked child and its IPC channel', async () => {
    const baseline = await baselineResources();
    const child = fork(fixture('idle.js'), { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
    started.push(child);
    await once(child.stdout!, 'data');
    expect(child.connected).toBe(true);
    const registry = new ResourceRegistry();
    registry.register(child);
    const report = await registry.cleanupAll();
    expect(report.disposed[0]).toMatchObject({ kind: 'process', phase: 'graceful' });
    expect(child.connected).toBe(false);
    expect(pidGone(child.pid!)).toBe(true);
    await expectResourcesBack(baseline, PROCESS_RESOURCES);
  });

  it('kills a child that ignores SIGTERM with SIGKILL after the graceful deadline', async () => {
    const baseline = await baselineResources();
    const { child } = await start('ignore-sigterm.js');
    const pid = child.pid!;
    const registry = new ResourceRegistry({ timeoutMs: 300, forceTimeoutMs: 10_000 });
    registry.register(child);
    const report = await registry.cleanupAll();
    expect(report.forced).toHaveLength(1);
    expect(report.forced[0]).toMatchObject({ kind: 'process', phase: 'forced' });
    expect(report.ok).toBe(true);
    expect(child.signalCode).toBe('SIGKILL');
    expect(pidGone(pid)).toBe(true);
    await expectResourcesBack(baseline, PROCESS_RESOURCES);
  });

  it('signals the whole process group of a detached child, grandchildren included', async () => {
    const { child, line } = await start('group-leader.js', [], { detached: true });
    const grandchild = Number(line);
    extraPids.push(grandchild);
    expect(pidGone(grandchild)).toBe(false);
    const registry = new ResourceRegistry();
    registry.register(child);
    const report = await registry.cleanupAll();
    expect(report.disposed[0]).toMatchObject({ kind: 'process', phase: 'graceful' });
    expect(pidGone(child.pid!)).toBe(true);
    // The grandchild was re-parented to init, which reaps it in its own time.
    expect(await waitForPidGone(grandchild)).toBe(true);
  });

  it('kills a process group whose grandchild ignores SIGTERM', async () => {
    const { child, line } = await start('group-leader.js', ['stubborn'], { detached: true });
    const grandchild = Number(line);
    extraPids.push(grandchild);
    const registry = new ResourceRegistry({ timeoutMs: 300, forceTimeoutMs: 10_000 });
    registry.register(child);
    const report = await registry.cleanupAll();
    expect(report.forced[0]).toMatchObject({ kind: 'process', phase: 'forced' });
    expect(pidGone(child.pid!)).toBe(true);
    expect(await waitForPidGone(grandchild)).toBe(true);
  });

  it('closes what a detached child left in its group when it died before the cleanup', async () => {
    const { child, line } = await start('group-leader.js', [], { detached: true });
    const grandchild = Number(line);
    extraPids.push(grandchild);
    const registry = new ResourceRegistry();
    registry.register(child);
    process.kill(child.pid!, 'SIGKILL');
    await once(child, 'exit');
    expect(pidGone(grandchild)).toBe(false);
    const report = await registry.cleanupAll();
    expect(report.disposed[0]).toMatchObject({ kind: 'process', phase: 'graceful' });
    expect(await waitForPidGone(grandchild)).toBe(true);
  });

  it('reports a child that already exited as closed', async () => {
    const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
    await once(child, 'exit');
    const failed = spawn('/nonexistent/custodian-test-binary');
    await once(failed, 'error');
    const registry = new ResourceRegistry();
    registry.register(child);
    registry.register(failed);
    const report = await registry.cleanupAll();
    expect(report.disposed.map((outcome) => outcome.phase)).toEqual(['closed', 'closed']);
  });

  it('describes itself by pid and command, without secrets', async () => {
    const { child } = await start('idle.js', ['--password=hunter2', 'postgres://app:s3cret@db.local/app']);
    const description = childProcessAdapter.describe!(child);
    expect(description).toBe(`child process ${child.pid} "node idle.js --password=*** postgres://***@db.local/app"`);
    expect(description).not.toContain('hunter2');
    expect(description).not.toContain('s3cret');
    const registry = new ResourceRegistry();
    registry.register(child);
    await registry.cleanupAll();
  });
});
