import { createServer, connect, type Server, type Socket } from 'node:net';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { ResourceRegistry } from '../../src/registry/resource-registry.js';
import { findAdapter } from '../../src/adapters/table.js';
import { socketAdapter } from '../../src/adapters/net-socket.js';
import { baselineResources, expectResourcesBack } from './helpers.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A listening server whose accepted sockets are collected; closed after the test. */
async function startServer(options: { allowHalfOpen?: boolean } = {}): Promise<{ server: Server; peers: Socket[]; port: number }> {
  const peers: Socket[] = [];
  const server = createServer({ allowHalfOpen: options.allowHalfOpen ?? false }, (socket) => {
    socket.on('error', () => undefined);
    peers.push(socket);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(async () => {
    for (const peer of peers) peer.destroy();
    server.close();
    await once(server, 'close');
  });
  return { server, peers, port: (server.address() as { port: number }).port };
}

async function connected(port: number): Promise<Socket> {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  return socket;
}

async function serverConnections(server: Server): Promise<number> {
  return new Promise((resolve, reject) => server.getConnections((error, count) => (error ? reject(error) : resolve(count))));
}

describe('socketAdapter', () => {
  it('ends a socket gracefully when the peer closes its side', async () => {
    const { server, port } = await startServer();
    const baseline = await baselineResources();
    const socket = await connected(port);
    expect(findAdapter(socket)).toBe(socketAdapter);
    const registry = new ResourceRegistry();
    registry.register(socket);
    const report = await registry.cleanupAll();
    expect(report.disposed).toHaveLength(1);
    expect(report.disposed[0]).toMatchObject({ kind: 'socket', phase: 'graceful' });
    expect(socket.destroyed).toBe(true);
    await expectResourcesBack(baseline, ['TCPSocketWrap']);
    expect(await serverConnections(server)).toBe(0);
  });

  it('closes a paused socket with unread incoming data without waiting for a reader', async () => {
    const { peers, port } = await startServer();
    const socket = await connected(port);
    while (peers.length === 0) await new Promise((resolve) => setImmediate(resolve));
    peers[0]!.write(Buffer.alloc(64 * 1024, 1));
    const registry = new ResourceRegistry();
    registry.register(socket);
    const report = await registry.cleanupAll();
    expect(report.disposed[0]!.phase).toBe('graceful');
    expect(socket.destroyed).toBe(true);
  });

  it('destroys a socket whose peer never closes its side, after the graceful deadline', async () => {
    // allowHalfOpen: the server reads our FIN and never answers with its own.
    const { peers, port } = await startServer({ allowHalfOpen: true });
    const baseline = await baselineResources();
    const socket = await connected(port);
    const registry = new ResourceRegistry({ timeoutMs: 200, forceTimeoutMs: 10_000 });
    registry.register(socket);
    const report = await registry.cleanupAll();
    expect(report.disposed).toHaveLength(0);
    expect(report.forced).toHaveLength(1);
    expect(report.forced[0]).toMatchObject({ kind: 'socket', phase: 'forced' });
    expect(report.ok).toBe(true);
    expect(socket.destroyed).toBe(true);
    expect(socket.readyState).toBe('closed');
    // With the server's half-open peer closed by the test, no socket handle is left.
    for (const peer of peers) peer.destroy();
    await expectResourcesBack(baseline, ['TCPSocketWrap']);
  });

  it('reports a socket that was already destroyed as closed', async () => {
    const { port } = await startServer();
    const socket = await connected(port);
    socket.destroy();
    const registry = new ResourceRegistry();
    registry.register(socket);
    const report = await registry.cleanupAll();
    expect(report.disposed).toHaveLength(1);
    expect(report.disposed[0]!.phase).toBe('closed');
  });

  it('destroys a socket that never started connecting', async () => {
    const { Socket } = await import('node:net');
    const socket = new Socket();
    const registry = new ResourceRegistry();
    registry.register(socket);
    const report = await registry.cleanupAll();
    expect(report.disposed[0]!.phase).toBe('graceful');
    expect(socket.destroyed).toBe(true);
  });

  it('does not recognise the process stdio streams', () => {
    expect(socketAdapter.matches(process.stdout)).toBe(false);
    expect(socketAdapter.matches(process.stderr)).toBe(false);
  });

  it('describes itself by its local and remote address', async () => {
    const { port } = await startServer();
    const socket = await connected(port);
    cleanups.push(() => socket.destroy());
    expect(socketAdapter.describe!(socket)).toBe(`socket 127.0.0.1:${socket.localPort} -> 127.0.0.1:${port}`);
    const registry = new ResourceRegistry();
    expect(registry.register(socket).name).toBe(`socket 127.0.0.1:${socket.localPort} -> 127.0.0.1:${port}`);
    await registry.cleanupAll();
  });
});
