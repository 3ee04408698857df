import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { trackHandles } from '../../src/leaks/handle-tracker.js';
import { closeServer, connectTo, isActive, listeningPort, listeningServer, onlineWorker, sleepingChild, watcher } from './_resources.js';

describe('HandleTracker#end({ dispose: true })', () => {
  it('closes every kind of leaked handle and marks it disposed', async () => {
    const peer = await listeningServer();
    const tracker = trackHandles();
    try {
      tracker.begin('leaks everything');
      const interval = setInterval(() => undefined, 1000);
      const timeout = setTimeout(() => undefined, 60_000);
      const socket = await connectTo(peer);
      const server = await listeningServer();
      const worker = await onlineWorker();
      const workerExit = once(worker, 'exit');
      const child = sleepingChild();
      const fsWatcher = watcher();
      const channel = listeningPort();

      const { leaks } = await tracker.end({ dispose: true });

      expect(leaks.map((leak) => leak.kind).sort()).toEqual(['port', 'process', 'server', 'socket', 'thread', 'timer', 'timer', 'watcher']);
      expect(leaks.every((leak) => leak.disposed)).toBe(true);
      expect((interval as unknown as { _destroyed: boolean })._destroyed).toBe(true);
      expect((timeout as unknown as { _destroyed: boolean })._destroyed).toBe(true);
      expect(socket.destroyed).toBe(true);
      expect(server.listening).toBe(false);
      await workerExit;
      expect(worker.threadId).toBe(-1);
      expect(child.exitCode !== null || child.signalCode !== null).toBe(true);
      expect(isActive(fsWatcher)).toBe(false);
      await new Promise((resolve) => setImmediate(resolve));
      expect(isActive(channel.port1)).toBe(false);
      // Nothing the test created is left: the next test starts clean.
      tracker.begin('next');
      expect((await tracker.end()).leaks).toEqual([]);
    } finally {
      tracker.stop();
      await closeServer(peer);
    }
  });

  it('leaves handles open without dispose', async () => {
    const tracker = trackHandles();
    tracker.begin('warn only');
    const server = await listeningServer();
    const { leaks } = await tracker.end();
    tracker.stop();
    expect(leaks).toMatchObject([{ kind: 'server', disposed: false }]);
    expect(server.listening).toBe(true);
    await closeServer(server);
  });
});
