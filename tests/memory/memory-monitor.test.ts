import { describe, expect, it, vi } from 'vitest';
import { forceGc } from '../../src/memory/force-gc.js';
import { MemoryMonitor } from '../../src/memory/memory-monitor.js';
import { isCustodianError } from '../../src/errors.js';

const KB = 1024;
const MB = 1024 * 1024;

/** A JS array of doubles: `bytes` of real V8 heap (a typed array would live off-heap). */
function heapBlock(bytes: number): number[] {
  return Array.from({ length: Math.floor(bytes / 8) }, (_, index) => index + 0.5);
}

/** Garbage the way a real test makes it: many short-lived objects and strings. */
function churn(bytes: number): number {
  let total = 0;
  for (let made = 0; made < bytes; made += 16 * KB) {
    const objects = Array.from({ length: 64 }, (_, index) => ({ index, label: `item-${index}-${made}` }));
    total += objects.length;
  }
  return total;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function runSuite(monitor: MemoryMonitor, tests: number, body: (index: number) => void, first = 0): void {
  for (let index = first; index < first + tests; index++) {
    monitor.before(`test ${index}`);
    body(index);
    monitor.after();
  }
}

describe('MemoryMonitor', () => {
  it('finds a leak of 100 KB per test within 200 tests in the default mode', () => {
    const retained: number[][] = [];
    const monitor = new MemoryMonitor();
    runSuite(monitor, 200, () => {
      retained.push(heapBlock(100 * KB));
      churn(512 * KB);
    });
    const trend = monitor.trend();
    expect(trend.suspectedLeak).toBe(true);
    expect(trend.slopeBytesPerTest).toBeGreaterThan(100 * KB * 0.85);
    expect(trend.slopeBytesPerTest).toBeLessThan(100 * KB * 1.15);
    expect(trend.r2).toBeGreaterThan(0.9);
    expect(retained).toHaveLength(200);
  });

  it('does not flag a clean suite whose heap only fluctuates', () => {
    // A bounded cache whose entries come and go: the heap swings by megabytes but does not grow.
    const cache: number[][] = [];
    let seed = 7;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    // Half the wall time for GCs: a point every ten tests, as tests slower than these get
    // within the default budget; the verdict, not the budget, is under test here.
    const monitor = new MemoryMonitor({ gcBudget: 0.5 });
    runSuite(monitor, 300, () => {
      cache.push(heapBlock(Math.floor(random() * MB)));
      if (cache.length > 8) cache.splice(Math.floor(random() * cache.length), 1);
      churn(Math.floor(random() * 512 * KB));
    });
    const trend = monitor.trend();
    // Enough points for a verdict (TREND_DEFAULTS.minPoints), and the verdict is no leak.
    expect(trend.points).toBeGreaterThanOrEqual(5);
    expect(trend.suspectedLeak).toBe(false);
  });

  it('does not run a full GC after every test in the default mode', () => {
    const monitor = new MemoryMonitor();
    runSuite(monitor, 400, () => churn(4 * KB));
    const collected = monitor.samples.filter((sample) => sample.gc).length;
    expect(monitor.mode).toBe('auto');
    // Only the budget and real growth ask for a GC; file ends use checkpoint().
    expect(collected).toBeLessThanOrEqual(400 / 10);
    expect(monitor.checkpoint()?.gc).toBe(true);
  });

  // Retried: one fresh-clone CI run in about twenty measured the kept tests about 240 KB short
  // (median 809,160 bytes); 52 runs of this file beside two CPU hogs, on Node 20 and 24, never
  // did, and the cause is not known. A monitor that does not collect, or measures the wrong
  // thing, fails all three attempts.
  it("runs a GC after every test in 'always' mode and measures what each test kept", { retry: 2 }, () => {
    const retained: number[][] = [];
    // Every test runs the same code: with a full GC after every test, V8 flushes the bytecode
    // of a function that has not run for a few GCs and compiles it again when it next runs, which
    // would land a few hundred kilobytes in exactly the tests that keep a block.
    const body = (index: number): void => {
      churn(256 * KB);
      const block = heapBlock(index % 3 === 2 ? MB : 64);
      if (index % 3 === 2) retained.push(block);
    };
    // The earlier tests of this file left tens of megabytes of garbage, and the body's code is
    // not compiled yet: run it a few times first, as any test file does before its later tests.
    const warmUp = new MemoryMonitor({ gc: 'always' });
    runSuite(warmUp, 12, body);
    retained.length = 0;
    const monitor = new MemoryMonitor({ gc: 'always' });
    runSuite(monitor, 30, body);
    const samples = monitor.samples;
    expect(samples.every((sample) => sample.gc)).toBe(true);
    // Bytecode and feedback land on the heap too, now and then: compare medians.
    const kept = median(samples.filter((sample) => sample.index % 3 === 2).map((sample) => sample.deltaBytes));
    const other = median(samples.filter((sample) => sample.index % 3 !== 2).map((sample) => sample.deltaBytes));
    expect(kept).toBeGreaterThan(0.95 * MB);
    expect(kept).toBeLessThan(1.1 * MB);
    expect(Math.abs(other)).toBeLessThan(64 * KB);
    expect(retained).toHaveLength(10);
  });

  it("never collects in 'never' mode and fits the raw readings", () => {
    const monitor = new MemoryMonitor({ gc: 'never' });
    runSuite(monitor, 30, () => churn(8 * KB));
    expect(monitor.samples.some((sample) => sample.gc)).toBe(false);
    expect(monitor.trend().points).toBe(30);
    expect(monitor.checkpoint()?.gc).toBe(false);
  });

  it('reports warn and fail levels on confirmed deltas only', () => {
    const retained: number[][] = [];
    const monitor = new MemoryMonitor({ warnBytes: 2 * MB, failBytes: 6 * MB });
    monitor.before('garbage only');
    churn(8 * MB);
    const garbage = monitor.after();
    monitor.before('keeps 3 MB');
    retained.push(heapBlock(3 * MB));
    const warn = monitor.after();
    monitor.before('keeps 8 MB');
    retained.push(heapBlock(8 * MB));
    const fail = monitor.after();
    expect(garbage.level).toBe('ok');
    expect(warn).toMatchObject({ level: 'warn', gc: true, scope: 'keeps 3 MB' });
    expect(fail).toMatchObject({ level: 'fail', gc: true, scope: 'keeps 8 MB' });
    expect(retained).toHaveLength(2);
  });

  it('names the test where the heap stepped up', () => {
    const retained: number[][] = [];
    const monitor = new MemoryMonitor();
    // Tests of microseconds earn no budgeted GC: file ends (checkpoint) give the points around.
    runSuite(monitor, 30, () => churn(16 * KB));
    monitor.checkpoint();
    runSuite(
      monitor,
      30,
      (index) => {
        churn(16 * KB);
        if (index === 37) retained.push(heapBlock(6 * MB));
      },
      30,
    );
    // The block may still sit in the young generation, where the growth rule cannot see it;
    // the next file end gives the point after it either way.
    monitor.checkpoint();
    const [step] = monitor.trend().steps;
    expect(step).toMatchObject({ scope: 'test 37', index: 37 });
    expect(step!.fromIndex).toBeLessThanOrEqual(37);
    expect(step!.toIndex).toBeGreaterThanOrEqual(37);
    expect(step!.bytes).toBeGreaterThan(5 * MB);
    expect(retained).toHaveLength(1);
  });

  it('keeps the newest samples past maxSamples, dropping the oldest in chunks', () => {
    const monitor = new MemoryMonitor({ gc: 'never', maxSamples: 100 });
    runSuite(monitor, 1000, () => undefined);
    const indexes = monitor.samples.map((sample) => sample.index);
    expect(indexes.length).toBeGreaterThanOrEqual(100);
    expect(indexes.length).toBeLessThanOrEqual(100 + 13);
    expect(indexes.at(-1)).toBe(999);
    expect(indexes).toEqual(Array.from({ length: indexes.length }, (_, k) => 1000 - indexes.length + k));
  });

  it('takes a post-GC point on checkpoint() and records it on the last sample', () => {
    const monitor = new MemoryMonitor({ gcEvery: 1000 });
    expect(monitor.checkpoint()).toBeUndefined();
    runSuite(monitor, 3, () => churn(64 * KB));
    expect(monitor.samples[2]!.gc).toBe(false);
    const point = monitor.checkpoint();
    expect(point).toMatchObject({ index: 2, gc: true });
    expect(monitor.samples[2]!.gc).toBe(true);
  });

  it('samples a zero-length test when after() comes without before()', () => {
    const monitor = new MemoryMonitor();
    const sample = monitor.after();
    expect(sample).toMatchObject({ scope: '(unnamed)', index: 0 });
    expect(sample.rssAfter).toBeGreaterThan(0);
  });

  it('reuses the RSS reading for 500 ms, and reads it afresh after that or after a GC', () => {
    // The monitor's clock is performance.now(): faked, so that the test does not depend on how
    // long the machine takes between two samples.
    vi.useFakeTimers({ toFake: ['performance'] });
    let held: Buffer;
    try {
      const monitor = new MemoryMonitor({ gc: 'never' });
      const first = monitor.after();
      // Resident memory that a fresh reading would see: 64 MiB written page by page.
      held = Buffer.alloc(64 * 1024 * KB, 1);
      vi.advanceTimersByTime(499);
      expect(monitor.after().rssAfter).toBe(first.rssAfter);
      vi.advanceTimersByTime(1);
      expect(monitor.after().rssAfter).toBeGreaterThan(first.rssAfter + 32 * 1024 * KB);
    } finally {
      vi.useRealTimers();
    }
    const always = new MemoryMonitor({ gc: 'always' });
    const before = always.after();
    const more = Buffer.alloc(64 * 1024 * KB, 1);
    const fresh = always.after();
    expect(fresh.gc).toBe(true);
    expect(fresh.rssAfter).toBeGreaterThan(before.rssAfter + 32 * 1024 * KB);
    expect(held.length + more.length).toBe(128 * 1024 * KB);
  });

  it('starts over at index 0 after reset()', () => {
    const monitor = new MemoryMonitor();
    runSuite(monitor, 3, () => undefined);
    monitor.reset();
    expect(monitor.samples).toHaveLength(0);
    monitor.before('again');
    expect(monitor.after().index).toBe(0);
  });

  it('takes no GC for the trend with trend: false, and still confirms a delta against the thresholds', () => {
    const retained: number[][] = [];
    const monitor = new MemoryMonitor({ trend: false, failBytes: 6 * MB });
    // 1 MB kept per test would bring GCs for growth and for points with the trend on.
    runSuite(monitor, 30, () => retained.push(heapBlock(MB)));
    expect(monitor.samples.filter((sample) => sample.gc)).toHaveLength(0);
    expect(monitor.checkpoint({ withinBudget: true })?.gc).toBe(false);
    expect(monitor.trend()).toMatchObject({ points: 0, suspectedLeak: false });
    // From a collected heap: the raw delta that asks for the confirming GC must not be eaten by a
    // scavenge of the earlier tests' garbage during the allocation (Node 24's young generation is
    // twice Node 20's, and holds all of it here).
    expect(forceGc()).toBe(true);
    monitor.before('keeps 16 MB');
    retained.push(heapBlock(16 * MB));
    expect(monitor.after()).toMatchObject({ level: 'fail', gc: true });
    expect(retained).toHaveLength(31);
  });

  it('starts the next test from the reading the last after() took with continueWith()', () => {
    const monitor = new MemoryMonitor({ gc: 'always' });
    monitor.continueWith('first');
    const first = monitor.after();
    monitor.continueWith('second');
    const kept = heapBlock(2 * MB);
    const second = monitor.after();
    expect(second.scope).toBe('second');
    // The post-GC heap the first test ended with, not a fresh reading.
    expect(second.heapUsedBefore).toBe(first.heapUsedAfter);
    expect(second.deltaBytes).toBeGreaterThan(1.5 * MB);
    expect(kept).toHaveLength(MB / 4);
    // A before() in between is a fresh start: continueWith() then reads the heap itself.
    monitor.before('third');
    monitor.continueWith('fourth');
    expect(monitor.after().scope).toBe('fourth');
  });

  it('rejects an unknown gc mode and non-positive sizes', () => {
    const attempts = [
      () => new MemoryMonitor({ gc: 'sometimes' as never }),
      () => new MemoryMonitor({ warnBytes: -1 }),
      () => new MemoryMonitor({ gcEvery: 0 }),
      () => new MemoryMonitor({ trend: 'yes' as never }),
    ];
    for (const attempt of attempts) {
      let caught: unknown;
      try {
        attempt();
      } catch (error) {
        caught = error;
      }
      expect(isCustodianError(caught, 'ERR_INVALID_ARGUMENT')).toBe(true);
    }
  });
});
