import { basename } from 'node:path';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { trackHandles, type HandleTracker } from '../../src/leaks/handle-tracker.js';
import type { TrackHandlesOptions } from '../../src/leaks/types.js';
import {
  closeServer,
  connectTo,
  killChild,
  listeningPort,
  listeningServer,
  onlineWorker,
  sleepingChild,
  watcher,
} from './_resources.js';

const cleanups: Array<() => unknown> = [];
let tracker: HandleTracker | undefined;

function track(options?: TrackHandlesOptions): HandleTracker {
  tracker = trackHandles(options);
  return tracker;
}

afterEach(async () => {
  tracker?.stop();
  tracker = undefined;
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('trackHandles', () => {
  it('reports a refed interval with the test that created it', async () => {
    const t = track();
    t.begin('polls');
    const interval = setInterval(function poll() {}, 1000);
    cleanups.push(() => clearInterval(interval));
    const report = await t.end();
    expect(report.scope).toBe('polls');
    expect(report.leaks).toEqual([
      { kind: 'timer', type: 'Timeout', description: 'interval 1000 ms (poll)', test: 'polls', disposed: false },
    ]);
  });

  it('reports a refed timeout but not an unref one, a cleared one, or one that fired', async () => {
    const t = track();
    t.begin('timeouts');
    const refed = setTimeout(() => undefined, 60_000);
    cleanups.push(() => clearTimeout(refed));
    const unrefed = setTimeout(() => undefined, 60_000).unref();
    cleanups.push(() => clearTimeout(unrefed));
    clearTimeout(setTimeout(() => undefined, 60_000));
    await new Promise((resolve) => setTimeout(resolve, 1));
    const { leaks } = await t.end();
    expect(leaks.map((leak) => leak.description)).toEqual(['timeout 60000 ms']);
  });

  it('reports a client socket with its local and peer address', async () => {
    const server = await listeningServer();
    cleanups.push(() => closeServer(server));
    const t = track();
    t.begin('queries');
    const socket = await connectTo(server);
    cleanups.push(() => socket.destroy());
    const { leaks } = await t.end();
    expect(leaks).toHaveLength(1);
    expect(leaks[0]).toMatchObject({ kind: 'socket', type: 'Socket', test: 'queries' });
    const { port } = server.address() as net.AddressInfo;
    expect(leaks[0]?.description).toBe(`socket 127.0.0.1:${socket.localPort} -> 127.0.0.1:${port}`);
  });

  it('reports a listening server with its address', async () => {
    const t = track();
    t.begin('serves');
    const server = await listeningServer();
    cleanups.push(() => closeServer(server));
    const { leaks } = await t.end();
    const { port } = server.address() as net.AddressInfo;
    expect(leaks).toEqual([
      { kind: 'server', type: 'Server', description: `server listening on 127.0.0.1:${port}`, test: 'serves', disposed: false },
    ]);
  });

  it('reports a worker thread', async () => {
    const t = track();
    t.begin('offloads');
    const worker = await onlineWorker();
    cleanups.push(() => worker.terminate());
    const { leaks } = await t.end();
    expect(leaks).toEqual([
      { kind: 'thread', type: 'Worker', description: `worker thread ${worker.threadId}`, test: 'offloads', disposed: false },
    ]);
  });

  it('reports a worker that listens for messages once, not its internal ports too', async () => {
    const t = track();
    t.begin('listens');
    const worker = await onlineWorker();
    worker.on('message', () => undefined);
    cleanups.push(() => worker.terminate());
    const { leaks } = await t.end();
    expect(leaks.map((leak) => leak.kind)).toEqual(['thread']);
  });

  it('reports a child process with its pid and command, not its stdio pipes', async () => {
    const t = track();
    t.begin('spawns');
    const child = sleepingChild();
    cleanups.push(() => killChild(child));
    const { leaks } = await t.end();
    expect(leaks).toHaveLength(1);
    expect(leaks[0]).toMatchObject({ kind: 'process', type: 'ChildProcess', test: 'spawns' });
    // The executable is shown by its name, so the arguments survive a deep install path.
    expect(leaks[0]?.description).toBe(`child process ${child.pid} (${basename(process.execPath)} -e setInterval(() => {}, 1000))`);
  });

  it('reports an fs watcher', async () => {
    const t = track();
    t.begin('watches');
    const fsWatcher = watcher();
    cleanups.push(() => fsWatcher.close());
    const { leaks } = await t.end();
    expect(leaks).toHaveLength(1);
    expect(leaks[0]).toMatchObject({ kind: 'watcher', type: 'FSWatcher', test: 'watches' });
  });

  it('reports a message port that listens', async () => {
    const t = track();
    t.begin('messages');
    const channel = listeningPort();
    cleanups.push(() => channel.port1.close());
    const { leaks } = await t.end();
    expect(leaks).toEqual([{ kind: 'port', type: 'MessagePort', description: 'message port', test: 'messages', disposed: false }]);
  });

  it('ends clean tests without a promise, and still sees what a later test leaves', async () => {
    const t = track();
    t.begin('clean');
    expect(t.endIfClean()).toEqual({ scope: 'clean', leaks: [] });
    // Nothing was created since: the quick path, which must not hide the next test's leaks.
    t.begin('clean again');
    expect(t.endIfClean()).toEqual({ scope: 'clean again', leaks: [] });
    // No probe sees a message port: only Node's list of handles changes.
    t.begin('opens a port');
    const channel = listeningPort();
    cleanups.push(() => channel.port1.close());
    expect(t.endIfClean()).toBeUndefined();
    expect((await t.end()).leaks.map((leak) => [leak.kind, leak.test])).toEqual([['port', 'opens a port']]);
    // The port is still open, and already reported: the next clean test ends clean.
    t.begin('clean after the port');
    expect(t.endIfClean()).toEqual({ scope: 'clean after the port', leaks: [] });
    // A timer is not in Node's list of handles: only the probe sees it.
    t.begin('starts a timer');
    const timer = setTimeout(() => undefined, 60_000);
    cleanups.push(() => clearTimeout(timer));
    expect(t.endIfClean()).toBeUndefined();
    expect((await t.end()).leaks.map((leak) => [leak.kind, leak.test])).toEqual([['timer', 'starts a timer']]);
  });

  it('reports nothing for a test that closes what it opened', async () => {
    const t = track();
    t.begin('clean');
    const server = await listeningServer();
    const socket = await connectTo(server);
    const worker = await onlineWorker();
    const child = sleepingChild();
    const interval = setInterval(() => undefined, 1000);
    const fsWatcher = watcher();
    const channel = listeningPort();
    socket.destroy();
    await closeServer(server);
    await worker.terminate();
    await killChild(child);
    clearInterval(interval);
    fsWatcher.close();
    channel.port1.close();
    expect(await t.end()).toEqual({ scope: 'clean', leaks: [] });
  });

  it('reports each leak once', async () => {
    const t = track();
    t.begin('first');
    const interval = setInterval(() => undefined, 1000);
    cleanups.push(() => clearInterval(interval));
    expect((await t.end()).leaks).toHaveLength(1);
    t.begin('second');
    expect((await t.end()).leaks).toEqual([]);
  });

  it('only reports the kinds asked for', async () => {
    const t = track({ kinds: ['server'] });
    t.begin('mixed');
    const interval = setInterval(() => undefined, 1000);
    cleanups.push(() => clearInterval(interval));
    const server = await listeningServer();
    cleanups.push(() => closeServer(server));
    expect((await t.end()).leaks.map((leak) => leak.kind)).toEqual(['server']);
  });

  it('never reports what was alive before it started (the baseline)', async () => {
    const server = await listeningServer();
    cleanups.push(() => closeServer(server));
    const t = track();
    t.begin('after the baseline');
    expect((await t.end()).leaks).toEqual([]);
    expect((await t.end()).leaks).toEqual([]);
  });

  it('rejects unknown kinds and stops being usable after stop()', () => {
    expect(() => trackHandles({ kinds: ['engine' as never] })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    const t = track();
    t.stop();
    t.stop();
    expect(() => t.begin('late')).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
  });

  it('leaves setTimeout as it found it once the last tracker stops', () => {
    const before = globalThis.setTimeout;
    const t = track();
    expect(globalThis.setTimeout).not.toBe(before);
    t.stop();
    expect(globalThis.setTimeout).toBe(before);
  });

  it('keeps util.promisify(setTimeout) working while tracking', async () => {
    track();
    const { promisify } = await import('node:util');
    await expect(promisify(setTimeout)(1, 'value')).resolves.toBe('value');
  });
});
