import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Agent, Client, Pool, request } from 'undici';
import { describe, expect, it } from 'vitest';
import { undiciDispatcherAdapter } from '../../../src/adapters/databases/undici.js';
import { ResourceRegistry } from '../../../src/registry/resource-registry.js';
import { baselineHandles, handlesBackTo, eventually } from './_services.js';

/** An HTTP server whose /hang route never answers; counts the connections it holds. */
async function httpServer(): Promise<{ origin: string; open: () => number; server: http.Server } & AsyncDisposable> {
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    if (req.url !== '/hang') res.end('ok');
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    open: () => sockets.size,
    server,
    async [Symbol.asyncDispose]() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe('undiciDispatcherAdapter', () => {
  it('closes a Pool and an Agent and their keep-alive connections', async () => {
    await using target = await httpServer();
    const handlesBefore = await baselineHandles();
    const registry = new ResourceRegistry({ name: 'undici' });
    const pool = new Pool(target.origin, { connections: 2 });
    const agent = new Agent();
    await (await pool.request({ path: '/', method: 'GET' })).body.text();
    await (await request(target.origin, { dispatcher: agent })).body.text();
    expect(target.open()).toBe(2);

    expect(registry.register(pool).name).toBe(`undici Pool ${target.origin} (open)`);
    expect(registry.register(agent).name).toBe('undici Agent (open)');
    const report = await registry.cleanupAll();

    expect(report.disposed.map((outcome) => outcome.phase)).toEqual(['graceful', 'graceful']);
    expect(pool.destroyed && agent.destroyed).toBe(true);
    expect(await eventually(async () => target.open(), (n) => n === 0)).toBe(0);
    expect(await handlesBackTo(handlesBefore)).toBe(handlesBefore);
  });

  it('destroys a Client whose close() waits for a response that never comes', async () => {
    await using target = await httpServer();
    const handlesBefore = await baselineHandles();
    const registry = new ResourceRegistry({ name: 'undici' });
    const client = new Client(target.origin);
    const hanging = client.request({ path: '/hang', method: 'GET' }).catch((error: unknown) => error);
    await eventually(async () => target.open(), (n) => n === 1);

    registry.register(client, { timeoutMs: 300 });
    const report = await registry.cleanupAll();

    expect(report.ok).toBe(true);
    expect(report.forced).toHaveLength(1);
    expect(await hanging).toBeInstanceOf(Error);
    expect(await eventually(async () => target.open(), (n) => n === 0)).toBe(0);
    expect(await handlesBackTo(handlesBefore)).toBe(handlesBefore);
  });

  it('counts a destroyed dispatcher as closed', async () => {
    const registry = new ResourceRegistry({ name: 'undici' });
    const agent = new Agent();
    await agent.destroy();
    registry.register(agent);
    const report = await registry.cleanupAll();
    expect(report.disposed.map((outcome) => outcome.phase)).toEqual(['closed']);
  });

  it('describes a Client by its origin', () => {
    const client = new Client('http://127.0.0.1:9');
    expect(undiciDispatcherAdapter.describe!(client as never)).toBe('undici Client http://127.0.0.1:9 (open)');
    void client.destroy();
  });
});
