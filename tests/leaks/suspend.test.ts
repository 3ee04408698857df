import { describe, expect, it } from 'vitest';
import { trackHandles } from '../../src/leaks/handle-tracker.js';

describe('HandleTracker#suspend', () => {
  it('sends later handles to the file scope and keeps earlier ones with their test', async () => {
    const early = setInterval(() => undefined, 1000); // the baseline
    const tracker = trackHandles({ scope: 'file' });
    try {
      tracker.begin('a');
      const own = setInterval(() => undefined, 1001);
      tracker.suspend(); // another test began: from here on, nobody can tell them apart
      const shared = setInterval(() => undefined, 1002);
      const file = await tracker.end();
      clearInterval(own);
      clearInterval(shared);
      expect(file.scope).toBe('file');
      expect(file.leaks.map((leak) => [leak.description, leak.test])).toEqual([
        ['interval 1001 ms', 'a'],
        ['interval 1002 ms', 'file'],
      ]);
    } finally {
      tracker.stop();
      clearInterval(early);
    }
  });
});
