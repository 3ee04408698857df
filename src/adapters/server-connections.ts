import { subscribe } from 'node:diagnostics_channel';
import { Socket, type Server } from 'node:net';
import { globalSlot } from '../_internal/global-slot.js';

/**
 * The connections accepted by each `net.Server` (http, https and http2 servers included).
 *
 * A plain `net.Server` keeps no list of its connections, only a count, and a server's close
 * waits for all of them. So the library listens to Node's `net.server.socket` diagnostics
 * channel from the moment it is loaded: every connection accepted from then on is known,
 * whatever registers the server later (or never: the leak detector closes unregistered ones).
 * Sets hold sockets strongly, so closed ones are swept out as the set grows (amortised O(1)).
 * One tracker serves both builds of the library through a global slot.
 */
interface Tracker {
  readonly byServer: WeakMap<Server, { sockets: Set<Socket>; sweepAt: number }>;
}

const MIN_SWEEP = 64;

const tracker = globalSlot<Tracker>('serverConnections', () => {
  const byServer: Tracker['byServer'] = new WeakMap();
  subscribe('net.server.socket', (message) => {
    const socket = (message as { socket?: unknown }).socket;
    if (!(socket instanceof Socket)) return;
    const server = (socket as Socket & { server?: Server }).server;
    if (server === undefined || server === null) return;
    let tracked = byServer.get(server);
    if (tracked === undefined) {
      tracked = { sockets: new Set(), sweepAt: MIN_SWEEP };
      byServer.set(server, tracked);
    }
    tracked.sockets.add(socket);
    if (tracked.sockets.size >= tracked.sweepAt) {
      for (const known of tracked.sockets) if (known.destroyed) tracked.sockets.delete(known);
      tracked.sweepAt = Math.max(MIN_SWEEP, tracked.sockets.size * 2);
    }
  });
  return { byServer };
});

type HandleLister = () => unknown[];

/**
 * Every open connection of `server` that can be reached: those the diagnostics channel saw,
 * plus, for connections accepted before the library was loaded, the referenced handles of the
 * process whose `server` is this one. An unreferenced (`unref()`) connection accepted before
 * the library was loaded cannot be reached; the server's close then waits for it, and its
 * forced close ends in `timedOut` rather than claiming a close that did not happen.
 */
export function serverConnections(server: Server): Set<Socket> {
  const found = new Set<Socket>();
  const tracked = tracker.byServer.get(server);
  if (tracked !== undefined) {
    for (const socket of tracked.sockets) {
      if (socket.destroyed) tracked.sockets.delete(socket);
      else found.add(socket);
    }
  }
  // The server's own count says whether any connection is missing from what was tracked; only
  // then is the (O(handles)) scan of the process worth it: closing 200 idle servers must not
  // walk every handle 200 times.
  const expected = (server as Server & { _connections?: unknown })._connections;
  if (typeof expected === 'number' && found.size >= expected) return found;
  // Undocumented but present since Node 0.x, and the only list of live sockets there is.
  const listHandles = (process as { _getActiveHandles?: HandleLister })._getActiveHandles;
  if (typeof listHandles === 'function') {
    for (const handle of listHandles.call(process)) {
      if (handle instanceof Socket && !handle.destroyed && (handle as Socket & { server?: Server }).server === server) {
        found.add(handle);
      }
    }
  }
  return found;
}

/** The number of open connections the server itself counts (`_connections`, kept by Node's net module). */
export function connectionCount(server: Server): number {
  const count = (server as Server & { _connections?: unknown })._connections;
  return typeof count === 'number' ? count : serverConnections(server).size;
}
