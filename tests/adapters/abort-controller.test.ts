import { describe, expect, it } from 'vitest';
import { ResourceRegistry } from '../../src/registry/resource-registry.js';
import { findAdapter } from '../../src/adapters/table.js';
import { abortControllerAdapter } from '../../src/adapters/abort-controller.js';

describe('abortControllerAdapter', () => {
  it('aborts the controller, so work listening to its signal stops', async () => {
    const controller = new AbortController();
    expect(findAdapter(controller)).toBe(abortControllerAdapter);
    const work = new Promise<unknown>((_resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('not aborted')), 60_000);
      controller.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        reject(controller.signal.reason);
      });
    }).catch((error: unknown) => error);
    const registry = new ResourceRegistry();
    expect(registry.register(controller).name).toBe('abort controller');
    const report = await registry.cleanupAll();
    expect(report.disposed[0]).toMatchObject({ kind: 'task', phase: 'graceful' });
    expect(controller.signal.aborted).toBe(true);
    expect((await work as Error).name).toBe('AbortError');
  });

  it('reports a controller that already aborted as closed, keeping its reason', async () => {
    const controller = new AbortController();
    controller.abort('done');
    const registry = new ResourceRegistry();
    registry.register(controller);
    const report = await registry.cleanupAll();
    expect(report.disposed[0]!.phase).toBe('closed');
    expect(controller.signal.reason).toBe('done');
  });
});
