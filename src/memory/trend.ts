import { fitLine } from './least-squares.js';
import type { MemoryStep, MemoryTrend, TrendOptions } from './types.js';

/** The fields of a sample the trend needs (a {@link MemorySample}, or a test line of the CLI's report). */
export interface TrendSample {
  readonly index: number;
  readonly scope: string;
  readonly heapUsedAfter: number;
  readonly deltaBytes: number;
  readonly gc: boolean;
}

/** The defaults of {@link TrendOptions}, documented there. */
export const TREND_DEFAULTS: Required<TrendOptions> = {
  minPoints: 5,
  minSlopeBytes: 16 * 1024,
  minR2: 0.6,
  minGrowthBytes: 2 * 1024 * 1024,
  minStepBytes: 256 * 1024,
  maxSteps: 10,
};

/**
 * Least squares of the post-GC heap against the test index, and the verdict.
 *
 * Only post-GC points are fitted (garbage makes raw readings swing by tens of megabytes);
 * every reading is used, and the fit is rough, only with `rawFallback` (the monitor passes it in
 * `'never'` mode), which by default holds when no sample has a post-GC point at all. With one
 * post-GC point and no fallback there is nothing to fit: too early to tell, never a false alarm.
 * A leak is suspected when the slope, its r², the fitted growth across the run and the slope
 * over the later half of the points all clear their thresholds: the last condition keeps a
 * warm-up (caches and compiled code filling in, then flat) from reading as a leak.
 */
export function computeTrend(samples: readonly TrendSample[], options: TrendOptions = {}, source: { rawFallback?: boolean } = {}): MemoryTrend {
  const rule = { ...TREND_DEFAULTS, ...stripUndefined(options) };
  const postGc = samples.filter((sample) => sample.gc);
  const rawFallback = source.rawFallback ?? postGc.length === 0;
  const points = postGc.length >= 2 || !rawFallback ? postGc : samples;
  const xs = points.map((point) => point.index);
  const ys = points.map((point) => point.heapUsedAfter);
  const fit = fitLine(xs, ys);
  const late = points.slice(Math.floor(points.length / 2));
  const lateFit = fitLine(
    late.map((point) => point.index),
    late.map((point) => point.heapUsedAfter),
  );
  const span = points.length >= 2 ? xs[xs.length - 1]! - xs[0]! : 0;
  const growthBytes = fit.slope * span;
  const suspectedLeak =
    points.length >= rule.minPoints &&
    fit.slope >= rule.minSlopeBytes &&
    fit.r2 >= rule.minR2 &&
    growthBytes >= rule.minGrowthBytes &&
    lateFit.slope >= rule.minSlopeBytes / 2;
  return {
    samples: samples.length,
    points: points.length,
    slopeBytesPerTest: fit.slope,
    r2: fit.r2,
    lateSlopeBytesPerTest: lateFit.slope,
    growthBytes,
    suspectedLeak,
    firstHeap: ys[0] ?? 0,
    lastHeap: ys[ys.length - 1] ?? 0,
    steps: findSteps(samples, points, rule.minStepBytes, rule.maxSteps),
  };
}

/**
 * Between two consecutive post-GC points the heap grew by `bytes`: the step is pinned on the
 * test of the span with the largest raw delta (exact when the span is one test).
 */
function findSteps(
  samples: readonly TrendSample[],
  points: readonly TrendSample[],
  minStepBytes: number,
  maxSteps: number,
): MemoryStep[] {
  const byIndex = new Map(samples.map((sample) => [sample.index, sample]));
  const steps: MemoryStep[] = [];
  for (let k = 1; k < points.length; k++) {
    const previous = points[k - 1]!;
    const current = points[k]!;
    const bytes = current.heapUsedAfter - previous.heapUsedAfter;
    if (bytes < minStepBytes) continue;
    let culprit = current;
    for (let index = previous.index + 1; index <= current.index; index++) {
      const sample = byIndex.get(index);
      if (sample && sample.deltaBytes > culprit.deltaBytes) culprit = sample;
    }
    steps.push({ scope: culprit.scope, index: culprit.index, fromIndex: previous.index + 1, toIndex: current.index, bytes });
  }
  return steps.sort((a, b) => b.bytes - a.bytes).slice(0, maxSteps);
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as Partial<T>;
}
