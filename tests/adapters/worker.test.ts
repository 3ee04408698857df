import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { ResourceRegistry } from '../../src/registry/resource-registry.js';
import { findAdapter } from '../../src/adapters/table.js';
import { workerAdapter } from '../../src/adapters/worker.js';

const workers: Worker[] = [];
afterEach(async () => {
  await Promise.all(workers.splice(0).map((worker) => worker.terminate()));
});

/** Starts a fixture worker and waits for its first message; records whether 'exit' fired. */
async function start(name: string, workerData?: unknown): Promise<{ worker: Worker; exited: () => boolean }> {
  const worker = new Worker(new URL(`fixtures/${name}`, import.meta.url), { workerData });
  workers.push(worker);
  let exited = false;
  worker.once('exit', () => {
    exited = true;
  });
  await once(worker, 'message');
  return { worker, exited: () => exited };
}

/**
 * Waits until the blocked worker's `sleep` child exists: from then on the worker thread is
 * inside execFileSync, where terminate() cannot reach it.
 */
async function untilBlocked(): Promise<void> {
  for (;;) {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'latin1');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        if (stat.includes('(sleep)') && Number(fields[1]) === process.pid) return;
      } catch {
        // gone while we looked
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('workerAdapter', () => {
  it('terminates an idle worker and waits for its exit', async () => {
    const { worker, exited } = await start('idle-worker.js');
    expect(findAdapter(worker)).toBe(workerAdapter);
    const registry = new ResourceRegistry();
    expect(registry.register(worker).name).toBe(`worker ${worker.threadId}`);
    const report = await registry.cleanupAll();
    expect(report.disposed).toHaveLength(1);
    expect(report.disposed[0]).toMatchObject({ kind: 'thread', phase: 'graceful' });
    expect(exited()).toBe(true);
    expect(worker.threadId).toBe(-1);
  });

  it('terminates a worker stuck in a busy loop', async () => {
    // terminate() stops JavaScript wherever it runs, so a busy loop is no reason to force.
    const { worker, exited } = await start('busy-worker.js');
    const registry = new ResourceRegistry({ timeoutMs: 10_000 });
    registry.register(worker);
    const report = await registry.cleanupAll();
    expect(report.ok).toBe(true);
    expect(report.disposed[0]).toMatchObject({ kind: 'thread', phase: 'graceful' });
    expect(exited()).toBe(true);
    expect(worker.threadId).toBe(-1);
  });

  it.runIf(process.platform === 'linux')('forces past a worker blocked in native code and waits for its exit', async () => {
    const { worker, exited } = await start('blocked-worker.js', { seconds: 1.5 });
    await untilBlocked();
    const registry = new ResourceRegistry({ timeoutMs: 200, forceTimeoutMs: 15_000 });
    registry.register(worker);
    const report = await registry.cleanupAll();
    expect(report.forced).toHaveLength(1);
    expect(report.forced[0]).toMatchObject({ kind: 'thread', phase: 'forced' });
    expect(exited()).toBe(true);
    expect(worker.threadId).toBe(-1);
  });

  it.runIf(process.platform === 'linux')('abandons a blocked worker when even the forced deadline passes, and reports it', async () => {
    const { worker, exited } = await start('blocked-worker.js', { seconds: 1 });
    await untilBlocked();
    const registry = new ResourceRegistry({ timeoutMs: 100, forceTimeoutMs: 100 });
    registry.register(worker);
    const report = await registry.cleanupAll({ throwOnError: false });
    expect(report.ok).toBe(false);
    expect(report.timedOut[0]).toMatchObject({ kind: 'thread', phase: 'abandoned' });
    expect((report.timedOut[0]!.error as { code?: string }).code).toBe('ERR_DISPOSE_TIMEOUT');
    // The thread still ends once its native call returns.
    await once(worker, 'exit');
    expect(exited()).toBe(true);
  });

  it('reports a worker that already exited as closed', async () => {
    const { worker } = await start('idle-worker.js');
    await worker.terminate();
    const registry = new ResourceRegistry();
    expect(registry.register(worker).name).toBe('worker (exited)');
    const report = await registry.cleanupAll();
    expect(report.disposed[0]!.phase).toBe('closed');
  });
});
