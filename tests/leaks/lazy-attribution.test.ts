import { describe, expect, it } from 'vitest';
import { trackHandles } from '../../src/leaks/handle-tracker.js';

describe('trackHandles({ currentTest })', () => {
  it('reads the running test when a handle is created, without begin()', async () => {
    let running: { name: string } | undefined;
    const tracker = trackHandles({ currentTest: () => running, testName: (key) => (key as { name: string }).name, scope: 'file' });
    const timers: NodeJS.Timeout[] = [];
    try {
      timers.push(setInterval(() => undefined, 1000)); // outside tests: the file scope
      running = { name: 'first' };
      timers.push(setInterval(() => undefined, 1000));
      const first = await tracker.end();
      running = undefined;
      timers.push(setInterval(() => undefined, 1000)); // between tests (a beforeAll): the file scope
      running = { name: 'first' }; // same name, another test object: a new scope
      const second = await tracker.end();
      running = undefined;
      const file = await tracker.end();
      expect(first).toMatchObject({ scope: 'first', leaks: [{ test: 'first' }] });
      expect(second).toEqual({ scope: 'first', leaks: [] });
      expect(file.scope).toBe('file');
      expect(file.leaks.map((leak) => leak.test)).toEqual(['file', 'file']);
    } finally {
      tracker.stop();
      for (const timer of timers) clearInterval(timer);
    }
  });

  it('prefers an explicit begin() over the resolver', async () => {
    const tracker = trackHandles({ currentTest: () => 'resolved' });
    const timer = setInterval(() => undefined, 1000);
    try {
      tracker.begin('explicit');
      const late = setInterval(() => undefined, 1000);
      const report = await tracker.end();
      clearInterval(late);
      expect(report.scope).toBe('explicit');
      expect(report.leaks.map((leak) => leak.test)).toEqual(['explicit']);
    } finally {
      tracker.stop();
      clearInterval(timer);
    }
  });
});
