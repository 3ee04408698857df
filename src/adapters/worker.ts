import { Worker } from 'node:worker_threads';
import { defineAdapter } from './adapter.js';
import { waitForEvent } from './wait-for.js';

function hasExited(worker: Worker): boolean {
  // Node sets threadId to -1 when the thread is gone, right before emitting 'exit'; there is
  // no public "exited" flag.
  return worker.threadId === -1;
}

function waitForExit(worker: Worker, signal?: AbortSignal): Promise<void> | undefined {
  if (hasExited(worker)) return undefined;
  return waitForEvent(worker, 'exit', signal);
}

/**
 * `worker_threads.Worker`: `terminate()`, then the `'exit'` event.
 *
 * `terminate()` stops the thread's JavaScript wherever it is (a busy loop, `Atomics.wait`), so
 * the graceful close already ends any worker that is running JavaScript. A thread blocked
 * inside native code (a synchronous child process, a synchronous read of a pipe) only stops
 * once that call returns; past the graceful deadline the worker is `unref()`ed, so it no longer
 * keeps the process alive, and the forced close waits for its exit under its own deadline. A
 * worker that has exited counts as closed.
 */
export const workerAdapter = defineAdapter<Worker>({
  name: 'worker',
  kind: 'thread',
  matches: (value): value is Worker => value instanceof Worker,
  isClosed: hasExited,
  close: (worker, { signal }) => {
    if (hasExited(worker)) return undefined;
    // terminate()'s own promise also resolves on 'exit', but cannot be detached from on abort.
    void worker.terminate().catch(() => undefined);
    return waitForExit(worker, signal);
  },
  forceClose: (worker) => {
    if (hasExited(worker)) return undefined;
    worker.unref();
    void worker.terminate().catch(() => undefined);
    return waitForExit(worker);
  },
  describe: (worker) => {
    const name = (worker as Worker & { threadName?: unknown }).threadName;
    // Node 24 names threads (`new Worker(file, { name })`); 'WorkerThread' is its default.
    const label = typeof name === 'string' && name !== '' && name !== 'WorkerThread' ? ` "${name}"` : '';
    return hasExited(worker) ? `worker${label} (exited)` : `worker ${worker.threadId}${label}`;
  },
});
