import { MessagePort } from 'node:worker_threads';
import net from 'node:net';
import { describeCommand } from '../_internal/command-line.js';
import { redact } from '../_internal/redact.js';
import { WORKER_UNREFED } from './probes.js';
import type { LeakKind } from './types.js';

/**
 * What the tracker needs to know about one handle object: which kind it is, whether it is
 * already on its way out, and a one-line description without secrets.
 */

interface TimeoutLike {
  _destroyed?: boolean;
  _idleTimeout?: number;
  _repeat?: number | null;
  _onTimeout?: { name?: string } | null;
  hasRef(): boolean;
}

const TimeoutClass = (() => {
  const probe = setTimeout(() => undefined, 0);
  clearTimeout(probe);
  return probe.constructor;
})();

function constructorName(value: object): string {
  return (Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null)?.constructor?.name ?? 'Object';
}

function isStdio(value: unknown): boolean {
  return value === process.stdout || value === process.stderr || value === process.stdin;
}

/**
 * The kind of a handle, or `undefined` for what is never reported on its own: the process's
 * own stdio, sockets a server accepted (they belong to the server, and go when their client
 * goes), and handles of no known kind.
 */
export function classify(handle: object): LeakKind | undefined {
  if (handle instanceof TimeoutClass) return 'timer';
  if (handle instanceof net.Socket) {
    if (isStdio(handle) || (handle as { server?: unknown }).server != null) return undefined;
    return 'socket';
  }
  if (handle instanceof net.Server) return 'server';
  switch (constructorName(handle)) {
    case 'ChildProcess':
      return 'process';
    case 'FSWatcher':
    case 'StatWatcher':
      return 'watcher';
    case 'MessagePort':
      return 'port';
    case 'Worker':
      return 'thread';
    case 'Socket':
      // dgram.Socket: not a net.Socket, but a socket all the same.
      return typeof (handle as { send?: unknown }).send === 'function' ? 'socket' : undefined;
    default:
      return undefined;
  }
}

/**
 * Whether a handle is closed or closing (or unref'd), so it will not keep the process alive:
 * such a handle is never a leak, even while Node still lists it until the loop's close phase.
 */
export function isReleased(handle: object, kind: LeakKind): boolean {
  switch (kind) {
    case 'timer': {
      const timer = handle as TimeoutLike;
      return timer._destroyed === true || !timer.hasRef();
    }
    case 'socket':
      return (handle as { destroyed?: boolean }).destroyed === true;
    case 'server':
      return (handle as net.Server).listening === false;
    case 'process': {
      const child = handle as { exitCode: number | null; signalCode: string | null };
      return child.exitCode !== null || child.signalCode !== null;
    }
    case 'thread':
      return (handle as { threadId: number }).threadId === -1 || (handle as Record<symbol, unknown>)[WORKER_UNREFED] === true;
    case 'watcher':
      return constructorName(handle) === 'FSWatcher' && (handle as { _handle?: unknown })._handle === null;
    default:
      return false;
  }
}

function endpoint(address: string | undefined, port: number | undefined): string | undefined {
  if (address === undefined) return undefined;
  return address.includes(':') ? `[${address}]:${String(port)}` : `${address}:${String(port)}`;
}

/** The type name reported for a handle (its class). */
export function typeName(handle: object): string {
  return constructorName(handle);
}

/** A one-line description: `socket 127.0.0.1:53122 -> 127.0.0.1:5432`, `interval 1000 ms (poll)`. */
export function describeHandle(handle: object, kind: LeakKind, target?: string): string {
  switch (kind) {
    case 'timer': {
      const timer = handle as TimeoutLike;
      const what = typeof timer._repeat === 'number' ? 'interval' : 'timeout';
      const callback = timer._onTimeout?.name;
      return `${what} ${String(timer._idleTimeout ?? '?')} ms${callback ? ` (${callback})` : ''}`;
    }
    case 'socket': {
      const socket = handle as net.Socket;
      if (typeof (handle as { send?: unknown }).send === 'function' && !(handle instanceof net.Socket)) return 'udp socket';
      const local = endpoint(socket.localAddress, socket.localPort);
      const remote = endpoint(socket.remoteAddress, socket.remotePort) ?? target;
      const name = handle.constructor === net.Socket ? 'socket' : `${constructorName(handle)}`;
      if (remote === undefined) return `${name} (not connected)`;
      return redact(`${name} ${local ?? '(connecting)'} -> ${remote}`);
    }
    case 'server': {
      const server = handle as net.Server;
      const address = server.address();
      const where =
        address === null ? '(not listening)' : typeof address === 'string' ? address : endpoint(address.address, address.port);
      const name = typeof (server as { closeAllConnections?: unknown }).closeAllConnections === 'function' ? 'http server' : 'server';
      return `${name} listening on ${String(where)}`;
    }
    case 'process': {
      const child = handle as { pid?: number; spawnargs?: string[] };
      const command = describeCommand(child.spawnargs);
      // describeCommand() masks each argument already.
      return `child process ${String(child.pid ?? '?')}${command ? ` (${command})` : ''}`;
    }
    case 'thread':
      return `worker thread ${String((handle as { threadId?: number }).threadId ?? '?')}`;
    case 'watcher':
      return redact(`${constructorName(handle) === 'StatWatcher' ? 'fs.watchFile watcher' : 'fs watcher'}${target ? ` on ${target}` : ''}`);
    case 'port':
      return 'message port';
    default:
      return constructorName(handle);
  }
}

/** Node's list of active (ref'd) handles; an internal API, so guarded. */
export function activeHandles(): object[] {
  const list = (process as unknown as { _getActiveHandles?: () => unknown[] })._getActiveHandles?.() ?? [];
  // Node lists objects only: copy the list without the rest only if that ever changes. This
  // runs after every test.
  for (const handle of list) {
    if (typeof handle !== 'object' || handle === null) return list.filter((entry): entry is object => typeof entry === 'object' && entry !== null);
  }
  return list as object[];
}

/**
 * The message ports a `Worker` keeps for itself (Node's internal `kPort` and `kPublicPort`
 * symbols): they show up as active handles while the worker has a 'message' listener.
 */
export function workerPorts(worker: object): unknown[] {
  const ports: unknown[] = [];
  for (const key of Object.getOwnPropertySymbols(worker)) {
    const value = (worker as Record<symbol, unknown>)[key];
    if (value instanceof MessagePort) ports.push(value);
  }
  return ports;
}
