import { Socket } from 'node:net';
import { defineAdapter } from './adapter.js';
import { hostPort, waitForEvent } from './wait-for.js';

const ignore = (): void => undefined;
const quieted = new WeakSet<Socket>();

/**
 * A socket being closed may still report ECONNRESET or EPIPE from its peer. Without an `error`
 * listener that would be an uncaught exception, and the test run would crash over a socket
 * it had already given up; while closing, such errors are expected and dropped.
 */
export function quiet(socket: Socket): void {
  if (quieted.has(socket)) return;
  quieted.add(socket);
  socket.on('error', ignore);
}

function isFullyClosed(socket: Socket): boolean {
  // `closed` (Node 18+) turns true once the handle is gone and 'close' was emitted.
  return (socket as Socket & { closed?: boolean }).closed === true;
}

/** `socket 127.0.0.1:53122 -> 127.0.0.1:5432`, `tls socket ... (connecting)`. Never data or credentials. */
export function describeSocket(socket: Socket): string {
  const type = typeof (socket as { getPeerCertificate?: unknown }).getPeerCertificate === 'function' ? 'tls socket' : 'socket';
  const local = hostPort(socket.localAddress, socket.localPort);
  const remote = hostPort(socket.remoteAddress, socket.remotePort);
  let text = type;
  if (local !== undefined || remote !== undefined) text += ` ${local ?? '?'} -> ${remote ?? '?'}`;
  if (socket.connecting) text += ' (connecting)';
  else if (socket.destroyed) text += ' (destroyed)';
  return text;
}

/**
 * `net.Socket` (and `tls.TLSSocket`): the graceful close flushes what is written and sends
 * FIN (`end()`), then waits for `'close'`, which arrives once the peer closed its side too.
 * Incoming data nobody reads is discarded (the socket is resumed), or a paused socket would
 * never see the peer's FIN. A peer that never closes, or a connect that never completes, meets
 * the forced close: `destroy()`, then `'close'`. A socket already destroyed counts as closed.
 * The process's own stdio streams are not recognised.
 */
export const socketAdapter = defineAdapter<Socket>({
  name: 'socket',
  kind: 'socket',
  // Never the process's own stdin, stdout or stderr: ending them would silence the test run.
  matches: (value): value is Socket => value instanceof Socket && (value as Socket & { _isStdio?: boolean })._isStdio !== true,
  // Once destroy() ran the handle is on its way out and nothing more can be done to it.
  isClosed: (socket) => socket.destroyed,
  close: (socket, { signal }) => {
    quiet(socket);
    if (!socket.destroyed) {
      // A socket that never started connecting has nothing to flush; end() would wait for a
      // 'connect' that never comes.
      if (socket.pending && !socket.connecting) socket.destroy();
      else {
        socket.end();
        socket.resume();
      }
    }
    if (isFullyClosed(socket)) return undefined;
    return waitForEvent(socket, 'close', signal);
  },
  forceClose: (socket) => {
    quiet(socket);
    socket.destroy();
    if (isFullyClosed(socket)) return undefined;
    return waitForEvent(socket, 'close');
  },
  describe: describeSocket,
});
