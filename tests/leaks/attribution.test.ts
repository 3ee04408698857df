import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { trackHandles, type HandleTracker } from '../../src/leaks/handle-tracker.js';
import type { LeakReport } from '../../src/leaks/types.js';
import { closeServer, listeningServer } from './_resources.js';

// Real vitest hooks around the tracker, as an integration drives it: begin() in beforeEach,
// end() in afterEach. The last test reads what every earlier one reported.
const reports = new Map<string, LeakReport>();
const timers: NodeJS.Timeout[] = [];
let tracker: HandleTracker;
let fileServer: Awaited<ReturnType<typeof listeningServer>>;

function leak(): void {
  timers.push(setInterval(() => undefined, 1000));
}

beforeAll(async () => {
  tracker = trackHandles({ scope: 'attribution.test.ts' });
  // Created in beforeAll: belongs to the file, not to the first test.
  fileServer = await listeningServer();
});

afterAll(async () => {
  tracker.stop();
  for (const timer of timers) clearInterval(timer);
  await closeServer(fileServer);
});

beforeEach((context) => {
  tracker.begin(context.task.name);
});

beforeEach((context) => {
  if (context.task.name === 'leaks in beforeEach') leak();
});

afterEach(async (context) => {
  reports.set(context.task.name, await tracker.end());
});

describe('HandleTracker attribution', () => {
  it('leaks in beforeEach', () => undefined);

  it('leaks in the body', () => {
    leak();
  });

  it('leaks after an await', async () => {
    await new Promise((resolve) => setTimeout(resolve, 1));
    await Promise.resolve();
    leak();
  });

  it('leaks in a callback', async () => {
    await new Promise<void>((resolve) =>
      setImmediate(() => {
        leak();
        resolve();
      }),
    );
  });

  it('is clean', () => undefined);

  it('names the test that created each handle', () => {
    const names = (name: string) => reports.get(name)?.leaks.map((leak) => leak.test);
    expect(names('leaks in beforeEach')).toEqual(['leaks in beforeEach']);
    expect(names('leaks in the body')).toEqual(['leaks in the body']);
    expect(names('leaks after an await')).toEqual(['leaks after an await']);
    expect(names('leaks in a callback')).toEqual(['leaks in a callback']);
    expect(names('is clean')).toEqual([]);
  });

  it('attributes what beforeAll created to the file scope, reported by the end-of-file check', async () => {
    // End this test first; end() outside a test (as an afterAll calls it) is the end-of-file check.
    await tracker.end();
    const fileReport = await tracker.end();
    expect(fileReport.scope).toBe('attribution.test.ts');
    expect(fileReport.leaks).toEqual([
      expect.objectContaining({ kind: 'server', test: 'attribution.test.ts' }),
    ]);
  });
});
