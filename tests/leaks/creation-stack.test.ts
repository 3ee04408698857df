import { describe, expect, it } from 'vitest';
import { trackHandles } from '../../src/leaks/handle-tracker.js';
import { closeServer, listeningServer } from './_resources.js';

function openPoller(): NodeJS.Timeout {
  return setInterval(() => undefined, 1000);
}

describe('trackHandles({ stacks: true })', () => {
  it('records where each leaked handle was created, user frames first', async () => {
    const tracker = trackHandles({ stacks: true });
    tracker.begin('with stacks');
    const interval = openPoller();
    const server = await listeningServer();
    const { leaks } = await tracker.end();
    tracker.stop();
    clearInterval(interval);
    await closeServer(server);
    const timer = leaks.find((leak) => leak.kind === 'timer');
    const listening = leaks.find((leak) => leak.kind === 'server');
    expect(timer?.stack?.split('\n')[0]).toMatch(/openPoller .*creation-stack\.test\.ts/);
    expect(listening?.stack?.split('\n')[0]).toMatch(/_resources\.ts/);
    for (const leak of leaks) {
      expect(leak.stack).not.toMatch(/\(node:|src\/leaks\/probes/);
      const frames = leak.stack?.split('\n') ?? [];
      const firstLibrary = frames.findIndex((frame) => frame.includes('/node_modules/'));
      if (firstLibrary !== -1) expect(frames.slice(firstLibrary).every((frame) => frame.includes('/node_modules/'))).toBe(true);
    }
  });

  it('records no stacks by default', async () => {
    const tracker = trackHandles();
    tracker.begin('without stacks');
    const interval = openPoller();
    const { leaks } = await tracker.end();
    tracker.stop();
    clearInterval(interval);
    expect(leaks).toHaveLength(1);
    expect(leaks[0]).not.toHaveProperty('stack');
  });
});
