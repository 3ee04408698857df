import { describe, expect, it } from 'vitest';
import { computeTrend, type TrendSample } from '../../src/memory/trend.js';
import { fitLine } from '../../src/memory/least-squares.js';

const MB = 1024 * 1024;

function line(count: number, heapAt: (index: number) => number, gcEvery = 1): TrendSample[] {
  return Array.from({ length: count }, (_, index) => ({
    index,
    scope: `t${index}`,
    heapUsedAfter: heapAt(index),
    deltaBytes: 0,
    gc: index % gcEvery === gcEvery - 1,
  }));
}

describe('fitLine', () => {
  it('recovers an exact line with r² of 1', () => {
    const fit = fitLine([0, 1, 2, 3], [10, 13, 16, 19]);
    expect(fit.slope).toBeCloseTo(3);
    expect(fit.intercept).toBeCloseTo(10);
    expect(fit.r2).toBeCloseTo(1);
  });

  it('returns a flat fit for a single point or constant x', () => {
    expect(fitLine([5], [7])).toEqual({ slope: 0, intercept: 7, r2: 0 });
    expect(fitLine([2, 2], [1, 3]).slope).toBe(0);
  });
});

describe('computeTrend', () => {
  it('fits post-GC points only when there are some', () => {
    const samples = line(100, (index) => (index % 10 === 9 ? 50 * MB + index * 200_000 : 90 * MB), 10);
    const trend = computeTrend(samples);
    expect(trend.points).toBe(10);
    expect(trend.slopeBytesPerTest).toBeCloseTo(200_000, -2);
    expect(trend.suspectedLeak).toBe(true);
  });

  it('does not call a warm-up that levels off a leak', () => {
    const trend = computeTrend(line(200, (index) => 40 * MB + Math.min(index, 40) * 300_000));
    expect(trend.slopeBytesPerTest).toBeGreaterThan(16 * 1024);
    expect(trend.suspectedLeak).toBe(false);
  });

  it('needs enough points and enough growth', () => {
    expect(computeTrend(line(3, (index) => index * 10 * MB)).suspectedLeak).toBe(false);
    expect(computeTrend(line(50, (index) => 40 * MB + index * 20_000)).suspectedLeak).toBe(false);
  });

  it('pins a step on the test with the largest delta in its span', () => {
    const later = line(30, (index) => (index >= 12 ? 60 * MB : 50 * MB), 5).map((sample) =>
      sample.index === 12 ? { ...sample, deltaBytes: 10 * MB } : sample,
    );
    expect(computeTrend(later).steps).toEqual([{ scope: 't12', index: 12, fromIndex: 10, toIndex: 14, bytes: 10 * MB }]);
  });
});
