import { defineAdapter } from '../adapter.js';
import { asObject, count, hasMethods, whenEvent, type Loose } from './_shape.js';

const CONNECTING = 0;
const CLOSED = 3;
/** ws server states (not exported by ws). */
const SERVER_CLOSED = 2;

/** The parts of a `ws` WebSocket the adapter relies on. */
export interface WsWebSocketLike extends Loose {
  readonly readyState: number;
  readonly url?: string;
  close(code?: number, reason?: string): void;
  terminate(): void;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  _socket?: { remoteAddress?: string; remotePort?: number } | null;
}

/** The parts of a `ws` WebSocketServer the adapter relies on. */
export interface WsServerLike extends Loose {
  readonly clients?: Set<WsWebSocketLike>;
  readonly options: Loose;
  close(callback?: (error?: Error) => void): void;
  address(): unknown;
  _state?: number;
  _server?: { closeAllConnections?: () => void } | null;
}

function isWsWebSocket(value: unknown): value is WsWebSocketLike {
  // `terminate` and `ping` set ws apart from the WHATWG WebSocket of browsers and Node 22.
  return hasMethods(value, 'close', 'terminate', 'ping', 'on') && typeof value.readyState === 'number';
}

function isWsServer(value: unknown): value is WsServerLike {
  return hasMethods(value, 'handleUpgrade', 'shouldHandle', 'close', 'address') && asObject(value.options) !== undefined;
}

function noop(): void {}

/**
 * Terminating a socket that is still connecting makes ws emit `error` ("closed before the
 * connection was established"), which would crash a process with no `error` listener: the
 * cleanup adds one for that.
 */
function terminate(socket: WsWebSocketLike): Promise<void> {
  if (socket.readyState === CLOSED) return Promise.resolve();
  const closed = whenEvent(socket, 'close');
  if (socket.readyState === CONNECTING) socket.on('error', noop);
  socket.terminate();
  return closed;
}

function closeSocket(socket: WsWebSocketLike, code: number): Promise<void> {
  if (socket.readyState === CLOSED) return Promise.resolve();
  if (socket.readyState === CONNECTING) return terminate(socket);
  const closed = whenEvent(socket, 'close');
  socket.close(code);
  return closed;
}

/**
 * `ws` WebSocket: the closing handshake (code 1000), resolved on `close`; forced (a peer that
 * never answers the handshake), `terminate()` drops the socket. A socket still connecting is
 * terminated at once. `readyState === CLOSED` means already closed.
 */
export const wsWebSocketAdapter = defineAdapter<WsWebSocketLike>({
  name: 'ws websocket',
  kind: 'socket',
  matches: isWsWebSocket,
  isClosed: (socket) => socket.readyState === CLOSED,
  close: (socket) => closeSocket(socket, 1000),
  forceClose: terminate,
  describe: (socket) => {
    let where = '';
    if (typeof socket.url === 'string' && socket.url !== '') {
      try {
        const url = new URL(socket.url);
        where = ` ${url.protocol}//${url.host}${url.pathname}`;
      } catch {}
    } else if (socket._socket?.remoteAddress !== undefined) {
      where = ` from ${socket._socket.remoteAddress}:${socket._socket.remotePort ?? '?'}`;
    }
    return `ws websocket${where} (${['connecting', 'open', 'closing', 'closed'][socket.readyState] ?? 'unknown'})`;
  },
});

/**
 * `ws` WebSocketServer. Its own `close()` stops accepting but leaves the connected clients
 * open (ws 8), and when it owns its HTTP server that server then never finishes closing: the
 * graceful close sends every tracked client a 1001 "going away" close first, then closes the
 * server; the forced close terminates the clients. A server created with `clientTracking:
 * false` cannot reach its clients: close them yourself. `_state === CLOSED` means closed.
 */
export const wsServerAdapter = defineAdapter<WsServerLike>({
  name: 'ws server',
  kind: 'server',
  matches: isWsServer,
  isClosed: (server) => server._state === SERVER_CLOSED,
  close: async (server) => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    await Promise.all([...(server.clients ?? [])].map((client) => closeSocket(client, 1001)));
    await closed;
  },
  forceClose: async (server) => {
    await Promise.all([...(server.clients ?? [])].map(terminate));
    if (server._state !== SERVER_CLOSED) await new Promise<void>((resolve) => server.close(() => resolve()));
  },
  describe: (server) => {
    let address: Loose | undefined;
    try {
      address = asObject(server.address());
    } catch {
      // ws throws for a server in noServer mode or one that is closed.
    }
    const where = address !== undefined ? ` :${String(address.port)}` : server.options.noServer === true ? ' (no server)' : '';
    const clients = server.clients === undefined ? 'untracked clients' : count(server.clients.size, 'client');
    return `ws server${where} (${clients})`;
  },
});
