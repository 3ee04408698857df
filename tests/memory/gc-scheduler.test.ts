import { describe, expect, it } from 'vitest';
import { GC_ALLOWANCE_MS, GcScheduler, type GcSchedule } from '../../src/memory/gc-scheduler.js';

const KB = 1024;
const MB = 1024 * 1024;

function scheduler(overrides: Partial<GcSchedule> = {}): GcScheduler {
  return new GcScheduler({
    mode: 'auto',
    gcEvery: 10,
    gcBudget: 0.03,
    watermarkBytes: 2 * MB,
    maxWatermarkBytes: 64 * MB,
    warnBytes: Number.POSITIVE_INFINITY,
    leakRateBytes: 8 * KB,
    trend: true,
    ...overrides,
  });
}

interface Drive {
  /** Tests to run. */
  readonly tests: number;
  /** The post-GC (live) heap after test i. */
  readonly liveAt: (index: number) => number;
  /** The old generation after test i, before any GC; flat by default, as when a leak waits in the young generation. */
  readonly oldAt?: (index: number) => number;
  /** Wall time per test; 0 freezes the clock, so the budget never grows past its allowance. */
  readonly msPerTest?: number;
  /** What each GC costs, in ms. */
  readonly gcMs?: number;
}

/** Drives a scheduler through a suite; returns the indexes of the tests followed by a GC. */
function drive({ tests, liveAt, oldAt = () => 20 * MB, msPerTest = 0, gcMs = 5 }: Drive): number[] {
  const gcs: number[] = [];
  const subject = scheduler();
  let now = 1000;
  subject.start(now);
  for (let index = 0; index < tests; index++) {
    now += msPerTest;
    // The raw reading carries 8 MB of young garbage on top of what is live.
    const used = liveAt(index) + 8 * MB;
    if (subject.shouldCollect(used, () => oldAt(index), 0, now)) {
      gcs.push(index);
      subject.collected(liveAt(index), oldAt(index), gcMs);
    }
  }
  return gcs;
}

describe('GcScheduler', () => {
  it('takes a point every gcEvery tests while the allowance lasts, in a small heap', () => {
    // A quarter of the allowance per GC, with the clock frozen: four points, then none.
    const gcs = drive({ tests: 1000, liveAt: () => 8 * MB, gcMs: GC_ALLOWANCE_MS / 4 });
    expect(gcs).toEqual([9, 19, 29, 39]);
  });

  it('takes none in a big heap of tiny tests until the budget has earned one', () => {
    // A runner holding 100 MB of results: a GC costs 50 ms. Tests of 0.05 ms for 20,000 tests
    // earn 3% of 1 s: 30 ms plus the allowance is less than one GC.
    expect(drive({ tests: 20_000, liveAt: () => 100 * MB, msPerTest: 0.05, gcMs: 50 })).toEqual([]);
    // Tests of 1 ms earn one 50 ms GC per 1.67 s of tests, after the first 1 s.
    const slow = drive({ tests: 10_000, liveAt: () => 100 * MB, msPerTest: 1, gcMs: 50 });
    expect(slow.length).toBeGreaterThanOrEqual(5);
    expect(slow.length).toBeLessThanOrEqual(7);
    expect(slow[0]).toBeGreaterThan(900);
  });

  it('collects on old-generation growth at a leak rate whatever it costs', () => {
    // 100 KiB per test reaches the old generation: a GC per 2 MiB watermark, budget or not.
    const gcs = drive({ tests: 200, liveAt: (index) => 100 * MB + index * 100 * KB, oldAt: (index) => 100 * MB + index * 100 * KB, gcMs: 50 });
    expect(gcs.length).toBeGreaterThanOrEqual(8);
    expect(gcs[0]).toBeLessThanOrEqual(Math.ceil((2 * MB) / (100 * KB)));
  });

  it('leaves slow growth, a runner keeping its results, to the budget', () => {
    // 1 KiB per test: no leak verdict can come of it, so it never buys a GC past the budget.
    const gcs = drive({ tests: 20_000, liveAt: (index) => 100 * MB + index * KB, oldAt: (index) => 100 * MB + index * KB, msPerTest: 0.05, gcMs: 50 });
    expect(gcs).toEqual([]);
  });

  it('paces a leak the old generation does not show yet, once two points measured it', () => {
    // 100 KiB per test held in the young generation; tests of 1 ms in a small heap, so the
    // allowance pays the first points and the measured rate paces the rest (one GC per 2 MiB).
    const gcs = drive({ tests: 200, liveAt: (index) => 8 * MB + index * 100 * KB, msPerTest: 1, gcMs: 5 });
    expect(gcs.slice(0, 2)).toEqual([9, 19]);
    const gaps = gcs.slice(2).map((index, k) => index - gcs[k + 1]!);
    expect(gaps.length).toBeGreaterThanOrEqual(8);
    for (const gap of gaps) expect(gap).toBeLessThanOrEqual(Math.ceil((2 * MB) / (100 * KB)));
  });

  it('paces a fast leak sooner than gcEvery', () => {
    // Tests of 10 ms: the budget affords the first two points, which measure the rate.
    const gcs = drive({ tests: 40, liveAt: (index) => 2 * MB + index * MB, msPerTest: 10 });
    // After the first two points measured the rate, a GC every 2 tests (2 MiB watermark).
    expect(gcs.slice(0, 4)).toEqual([9, 19, 21, 23]);
  });

  it('collects right after a fast leak reaches the old generation in a jump', () => {
    // 2.5 MB retained per test, promoted by scavenges every 5 tests (the old generation jumps
    // then): each jump is seen at the test it happens, not a few tests later.
    const perTest = 2.5 * MB;
    const gcs = drive({
      tests: 20,
      liveAt: (index) => 20 * MB + (index + 1) * perTest,
      oldAt: (index) => 20 * MB + Math.floor((index + 1) / 5) * 5 * perTest,
      gcMs: 5,
    });
    expect(gcs.slice(0, 2)).toEqual([4, 9]);
  });

  it('reads the old generation after every test of fast growth, every 8 tests of slow growth', () => {
    const count = (perTest: number): number => {
      const subject = scheduler();
      subject.start(0);
      let reads = 0;
      for (let index = 0; index < 80; index++) {
        const used = 100 * MB + 4 * MB + index * perTest;
        subject.shouldCollect(used, () => (reads++, 100 * MB), 0, 0);
      }
      return reads;
    };
    // A runner keeping 1 KiB per test, past the watermark from the start: every 8 tests.
    expect(count(KB)).toBeLessThanOrEqual(11);
    // 1 MiB per test (a leak's pace): every test.
    expect(count(MB)).toBeGreaterThanOrEqual(79);
  });

  it('answers affordable() for file-end points from the same budget', () => {
    const subject = scheduler();
    subject.start(0);
    expect(subject.affordable(8 * MB, 0)).toBe(true);
    expect(subject.affordable(100 * MB, 0)).toBe(false);
    // 3% of 2 s plus the allowance pays for a GC estimated at 60 ms (0.6 ms per MiB).
    expect(subject.affordable(100 * MB, 2000)).toBe(true);
  });

  it("never paces in 'always' or 'never' mode beyond what the mode says", () => {
    const never = new GcScheduler({ mode: 'never', gcEvery: 1, gcBudget: 1, watermarkBytes: 1, maxWatermarkBytes: 1, warnBytes: 1, leakRateBytes: 1, trend: true });
    expect(never.shouldCollect(100 * MB, () => 100 * MB, 100 * MB, 0)).toBe(false);
    expect(never.affordable(0, 0)).toBe(false);
    const always = new GcScheduler({ mode: 'always', gcEvery: 1000, gcBudget: 0.001, watermarkBytes: MB, maxWatermarkBytes: MB, warnBytes: MB, leakRateBytes: MB, trend: true });
    expect(always.shouldCollect(0, () => 0, 0, 0)).toBe(true);
  });

  it('takes no GC for the trend when trend is off, and still confirms a delta that could reach a threshold', () => {
    const subject = scheduler({ trend: false, warnBytes: 10 * MB });
    subject.start(0);
    let collected = 0;
    // 100 tests, each leaving 1 MB in the old generation, over 10 s: growth, pace and gcEvery
    // would each ask for GCs with the trend on.
    for (let test = 1; test <= 100; test++) {
      if (subject.shouldCollect(test * MB, () => test * MB, MB, test * 100)) collected++;
    }
    expect(collected).toBe(0);
    expect(subject.affordable(MB, 10_000)).toBe(false);
    expect(subject.shouldCollect(200 * MB, () => 200 * MB, 10 * MB, 10_100)).toBe(true);
  });
});
