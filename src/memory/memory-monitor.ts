import { getHeapSpaceStatistics, getHeapStatistics } from 'node:v8';
import { CustodianRangeError, CustodianTypeError } from '../errors.js';
import { logger } from '../_internal/debug.js';
import { collectForReading } from './collect.js';
import { GcScheduler } from './gc-scheduler.js';
import { computeTrend, TREND_DEFAULTS } from './trend.js';
import type { GcMode, MemoryLevel, MemoryMonitorOptions, MemorySample, MemoryTrend, TrendOptions } from './types.js';

const debug = logger('memory');
const GC_MODES: readonly GcMode[] = ['auto', 'always', 'never'];
const RSS_INTERVAL_MS = 500;

interface Pending {
  scope: string;
  readonly heap: number;
  /** Compiled code on the heap at the start, read only when the start is a post-GC reading. */
  readonly code: number | undefined;
  readonly startedAt: number;
}

/**
 * Samples the heap around every test and fits a suite-level trend.
 *
 * `before(scope)` reads the heap (about 0.2 µs); `after()` reads it again with the RSS, runs a
 * full GC when the mode says so, and returns the {@link MemorySample}. `trend()` fits the
 * post-GC points. The monitor never throws from `after()`: thresholds are reported through
 * `sample.level`, and the caller (cleanupAll, an integration) decides whether that fails the test.
 *
 * Calling `after()` without a matching `before()` samples a zero-length test; calling
 * `before()` twice keeps the second call.
 *
 * @example
 * ```ts
 * const monitor = new MemoryMonitor({ failBytes: 50 * 1024 * 1024 });
 * beforeEach((context) => monitor.before(context.task.name));
 * afterEach(() => {
 *   const sample = monitor.after();
 *   if (sample.level === 'fail') throw new Error(`${sample.scope} kept ${sample.deltaBytes} bytes`);
 * });
 * afterAll(() => console.log(monitor.trend()));
 * ```
 */
export class MemoryMonitor {
  readonly #options: Required<Omit<MemoryMonitorOptions, keyof TrendOptions | 'trend'>>;
  readonly #trendOptions: TrendOptions;
  readonly #scheduler: GcScheduler;
  #samples: MemorySample[] = [];
  #pending: Pending | undefined;
  #next = 0;
  #lastEndedWithGc = false;
  #lastRss = 0;
  #rssReadAt: number | undefined;
  /** The heap reading and time of the last `after()`, until `continueWith()` uses them. */
  #lastEnd: { readonly heap: number; readonly at: number } | undefined;

  constructor(options: MemoryMonitorOptions = {}) {
    const gc = options.gc ?? 'auto';
    if (!GC_MODES.includes(gc)) {
      throw new CustodianTypeError(`MemoryMonitor gc must be 'auto', 'always' or 'never', got ${JSON.stringify(gc)}`);
    }
    if (options.trend !== undefined && typeof options.trend !== 'boolean') {
      throw new CustodianTypeError(`MemoryMonitor trend must be true or false, got ${JSON.stringify(options.trend)}`);
    }
    this.#options = {
      gc,
      gcEvery: positive(options.gcEvery, 10, 'gcEvery'),
      gcBudget: positive(options.gcBudget, 0.03, 'gcBudget'),
      watermarkBytes: positive(options.watermarkBytes, 2 * 1024 * 1024, 'watermarkBytes'),
      maxWatermarkBytes: positive(options.maxWatermarkBytes, 64 * 1024 * 1024, 'maxWatermarkBytes'),
      warnBytes: positive(options.warnBytes, Number.POSITIVE_INFINITY, 'warnBytes'),
      failBytes: positive(options.failBytes, Number.POSITIVE_INFINITY, 'failBytes'),
      maxSamples: positive(options.maxSamples, 100_000, 'maxSamples'),
    };
    this.#trendOptions = options;
    this.#scheduler = new GcScheduler({
      mode: gc,
      gcEvery: this.#options.gcEvery,
      gcBudget: this.#options.gcBudget,
      watermarkBytes: this.#options.watermarkBytes,
      maxWatermarkBytes: Math.max(this.#options.maxWatermarkBytes, this.#options.watermarkBytes),
      // A delta that could reach either threshold is confirmed by a GC before it is reported.
      warnBytes: Math.min(this.#options.warnBytes, this.#options.failBytes),
      leakRateBytes: (options.minSlopeBytes ?? TREND_DEFAULTS.minSlopeBytes) / 2,
      trend: options.trend !== false,
    });
  }

  /** The GC mode in effect. */
  get mode(): GcMode {
    return this.#options.gc;
  }

  /** Milliseconds spent in the full GCs this monitor ran. */
  get gcTimeMs(): number {
    return this.#scheduler.gcTimeMs;
  }

  /** The samples so far, oldest first (a copy). */
  get samples(): readonly MemorySample[] {
    return [...this.#samples];
  }

  /** Whether a test started with `before()` has not ended yet. */
  get measuring(): boolean {
    return this.#pending !== undefined;
  }

  /**
   * Names the test being measured, for runners where the name is only known once it ran (the
   * integrations start measuring the next test when the previous one is cleaned up).
   */
  label(scope: string): void {
    if (this.#pending !== undefined) this.#pending.scope = String(scope);
  }

  /** Marks the start of a test. */
  before(scope: string): void {
    const now = performance.now();
    this.#scheduler.start(now);
    // Right after a post-GC reading (the 'always' mode, or after a checkpoint) the delta can be
    // exact, except for compiled code: V8 optimises and throws away code at its own pace, which
    // moves the heap by a couple of hundred kilobytes back and forth between tests that keep
    // nothing. Reading the code spaces costs about 1.5 µs, so only then.
    const heap = usedHeap();
    const code = this.#lastEndedWithGc ? codeSpaces() : undefined;
    this.#pending = { scope: String(scope), heap, code, startedAt: now };
    this.#lastEnd = undefined;
  }

  /**
   * `before(scope)` from the reading the last `after()` took, when nothing ran in between (the
   * integrations start measuring the next test as they finish cleaning up the previous one): it
   * saves reading the heap again, and after a GC the start is the post-GC heap. Without such a
   * reading it is `before(scope)`.
   * @internal
   */
  continueWith(scope: string): void {
    const last = this.#lastEnd;
    if (last === undefined) return this.before(scope);
    this.#lastEnd = undefined;
    this.#pending = { scope, heap: last.heap, code: this.#lastEndedWithGc ? codeSpaces() : undefined, startedAt: last.at };
  }

  /** Marks the end of the test started by `before()` and returns what it did to memory. */
  after(): MemorySample {
    const ended = performance.now();
    const used = usedHeap();
    const pending = this.#pending ?? { scope: '(unnamed)', heap: used, code: undefined, startedAt: ended };
    this.#pending = undefined;
    this.#scheduler.start(pending.startedAt);
    let heapAfter = used;
    let gc = false;
    let codeDelta = 0;
    if (this.#scheduler.shouldCollect(used, oldGeneration, used - pending.heap, ended)) {
      const cost = this.#collect();
      if (cost !== undefined) {
        heapAfter = usedHeap();
        gc = true;
        this.#scheduler.collected(heapAfter, oldGeneration(), cost);
        if (pending.code !== undefined) codeDelta = codeSpaces() - pending.code;
      }
    }
    const deltaBytes = heapAfter - pending.heap - codeDelta;
    const sample: MemorySample = {
      scope: pending.scope,
      index: this.#next++,
      heapUsedBefore: pending.heap,
      heapUsedAfter: heapAfter,
      rssAfter: this.#rss(gc, ended),
      deltaBytes,
      gc,
      // Only a delta read after a GC is evidence; a raw one is mostly garbage.
      level: gc ? this.#level(deltaBytes) : 'ok',
      durationMs: ended - pending.startedAt,
    };
    this.#lastEndedWithGc = gc;
    this.#lastEnd = { heap: heapAfter, at: ended };
    this.#push(sample);
    if (sample.level !== 'ok') debug('%s: %s kept %d bytes', sample.level, sample.scope, deltaBytes);
    return sample;
  }

  /**
   * Takes a post-GC point now (for example at the end of a test file), unless the last test
   * already ended with one. The point is recorded on the last sample, which is returned
   * (undefined before the first test, or when the runtime refused to GC); never in `'never'`
   * mode. `withinBudget: true` takes it only when the `'auto'` time budget affords it: the
   * integrations call it so at every file end, where a file of tiny tests in a big heap would
   * otherwise pay more for the GC than for its tests.
   */
  checkpoint(options: { withinBudget?: boolean } = {}): MemorySample | undefined {
    const last = this.#samples[this.#samples.length - 1];
    if (!last || this.#lastEndedWithGc || this.#options.gc === 'never') return last;
    if (options.withinBudget === true && !this.#scheduler.affordable(usedHeap(), performance.now())) return last;
    const cost = this.#collect();
    if (cost === undefined) return last;
    const heapAfter = usedHeap();
    this.#scheduler.collected(heapAfter, oldGeneration(), cost);
    const updated: MemorySample = {
      ...last,
      heapUsedAfter: heapAfter,
      deltaBytes: heapAfter - last.heapUsedBefore,
      rssAfter: this.#rss(true),
      gc: true,
      level: this.#level(heapAfter - last.heapUsedBefore),
    };
    this.#samples[this.#samples.length - 1] = updated;
    this.#lastEndedWithGc = true;
    this.#lastEnd = undefined;
    return updated;
  }

  /** Least squares of the post-GC heap against the test index, with the verdict and the steps. */
  trend(): MemoryTrend {
    // Raw readings swing with garbage by tens of megabytes: they are fitted only when no GC can
    // ever give a point ('never'); otherwise too few post-GC points means too early to tell.
    return computeTrend(this.#samples, this.#trendOptions, { rawFallback: this.#options.gc === 'never' });
  }

  /** Forgets every sample (a new run starts at index 0). */
  reset(): void {
    this.#samples = [];
    this.#pending = undefined;
    this.#next = 0;
    this.#lastEndedWithGc = false;
    this.#lastEnd = undefined;
  }

  /**
   * Reading the RSS costs 10 to 100 µs (a /proc read on Linux; 60 to 540 µs measured in a vitest
   * fork on a 2-core VM), more than the rest of a sample: it is read at most every 500 ms, the
   * interval at which the CLI samples the whole process tree (what the report's RSS figures come
   * from), and always after a GC.
   */
  #rss(fresh: boolean, now = performance.now()): number {
    if (fresh || this.#rssReadAt === undefined || now - this.#rssReadAt >= RSS_INTERVAL_MS) {
      this.#lastRss = process.memoryUsage.rss();
      this.#rssReadAt = now;
    }
    return this.#lastRss;
  }

  #collect(): number | undefined {
    return collectForReading();
  }

  #level(deltaBytes: number): MemoryLevel {
    if (deltaBytes >= this.#options.failBytes) return 'fail';
    if (deltaBytes >= this.#options.warnBytes) return 'warn';
    return 'ok';
  }

  #push(sample: MemorySample): void {
    this.#samples.push(sample);
    // Dropping one sample per test would move the whole array every test (quadratic past the
    // limit): drop an eighth of the limit at once, keeping at least maxSamples.
    const max = this.#options.maxSamples;
    if (this.#samples.length > max + Math.ceil(max / 8)) this.#samples.splice(0, this.#samples.length - max);
  }
}

/** V8's used heap (about 0.7 µs). */
function usedHeap(): number {
  return getHeapStatistics().used_heap_size;
}

/** Compiled code on the heap (the code spaces), about 1.5 µs. */
function codeSpaces(): number {
  let code = 0;
  for (const space of getHeapSpaceStatistics()) {
    if (space.space_name === 'code_space' || space.space_name === 'code_large_object_space') code += space.space_used_size;
  }
  return code;
}

/**
 * The old generation: the used heap without the young generation, where most garbage is born
 * and dies in cheap scavenges. About 1.5 µs and a little garbage, so it is read only when the
 * used heap alone could have crossed the watermark.
 */
function oldGeneration(): number {
  let used = 0;
  let young = 0;
  for (const space of getHeapSpaceStatistics()) {
    used += space.space_used_size;
    if (space.space_name === 'new_space' || space.space_name === 'new_large_object_space') young += space.space_used_size;
  }
  return used - young;
}

function positive(value: number | undefined, fallback: number, what: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || Number.isNaN(value) || value <= 0) {
    throw new CustodianRangeError(`MemoryMonitor ${what} must be a positive number, got ${String(value)}`);
  }
  return value;
}
