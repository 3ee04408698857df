import { Server, type Socket } from 'node:net';
import { defineAdapter, NAME_IF_CLOSED_AT_ONCE, type Adapter } from './adapter.js';
import { quiet } from './net-socket.js';
import { connectionCount, serverConnections } from './server-connections.js';
import { hostPort, waitForEvent } from './wait-for.js';

/** The methods Node's http and https servers add (Node 18.2+). */
interface HttpServerLike extends Server {
  closeIdleConnections(): void;
  closeAllConnections(): void;
}

function isHttp(server: Server): server is HttpServerLike {
  return (
    typeof (server as Partial<HttpServerLike>).closeIdleConnections === 'function' &&
    typeof (server as Partial<HttpServerLike>).closeAllConnections === 'function'
  );
}

/** http gives the socket of every connection it serves a parser and takes it back on upgrade. */
function hasHttpParser(socket: Socket): boolean {
  return (socket as Socket & { parser?: unknown }).parser != null;
}

function endGracefully(socket: Socket): void {
  quiet(socket);
  socket.end();
  // A connection nobody reads never sees the peer's FIN and would never close.
  socket.resume();
}

function isDrained(server: Server): boolean {
  return !server.listening && connectionCount(server) === 0;
}

// How often idle keep-alive connections are closed while a closing http server waits: a
// request in flight at close() time leaves its connection open and idle once answered.
const IDLE_SWEEP_MS = 20;

function waitForDrain(server: Server, signal?: AbortSignal, whileWaiting?: () => void): Promise<void> | undefined {
  if (isDrained(server)) return undefined;
  const drained = waitForEvent(server, 'close', signal);
  if (whileWaiting === undefined) return drained;
  const sweep = setInterval(whileWaiting, IDLE_SWEEP_MS);
  sweep.unref();
  return drained.finally(() => clearInterval(sweep));
}

function serverType(server: Server): string {
  const secure = typeof (server as { setSecureContext?: unknown }).setSecureContext === 'function';
  return isHttp(server) ? (secure ? 'https server' : 'http server') : secure ? 'tls server' : 'server';
}

function withCount(type: string, where: string, count: number): string {
  return `${type} ${where} (${count} connection${count === 1 ? '' : 's'})`;
}

/** `http server 127.0.0.1:43121 (2 connections)`, `server /tmp/app.sock (0 connections)`, `server (not listening) (0 connections)`. */
export function describeServer(server: Server): string {
  const address = server.address();
  let where: string;
  if (address === null) where = '(not listening)';
  else if (typeof address === 'string') where = address;
  else where = hostPort(address.address, address.port) ?? '?';
  return withCount(serverType(server), where, connectionCount(server));
}

/**
 * Where a listening server listens, from what it asked for: `listen()` records
 * `<family>:<host>:<port>` in `_connectionKey` (Node's net module, since 0.x). The port there
 * is the one requested, so an ephemeral one (port 0) is left out; a pipe's path is exact.
 */
function requestedAddress(server: Server): string | undefined {
  const pipe = (server as Server & { _pipeName?: unknown })._pipeName;
  if (typeof pipe === 'string') return pipe;
  const key = (server as Server & { _connectionKey?: unknown })._connectionKey;
  if (typeof key !== 'string') return undefined;
  // A server listening on a handle or a file descriptor records `-1:null:-1`: it asked for no address.
  if (!key.startsWith('4:') && !key.startsWith('6:')) return undefined;
  const hostStart = 2;
  const portStart = key.lastIndexOf(':') + 1;
  if (portStart <= hostStart) return undefined;
  const port = Number(key.slice(portStart));
  return hostPort(key.slice(hostStart, portStart - 1), port > 0 ? port : undefined);
}

/**
 * The name of the outcome of an idle listening server (`server 127.0.0.1 (0 connections)`),
 * or undefined for any other server, which the registry then describes in full before closing it.
 *
 * Why: the registry names every outcome before the close, since the close destroys what a
 * description reads. A server's listening port is a system call (getsockname) costing about
 * a third of closing the server, paid by every idle server for a name that only says it closed
 * fine. An idle server's close can neither wait nor fail, so its outcome is always a
 * plain `disposed`: it is named from what the server requested instead (exact for fixed ports
 * and pipes, the host alone for an ephemeral port). A server with connections, the one whose
 * close can wait, be forced or time out, keeps the full description.
 */
function nameIfClosedAtOnce(server: Server): string | undefined {
  if (!server.listening || connectionCount(server) !== 0) return undefined;
  const where = requestedAddress(server);
  return where === undefined ? undefined : withCount(serverType(server), where, 0);
}

/**
 * `net.Server`, and every server built on it (`http`, `https`, `tls`, `http2`).
 *
 * Graceful: `close()` stops listening, then the open connections are asked to finish: an
 * http server's idle keep-alive connections are closed (again every 20 ms, as requests in
 * flight complete), a plain server's connections, and an http server's upgraded ones, are
 * ended (`end()`: pending writes flushed, then FIN). It waits for `'close'`, which Node emits
 * once the last connection is gone.
 * Forced: every connection is destroyed (`closeAllConnections()` for http, and `destroy()` on
 * every socket that can be reached, which also covers upgraded ones such as WebSockets), then
 * `'close'`. A server that is not listening and has no connections counts as closed.
 *
 * Limits: a plain server's connections accepted before custodian was loaded and `unref()`ed
 * cannot be reached (see `serverConnections`); a `listen()` still resolving its host name when
 * the cleanup runs is not listening yet and is taken for closed.
 */
export const serverAdapter = defineAdapter<Server>({
  name: 'server',
  kind: 'server',
  matches: (value): value is Server => value instanceof Server,
  isClosed: isDrained,
  close: (server, context) => {
    // Without a callback: close() on a server that no longer listens then reports nothing,
    // where the callback would receive ERR_SERVER_NOT_RUNNING.
    server.close();
    // A server without connections is closed now. Returning before reading context.signal
    // spares the registry an AbortSignal, which costs more than the close itself.
    if (isDrained(server)) return undefined;
    if (isHttp(server)) {
      server.closeIdleConnections();
      // Upgraded connections (WebSockets) have left http's bookkeeping; like a plain
      // server's, they are ended.
      for (const socket of serverConnections(server)) if (!hasHttpParser(socket)) endGracefully(socket);
      return waitForDrain(server, context.signal, () => server.closeIdleConnections());
    }
    for (const socket of serverConnections(server)) endGracefully(socket);
    return waitForDrain(server, context.signal);
  },
  forceClose: (server) => {
    if (server.listening) server.close();
    if (isHttp(server)) server.closeAllConnections();
    for (const socket of serverConnections(server)) {
      quiet(socket);
      socket.destroy();
    }
    return waitForDrain(server);
  },
  describe: describeServer,
  [NAME_IF_CLOSED_AT_ONCE]: nameIfClosedAtOnce,
} as Adapter<Server>);
