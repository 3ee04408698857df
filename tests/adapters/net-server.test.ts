import { createServer as createNetServer, connect, type Server, type Socket } from 'node:net';
import { peekGlobalSlot } from '../../src/_internal/global-slot.js';
import { Agent, createServer as createHttpServer, request } from 'node:http';
import { once } from 'node:events';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent as HttpsAgent, createServer as createHttpsServer, request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ResourceRegistry } from '../../src/registry/resource-registry.js';
import { findAdapter } from '../../src/adapters/table.js';
import { serverAdapter } from '../../src/adapters/net-server.js';
import { serverConnections } from '../../src/adapters/server-connections.js';
import { baselineResources, expectResourcesBack } from './helpers.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function listen(server: Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as { port: number }).port;
}

async function connected(port: number, options: { allowHalfOpen?: boolean } = {}): Promise<Socket> {
  const socket = connect({ port, host: '127.0.0.1', allowHalfOpen: options.allowHalfOpen ?? false });
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  cleanups.push(() => socket.destroy());
  return socket;
}

/** The port is free: a new server can listen on it. */
async function expectPortFree(port: number): Promise<void> {
  const probe = createNetServer();
  probe.listen(port, '127.0.0.1');
  await once(probe, 'listening');
  probe.close();
  await once(probe, 'close');
}

async function expectRefused(port: number): Promise<void> {
  const socket = connect(port, '127.0.0.1');
  const [error] = (await once(socket, 'error')) as [NodeJS.ErrnoException];
  expect(error.code).toBe('ECONNREFUSED');
}

function get(port: number, agent: Agent, path = '/'): Promise<{ status: number | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, agent, path }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode, body }));
    })
      .on('error', reject)
      .end();
  });
}

describe('serverAdapter', () => {
  it('closes a listening server without connections and frees its port', async () => {
    const baseline = await baselineResources();
    const server = createNetServer();
    const port = await listen(server);
    expect(findAdapter(server)).toBe(serverAdapter);
    const registry = new ResourceRegistry();
    const registration = registry.register(server);
    expect(registration.name).toBe(`server 127.0.0.1:${port} (0 connections)`);
    const report = await registry.cleanupAll();
    expect(report.disposed).toHaveLength(1);
    // An idle server's outcome is named without the port lookup (a system call): it listened on an ephemeral port.
    expect(report.disposed[0]).toMatchObject({ kind: 'server', phase: 'graceful', name: 'server 127.0.0.1 (0 connections)' });
    expect(registration.name).toBe('server 127.0.0.1 (0 connections)');
    await expectResourcesBack(baseline, ['TCPServerWrap', 'TCPSocketWrap']);
    await expectRefused(port);
    await expectPortFree(port);
  });

  it('ends the connections of a plain server gracefully when the clients cooperate', async () => {
    const baseline = await baselineResources();
    const server = createNetServer((socket) => socket.on('error', () => undefined));
    const port = await listen(server);
    const client = await connected(port);
    const closed = once(client, 'close');
    const registry = new ResourceRegistry();
    registry.register(server);
    const report = await registry.cleanupAll();
    expect(report.disposed[0]).toMatchObject({ kind: 'server', phase: 'graceful' });
    await closed;
    await expectResourcesBack(baseline, ['TCPServerWrap', 'TCPSocketWrap']);
    await expectPortFree(port);
  });

  it('destroys the connections of a plain server whose client never closes its side', async () => {
    const baseline = await baselineResources();
    const server = createNetServer((socket) => socket.on('error', () => undefined));
    const port = await listen(server);
    const clients = [await connected(port, { allowHalfOpen: true }), await connected(port, { allowHalfOpen: true })];
    while ((await count(server)) < 2) await new Promise((resolve) => setImmediate(resolve));
    const registry = new ResourceRegistry({ timeoutMs: 200, forceTimeoutMs: 10_000 });
    const registration = registry.register(server);
    expect(registration.name).toBe(`server 127.0.0.1:${port} (2 connections)`);
    const report = await registry.cleanupAll();
    expect(report.forced).toHaveLength(1);
    // A server with connections, whose close can wait, is described in full before it is closed.
    expect(report.forced[0]).toMatchObject({ kind: 'server', phase: 'forced', name: `server 127.0.0.1:${port} (2 connections)` });
    expect(report.ok).toBe(true);
    expect(await count(server)).toBe(0);
    for (const client of clients) client.destroy();
    await expectResourcesBack(baseline, ['TCPServerWrap', 'TCPSocketWrap']);
    await expectPortFree(port);
  });

  it('closes the idle keep-alive connections of an http server', async () => {
    const server = createHttpServer((_request, response) => response.end('ok'));
    const port = await listen(server);
    const agent = new Agent({ keepAlive: true });
    cleanups.push(() => agent.destroy());
    expect((await get(port, agent)).body).toBe('ok');
    expect(Object.keys(agent.freeSockets)).toHaveLength(1);
    const freeSocket = Object.values(agent.freeSockets)[0]![0]!;
    const closed = once(freeSocket, 'close');
    const registry = new ResourceRegistry();
    expect(registry.register(server).name).toBe(`http server 127.0.0.1:${port} (1 connection)`);
    const report = await registry.cleanupAll();
    expect(report.disposed[0]).toMatchObject({ kind: 'server', phase: 'graceful' });
    expect(await count(server)).toBe(0);
    await closed;
    await expectPortFree(port);
  });

  it('lets a request in flight finish, then closes its connection though the client keeps it alive', async () => {
    let respond: (() => void) | undefined;
    const server = createHttpServer((_request, response) => {
      respond = () => response.end('late');
    });
    // Without the adapter's idle sweep, the connection would stay open for this long.
    server.keepAliveTimeout = 60_000;
    const port = await listen(server);
    const agent = new Agent({ keepAlive: true });
    cleanups.push(() => agent.destroy());
    const pending = get(port, agent);
    while (respond === undefined) await new Promise((resolve) => setImmediate(resolve));
    const registry = new ResourceRegistry({ timeoutMs: 10_000 });
    registry.register(server);
    const cleanup = registry.cleanupAll();
    await new Promise((resolve) => setTimeout(resolve, 30));
    respond();
    expect((await pending).body).toBe('late');
    const report = await cleanup;
    expect(report.disposed[0]).toMatchObject({ kind: 'server', phase: 'graceful' });
    expect(await count(server)).toBe(0);
    await expectPortFree(port);
  });

  it('destroys every connection of an http server whose request never completes', async () => {
    const baseline = await baselineResources();
    const server = createHttpServer(() => undefined);
    const port = await listen(server);
    const agent = new Agent({ keepAlive: true });
    cleanups.push(() => agent.destroy());
    const pending = get(port, agent).catch((error: NodeJS.ErrnoException) => error.code);
    while ((await count(server)) < 1) await new Promise((resolve) => setImmediate(resolve));
    const registry = new ResourceRegistry({ timeoutMs: 200, forceTimeoutMs: 10_000 });
    registry.register(server);
    const report = await registry.cleanupAll();
    expect(report.forced[0]).toMatchObject({ kind: 'server', phase: 'forced' });
    expect(await pending).toBe('ECONNRESET');
    expect(await count(server)).toBe(0);
    agent.destroy();
    await expectResourcesBack(baseline, ['TCPServerWrap', 'TCPSocketWrap']);
    await expectPortFree(port);
  });

  it('ends upgraded connections, which http no longer tracks', async () => {
    const server = createHttpServer();
    server.on('upgrade', (_request, socket: Socket) => {
      socket.on('error', () => undefined);
      socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: test\r\nConnection: Upgrade\r\n\r\n');
    });
    const port = await listen(server);
    const client = await connected(port);
    client.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: test\r\nConnection: Upgrade\r\n\r\n`);
    await once(client, 'data');
    const closed = once(client, 'close');
    const registry = new ResourceRegistry({ timeoutMs: 10_000 });
    registry.register(server);
    const report = await registry.cleanupAll();
    expect(report.disposed[0]).toMatchObject({ kind: 'server', phase: 'graceful' });
    await closed;
    expect(await count(server)).toBe(0);
    await expectPortFree(port);
  });

  it('reaches connections it did not see accepted through the process handles', async () => {
    const server = createNetServer((socket) => socket.on('error', () => undefined));
    const port = await listen(server);
    const client = await connected(port, { allowHalfOpen: true });
    while ((await count(server)) < 1) await new Promise((resolve) => setImmediate(resolve));
    // As if the connection had been accepted before custodian was loaded.
    const tracker = peekGlobalSlot<{ byServer: WeakMap<Server, unknown> }>('serverConnections')!;
    expect(tracker.byServer.delete(server)).toBe(true);
    expect([...serverConnections(server)]).toHaveLength(1);
    const registry = new ResourceRegistry({ timeoutMs: 200, forceTimeoutMs: 10_000 });
    registry.register(server);
    const report = await registry.cleanupAll();
    expect(report.forced[0]).toMatchObject({ kind: 'server', phase: 'forced' });
    expect(await count(server)).toBe(0);
    client.destroy();
    await expectPortFree(port);
  });

  it('does not keep closed connections of a long-lived server', async () => {
    const server = createNetServer((socket) => socket.on('error', () => undefined));
    const port = await listen(server);
    cleanups.push(async () => {
      server.close();
      await once(server, 'close');
    });
    for (let index = 0; index < 150; index++) {
      const client = await connected(port);
      client.end();
      await once(client, 'close');
    }
    while ((await count(server)) > 0) await new Promise((resolve) => setImmediate(resolve));
    const tracker = peekGlobalSlot<{ byServer: WeakMap<Server, { sockets: Set<Socket> }> }>('serverConnections')!;
    // Closed connections are swept as the set grows: it never holds all 150.
    expect(tracker.byServer.get(server)!.sockets.size).toBeLessThan(150);
    expect(serverConnections(server).size).toBe(0);
  });

  it('closes the idle keep-alive connections of an https server', async (context) => {
    const credentials = selfSignedCertificate();
    if (credentials === undefined) {
      context.skip('openssl is not installed: no certificate for the https server');
      return;
    }
    const server = createHttpsServer(credentials, (_request, response) => response.end('ok'));
    const port = await listen(server);
    const agent = new HttpsAgent({ keepAlive: true, rejectUnauthorized: false });
    cleanups.push(() => agent.destroy());
    await new Promise<void>((resolve, reject) => {
      httpsRequest({ host: '127.0.0.1', port, agent }, (response) => {
        response.resume();
        response.on('end', resolve);
      })
        .on('error', reject)
        .end();
    });
    const freeSocket = Object.values(agent.freeSockets)[0]![0]!;
    const closed = once(freeSocket, 'close');
    const registry = new ResourceRegistry();
    expect(registry.register(server).name).toBe(`https server 127.0.0.1:${port} (1 connection)`);
    const report = await registry.cleanupAll();
    expect(report.disposed[0]).toMatchObject({ kind: 'server', phase: 'graceful' });
    await closed;
    expect(await count(server)).toBe(0);
    await expectPortFree(port);
  });

  it('names an idle server listening on a pipe by its path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'custodian-pipe-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 'server.sock');
    const server = createHttpServer();
    server.listen(path);
    await once(server, 'listening');
    const registry = new ResourceRegistry();
    expect(registry.register(server).name).toBe(`http server ${path} (0 connections)`);
    const report = await registry.cleanupAll();
    expect(report.disposed[0]).toMatchObject({ phase: 'graceful', name: `http server ${path} (0 connections)` });
    expect(server.listening).toBe(false);
  });

  it('closes an idle server at once, without reading the abort signal', async () => {
    const server = createNetServer();
    await listen(server);
    let reads = 0;
    const context = {
      get signal(): AbortSignal {
        reads++;
        return new AbortController().signal;
      },
    };
    expect(serverAdapter.close(server, context)).toBeUndefined();
    expect(reads).toBe(0);
    expect(server.listening).toBe(false);
    await once(server, 'close');
  });

  it('reports a server that was already closed as closed', async () => {
    const server = createNetServer();
    await listen(server);
    server.close();
    await once(server, 'close');
    const never = createHttpServer();
    const registry = new ResourceRegistry();
    registry.register(server);
    expect(registry.register(never).name).toBe('http server (not listening) (0 connections)');
    const report = await registry.cleanupAll();
    expect(report.disposed.map((outcome) => outcome.phase)).toEqual(['closed', 'closed']);
  });
});

function selfSignedCertificate(): { key: Buffer; cert: Buffer } | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'custodian-tls-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    return { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
  } catch {
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function count(server: Server): Promise<number> {
  return new Promise((resolve, reject) => server.getConnections((error, n) => (error ? reject(error) : resolve(n))));
}
