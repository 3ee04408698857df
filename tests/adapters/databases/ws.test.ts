import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { describe, expect, it } from 'vitest';
import { wsServerAdapter, wsWebSocketAdapter } from '../../../src/adapters/databases/ws.js';
import { ResourceRegistry } from '../../../src/registry/resource-registry.js';
import { baselineHandles, handlesBackTo, eventually } from './_services.js';

async function listening(options: { pauseServerSide?: boolean } = {}): Promise<{ server: WebSocketServer; url: string }> {
  const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  if (options.pauseServerSide) {
    // The server stops reading: a client's closing handshake is never answered.
    server.on('connection', (socket) => (socket as unknown as { _socket: { pause(): void } })._socket.pause());
  }
  await new Promise((resolve) => server.once('listening', resolve));
  return { server, url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/path` };
}

async function connect(url: string): Promise<WebSocket> {
  const socket = new WebSocket(url);
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  return socket;
}

describe('wsServerAdapter', () => {
  it('closes the server and the clients its own close() leaves open', async () => {
    const handlesBefore = await baselineHandles();
    const registry = new ResourceRegistry({ name: 'ws' });
    const { server, url } = await listening();
    const clients = [await connect(url), await connect(url)];
    await eventually(async () => server.clients.size, (n) => n === 2);

    expect(registry.register(server).name).toMatch(/^ws server :\d+ \(2 clients\)$/);
    const report = await registry.cleanupAll();

    expect(report.disposed.map((outcome) => outcome.phase)).toEqual(['graceful']);
    await eventually(async () => clients.map((client) => client.readyState), (states) => states.every((s) => s === WebSocket.CLOSED));
    expect(clients.map((client) => client.readyState)).toEqual([WebSocket.CLOSED, WebSocket.CLOSED]);
    expect(await handlesBackTo(handlesBefore)).toBe(handlesBefore);
  });

  it('terminates clients that never answer the closing handshake', async () => {
    const handlesBefore = await baselineHandles();
    const registry = new ResourceRegistry({ name: 'ws' });
    const { server, url } = await listening();
    const client = await connect(url);
    // The client stops reading: the server's 1001 close is never answered.
    (client as unknown as { _socket: { pause(): void } })._socket.pause();
    await eventually(async () => server.clients.size, (n) => n === 1);

    registry.register(server, { timeoutMs: 300 });
    const report = await registry.cleanupAll();

    expect(report.ok).toBe(true);
    expect(report.forced).toHaveLength(1);
    (client as unknown as { _socket: { resume(): void } })._socket.resume();
    await eventually(async () => client.readyState, (state) => state === WebSocket.CLOSED);
    expect(await handlesBackTo(handlesBefore)).toBe(handlesBefore);
  });
});

describe('wsWebSocketAdapter', () => {
  it('closes a client with the closing handshake', async () => {
    const { server, url } = await listening();
    const registry = new ResourceRegistry({ name: 'ws' });
    const client = await connect(url);
    expect(registry.register(client).name).toBe(`ws websocket ${url} (open)`);
    const report = await registry.cleanupAll();
    expect(report.disposed.map((outcome) => outcome.phase)).toEqual(['graceful']);
    expect(client.readyState).toBe(WebSocket.CLOSED);
    await new Promise((resolve) => server.close(resolve));
  });

  it('terminates a client whose peer never answers the closing handshake', async () => {
    const { server, url } = await listening({ pauseServerSide: true });
    const handlesBefore = await baselineHandles();
    const registry = new ResourceRegistry({ name: 'ws' });
    const client = await connect(url);

    registry.register(client, { timeoutMs: 300 });
    const report = await registry.cleanupAll();

    expect(report.ok).toBe(true);
    expect(report.forced).toHaveLength(1);
    expect(client.readyState).toBe(WebSocket.CLOSED);
    for (const peer of server.clients) peer.terminate();
    await new Promise((resolve) => server.close(resolve));
    expect(await handlesBackTo(handlesBefore - 1)).toBe(handlesBefore - 1);
  });

  it('terminates a client still connecting without an unhandled error', async () => {
    const { server, url } = await listening();
    const registry = new ResourceRegistry({ name: 'ws' });
    const client = new WebSocket(url);
    registry.register(client);
    const report = await registry.cleanupAll();
    expect(report.ok).toBe(true);
    expect(client.readyState).toBe(WebSocket.CLOSED);
    await new Promise((resolve) => server.close(resolve));
  });

  it('describes a URL without its credentials and is not taken for a server', () => {
    const client = new WebSocket('ws://alice:s3cret-pw@127.0.0.1:9/feed', { autoPong: true });
    client.on('error', () => undefined);
    expect(wsWebSocketAdapter.describe!(client as never)).toBe('ws websocket ws://127.0.0.1:9/feed (connecting)');
    expect(wsServerAdapter.matches(client)).toBe(false);
    client.terminate();
  });
});
