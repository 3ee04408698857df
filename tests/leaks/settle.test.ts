import { describe, expect, it } from 'vitest';
import { trackHandles } from '../../src/leaks/handle-tracker.js';
import { listeningPort, listeningServer, onlineWorker, sleepingChild, watcher } from './_resources.js';

describe('settle', () => {
  it('does not report what a test closed without waiting for it', async () => {
    const tracker = trackHandles();
    try {
      tracker.begin('closes at the very end');
      const server = await listeningServer();
      const worker = await onlineWorker();
      const child = sleepingChild();
      const fsWatcher = watcher();
      const channel = listeningPort();
      // None of these is awaited: each is still listed by Node until a later phase of the loop.
      server.close();
      void worker.terminate();
      child.kill('SIGKILL');
      fsWatcher.close();
      channel.port1.close();
      expect(await tracker.end()).toEqual({ scope: 'closes at the very end', leaks: [] });
    } finally {
      tracker.stop();
    }
  });

  it('reports a handle that outlives the window even with settleMs: 0', async () => {
    const tracker = trackHandles();
    const server = await listeningServer();
    try {
      tracker.begin('window');
      const interval = setInterval(() => undefined, 1000);
      const { leaks } = await tracker.end({ settleMs: 0 });
      clearInterval(interval);
      expect(leaks.map((leak) => leak.kind)).toEqual(['timer']);
    } finally {
      tracker.stop();
      server.close();
    }
  });
});
