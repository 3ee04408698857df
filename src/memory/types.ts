/**
 * The shapes the memory monitor hands back: one {@link MemorySample} per test and one
 * {@link MemoryTrend} per suite (or per worker process).
 */

/**
 * When the monitor runs a full garbage collection before reading the heap.
 *
 * - `'auto'` (the default): post-GC points where they matter, not after every test. See
 *   {@link MemoryMonitorOptions.gcEvery}, {@link MemoryMonitorOptions.gcBudget},
 *   {@link MemoryMonitorOptions.watermarkBytes} and {@link MemoryMonitor.checkpoint}.
 * - `'always'`: a full GC after every test. Exact per-test deltas; costs one full GC per test
 *   (about 5 to 15 ms in a test worker, more with a large live heap; the 2,000 trivial tests of
 *   bench/memory run 20 to 30 times slower). Right after a test freed tens of megabytes, V8
 *   finishes sweeping them concurrently over the next GCs, and a delta can read a few hundred
 *   kilobytes low.
 * - `'never'`: raw heap readings only (garbage included); the trend is then a rough one.
 */
export type GcMode = 'auto' | 'always' | 'never';

/** How a test's heap delta compares with the thresholds. */
export type MemoryLevel = 'ok' | 'warn' | 'fail';

/** What the monitor measured around one test. Sizes are bytes. */
export interface MemorySample {
  /** The test's name (whatever was passed to `before()`). */
  readonly scope: string;
  /** The test's position in this monitor's run, from 0. */
  readonly index: number;
  /** V8's used heap when the test started (no GC: garbage from earlier tests included). */
  readonly heapUsedBefore: number;
  /** V8's used heap when the test ended; after a full GC when `gc` is true. */
  readonly heapUsedAfter: number;
  /** The process's resident set size when the test ended (read at most every 500 ms, and after every GC). */
  readonly rssAfter: number;
  /**
   * `heapUsedAfter - heapUsedBefore`. Retained bytes when `gc` is true and the previous test also
   * ended with a GC (always in `'always'` mode), and then without the change in compiled code,
   * which V8 creates and throws away at its own pace; otherwise garbage is included and the
   * figure is noisy.
   */
  readonly deltaBytes: number;
  /** True when `heapUsedAfter` was read right after a full GC. */
  readonly gc: boolean;
  /** `deltaBytes` against `warnBytes` / `failBytes`; only a delta confirmed after a GC reaches `'warn'` or `'fail'`. */
  readonly level: MemoryLevel;
  /** Wall time between `before()` and `after()`, in milliseconds. */
  readonly durationMs: number;
}

/** A place where the post-GC heap stepped up between two post-GC points. */
export interface MemoryStep {
  /** The test most likely responsible: the one with the largest raw delta in the span. */
  readonly scope: string;
  /** Index of that test. */
  readonly index: number;
  /** Index of the first test of the span (the one after the previous post-GC point). */
  readonly fromIndex: number;
  /** Index of the last test of the span (the post-GC point that shows the step). */
  readonly toIndex: number;
  /** How much the post-GC heap grew across the span. */
  readonly bytes: number;
}

/** A suite-level verdict: least squares of the post-GC heap against the test index. */
export interface MemoryTrend {
  /** Tests sampled. */
  readonly samples: number;
  /** Points the regression used (post-GC points; every sample in `'never'` mode). */
  readonly points: number;
  /** Fitted heap growth per test, in bytes (0 with fewer than two points). */
  readonly slopeBytesPerTest: number;
  /** Coefficient of determination of the fit, 0 to 1 (how straight the growth is). */
  readonly r2: number;
  /** The slope fitted over the later half of the points only (a warm-up flattens there, a leak does not). */
  readonly lateSlopeBytesPerTest: number;
  /** The fitted growth across the points' span: `slopeBytesPerTest * (last index - first index)`. */
  readonly growthBytes: number;
  /** True when the heap grows steadily: see {@link TrendOptions} for the rule. */
  readonly suspectedLeak: boolean;
  /** Post-GC heap at the first and last point. */
  readonly firstHeap: number;
  readonly lastHeap: number;
  /** The largest steps up, largest first. */
  readonly steps: readonly MemoryStep[];
}

/** The rule that turns a fit into `suspectedLeak`. Every condition must hold. */
export interface TrendOptions {
  /** Fewest points for a verdict. @default 5 */
  minPoints?: number;
  /** Smallest slope that counts, in bytes per test. @default 16384 (16 KiB) */
  minSlopeBytes?: number;
  /** Smallest r² that counts (a leak grows in a straight line; noise does not). @default 0.6 */
  minR2?: number;
  /** Smallest fitted growth across the run that counts. @default 2097152 (2 MiB) */
  minGrowthBytes?: number;
  /** Smallest step reported in `steps`. @default 262144 (256 KiB) */
  minStepBytes?: number;
  /** Most steps reported. @default 10 */
  maxSteps?: number;
}

/** Options of a {@link MemoryMonitor}. Sizes are bytes. */
export interface MemoryMonitorOptions extends TrendOptions {
  /** When to run a full GC before reading the heap. @default 'auto' */
  gc?: GcMode;
  /**
   * `'auto'`: the fewest tests between two GCs taken for trend points (within `gcBudget`); growth
   * at a leak's rate, measured by the watermark or between post-GC points, triggers sooner.
   * @default 10
   */
  gcEvery?: number;
  /**
   * `'auto'`: the share of wall time (since the first test) that GCs taken for trend points may
   * cost, 0 to 1, on top of a 10 ms allowance; each GC's cost is estimated from the live heap
   * before it runs. This covers the first points, slow growth and the integrations' file-end
   * points. GCs for growth at a leak's rate (half of `minSlopeBytes` per test) and for thresholds
   * come on top. @default 0.03
   */
  gcBudget?: number;
  /**
   * `'auto'`: a GC runs when the old generation grew this much since the last post-GC reading
   * (the starting and smallest watermark; it doubles while growth turns out to be garbage).
   * @default 2097152 (2 MiB)
   */
  watermarkBytes?: number;
  /** `'auto'`: the largest the adaptive watermark gets. @default 67108864 (64 MiB) */
  maxWatermarkBytes?: number;
  /**
   * `'auto'`: whether GCs are taken for the trend (every `gcEvery` tests, on growth, at a file's
   * end). `false` keeps only the GCs that confirm a delta that could reach `warnBytes` or
   * `failBytes`, and `trend()` then has no post-GC points to fit: for a monitor whose trend
   * nobody reads. The integrations pass `false` unless `CUSTODIAN_REPORT` is set (`custodian run`
   * reads the trend from the report). @default true
   *
   * @example
   * ```ts
   * // Thresholds only: a GC when a test may have kept 50 MB, never one for the trend.
   * const monitor = new MemoryMonitor({ trend: false, failBytes: 50 * 1024 * 1024 });
   * ```
   */
  trend?: boolean;
  /** A test whose confirmed delta reaches this is `'warn'`. @default Infinity */
  warnBytes?: number;
  /** A test whose confirmed delta reaches this is `'fail'`. @default Infinity */
  failBytes?: number;
  /** Oldest samples are dropped beyond this many, an eighth of it at a time (the trend then covers the newest). @default 100000 */
  maxSamples?: number;
}
