import net from 'node:net';
import type { CloseContext } from '../adapters/adapter.js';
import { findAdapter } from '../adapters/table.js';
import { logger } from '../_internal/debug.js';
import { ResourceRegistry } from '../registry/resource-registry.js';
import type { LeakKind } from './types.js';

const log = logger('leaks');

// The generic Symbol.dispose adapters do less than a full close (a server's waits for its
// keep-alive connections), so for Node's own handles the closers below are preferred to them.
const GENERIC_ADAPTERS = new Set(['async disposable', 'disposable']);

function waitFor(emitter: { once(event: string, listener: () => void): unknown }, event: string, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    emitter.once(event, () => resolve());
    signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

interface ChildLike {
  exitCode: number | null;
  signalCode: string | null;
  kill(signal?: string): boolean;
  once(event: string, listener: () => void): unknown;
}

/** How each kind is closed when no specific adapter knows the handle. */
const CLOSERS: Record<LeakKind, { close(handle: never, context: CloseContext): unknown; force?(handle: never): unknown }> = {
  timer: { close: (timer: NodeJS.Timeout) => clearTimeout(timer) },
  socket: {
    close: (socket: net.Socket) => {
      if (typeof (socket as { destroy?: unknown }).destroy === 'function') socket.destroy();
      else (socket as unknown as { close(): void }).close();
    },
  },
  server: {
    close: async (server: net.Server, { signal }: CloseContext) => {
      if (!server.listening) return;
      const closed = waitFor(server, 'close', signal);
      server.close();
      (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      await closed;
    },
  },
  thread: { close: (worker: { terminate(): Promise<number> }) => worker.terminate() },
  process: {
    close: async (child: ChildLike, { signal }: CloseContext) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = waitFor(child, 'exit', signal);
      child.kill('SIGTERM');
      await exited;
    },
    force: (child: ChildLike) => child.kill('SIGKILL'),
  },
  watcher: {
    close: (watcher: { close?: () => void; stop?: () => void }) => (watcher.close ? watcher.close() : watcher.stop?.()),
  },
  port: { close: (port: { close(): void }) => port.close() },
};

/** One handle to close, with its kind. */
export interface HandleToClose {
  readonly handle: object;
  readonly kind: LeakKind;
}

/**
 * Closes leaked handles through a temporary registry (so they get the registry's graceful
 * and forced deadlines), with a specific adapter when one recognises the handle, else with
 * the closer for its kind. Resolves with whether each one was closed, in the given order.
 */
export async function disposeHandles(handles: readonly HandleToClose[], timeoutMs = 2000): Promise<boolean[]> {
  if (handles.length === 0) return [];
  const registry = new ResourceRegistry({ name: 'leaks', timeoutMs, forceTimeoutMs: 1000 });
  const ids: number[] = [];
  for (const { handle, kind } of handles) {
    const adapter = findAdapter(handle);
    const closer = CLOSERS[kind];
    const registration =
      adapter !== undefined && !GENERIC_ADAPTERS.has(adapter.name)
        ? registry.register(handle)
        : registry.register(handle, {
            kind,
            dispose: closer.close as (value: object, context: CloseContext) => unknown,
            ...(closer.force ? { forceDispose: closer.force as (value: object) => unknown } : {}),
          });
    ids.push(registration.id);
  }
  const report = await registry.cleanupAll({ throwOnError: false, concurrency: handles.length });
  const closed = new Set([...report.disposed, ...report.forced].map((outcome) => outcome.id));
  for (const outcome of [...report.failed, ...report.timedOut]) log('could not close leaked %s: %O', outcome.name, outcome.error);
  return ids.map((id) => closed.has(id));
}
