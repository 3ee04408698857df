import type { GcMode } from './types.js';

/** The inputs of the `'auto'` policy, resolved from {@link MemoryMonitorOptions}. */
export interface GcSchedule {
  readonly mode: GcMode;
  readonly gcEvery: number;
  readonly gcBudget: number;
  readonly watermarkBytes: number;
  readonly maxWatermarkBytes: number;
  readonly warnBytes: number;
  /**
   * Growth per test, in bytes, from which growth is worth a GC whatever it costs: half the
   * trend's `minSlopeBytes`, below which no leak can be suspected.
   */
  readonly leakRateBytes: number;
  /** Whether GCs are taken for the trend; `false` leaves only threshold confirmations. */
  readonly trend: boolean;
}

/**
 * GC time the budget grants before it has earned anything: enough for the first points of a
 * small heap (a full GC costs about 0.3 to 0.6 ms per MiB of live heap), not for a runner whose
 * heap already holds tens of megabytes of test results.
 */
export const GC_ALLOWANCE_MS = 10;

/** Cost of a full GC per byte of used heap until one was measured (0.6 ms per MiB). */
const FIRST_MS_PER_BYTE = 0.6 / (1024 * 1024);

/** Post-GC points after which steady growth no longer halves the watermark (twice TREND_DEFAULTS.minPoints). */
const ESTABLISHED_POINTS = 10;

/** Tests between readings of the old generation while the used heap stays past the watermark. */
const OLD_READ_EVERY = 8;

/** The longest pace, in multiples of `gcEvery`, while GCs keep finding growth. */
const MAX_PACE_FACTOR = 16;

/**
 * Decides, after each test, whether a full GC is worth its cost. A full GC costs 0.3 to 0.6 ms
 * per MiB of live heap (5 ms in a small worker, 50 ms in a vitest worker that holds the results
 * of 20,000 tests, several times that on a loaded CI machine), while a small test takes well
 * under a millisecond: `'always'` makes a suite of small tests many times slower.
 *
 * In `'auto'` mode the GCs that only add points to the trend share a **time budget**: what they
 * cost so far, plus the estimated cost of the next one (from the last measured cost per byte of
 * heap), must stay within `gcBudget` of the wall time since the first test, plus
 * {@link GC_ALLOWANCE_MS}. Those GCs come:
 *
 * 1. every `gcEvery` tests or more, as the budget allows (a clean suite's "stable" verdict
 *    needs points; a suite of tiny tests in a big heap gets few, and its verdict says so);
 * 2. when the old generation (the heap without the young generation, where short-lived garbage
 *    lives and dies cheaply) grew by the watermark at a rate too slow to be a leak (a runner's
 *    own bookkeeping grows its heap by a kilobyte or two per test).
 *
 * Evidence of a leak is worth a GC whatever it costs:
 *
 * 3. **Growth** — the old generation grew by the current watermark since the last post-GC
 *    reading, at `leakRateBytes` per test or more. The watermark adapts: when a GC shows the
 *    growth was mostly garbage (less than a quarter retained), it doubles, up to
 *    `maxWatermarkBytes`; when it was mostly retained, it halves back towards `watermarkBytes`;
 *    once ten points are established it only doubles.
 * 4. **Pace** — while post-GC readings grow at `leakRateBytes` per test or more from one point to
 *    the next, the next GC comes after the number of tests that should grow the heap by
 *    `watermarkBytes`. Retained objects sit in the young generation until a scavenge promotes
 *    them, once per young generation's worth of allocation (16 MiB semi-spaces on Node 20, 32 MiB
 *    on Node 24): a suite that allocates half a megabyte per test promotes its leak in jumps 30 to
 *    100 tests apart, and the old generation alone can stay flat for a whole file. Post-GC readings
 *    do not depend on the young generation, so the pace measures growth the watermark cannot see yet.
 * 5. **Threshold** — the raw delta of the test reached `warnBytes`: a threshold only trips on a
 *    delta confirmed after a GC.
 *
 * The cost is therefore about `gcBudget` of the run, plus one GC per watermark of growth that
 * could be a leak, which is when the points are worth it.
 */
export class GcScheduler {
  readonly #schedule: GcSchedule;
  #testsSinceGc = 0;
  #gcTimeMs = 0;
  #gcCount = 0;
  #msPerByte = FIRST_MS_PER_BYTE;
  #startedAt: number | undefined;
  #lastPostGcOld: number | undefined;
  #lastPostGcUsed: number | undefined;
  #watermark: number;
  #oldAtTrigger: number | undefined;
  #pace: number | undefined;
  /** Tests until the old generation is read again after a reading that triggered no GC. */
  #oldReadIn = 0;
  /** The used heap when the old generation was last read. */
  #usedAtOldRead = 0;

  constructor(schedule: GcSchedule) {
    this.#schedule = schedule;
    this.#watermark = schedule.watermarkBytes;
  }

  /** Total time spent in GCs this scheduler asked for, in milliseconds. */
  get gcTimeMs(): number {
    return this.#gcTimeMs;
  }

  /** The growth that triggers the next GC, in bytes. */
  get watermarkBytes(): number {
    return this.#watermark;
  }

  /** Notes the start of the run (the budget's wall time counts from the first test). */
  start(now: number): void {
    this.#startedAt ??= now;
  }

  /**
   * Whether the test that just ended should be followed by a full GC. `readOld` reads the old
   * generation; it is called only when the used heap grew by the watermark (the old generation
   * cannot have grown more than the whole heap).
   */
  shouldCollect(used: number, readOld: () => number, rawDelta: number, now: number): boolean {
    const { mode } = this.#schedule;
    this.#testsSinceGc++;
    this.#oldAtTrigger = undefined;
    if (mode === 'always') return true;
    if (mode === 'never') return false;
    if (rawDelta >= this.#schedule.warnBytes) return true;
    if (!this.#schedule.trend) return false;
    // The first reading is the reference without a GC of its own: garbage in it only delays
    // the first growth trigger, and a short file does not pay for a GC it cannot use.
    if (this.#lastPostGcUsed === undefined) {
      this.#lastPostGcUsed = used;
      this.#lastPostGcOld = readOld();
    }
    let grew = false;
    // Reading the old generation costs a microsecond and some garbage. Once the used heap stays
    // past the watermark while growing slowly (a runner keeping every test's result), it is read
    // every few tests; heap growing fast, as a leak's does, is looked at after every test.
    if (used - this.#lastPostGcUsed >= this.#watermark && (--this.#oldReadIn <= 0 || used - this.#usedAtOldRead >= this.#watermark / 8)) {
      const old = readOld();
      const growth = old - this.#lastPostGcOld!;
      this.#oldReadIn = OLD_READ_EVERY;
      this.#usedAtOldRead = used;
      if (growth >= this.#watermark) {
        this.#oldAtTrigger = old;
        if (growth / this.#testsSinceGc >= this.#schedule.leakRateBytes) return true;
        grew = true;
      }
    }
    if (this.#pace !== undefined && this.#testsSinceGc >= this.#pace) return true;
    return (grew || this.#testsSinceGc >= this.#schedule.gcEvery) && this.affordable(used, now);
  }

  /**
   * Whether one more GC fits the time budget now: what the scheduler's GCs cost so far plus
   * the estimated cost of the next one, against `gcBudget` of the wall time since the first test
   * plus {@link GC_ALLOWANCE_MS}. Also used for the post-GC point at a file's end.
   */
  affordable(used: number, now: number): boolean {
    if (this.#schedule.mode !== 'auto') return this.#schedule.mode === 'always';
    if (!this.#schedule.trend) return false;
    const elapsed = now - (this.#startedAt ?? now);
    // Marking costs what is live, not the garbage: estimate from the last post-GC heap once known.
    const live = this.#gcCount > 0 ? this.#lastPostGcUsed! : used;
    return this.#gcTimeMs + live * this.#msPerByte <= this.#schedule.gcBudget * elapsed + GC_ALLOWANCE_MS;
  }

  /** Records a GC that ran: its cost and the heap it left; adapts the watermark after a growth trigger. */
  collected(used: number, oldGeneration: number, costMs: number): void {
    const previous = this.#lastPostGcOld;
    const before = this.#oldAtTrigger;
    if (previous !== undefined && before !== undefined && before - previous >= this.#watermark) {
      const retained = (oldGeneration - previous) / (before - previous);
      // Once the trend has its points, steady retained growth (a leak, or the runner keeping every
      // test's result) needs no GC per 2 MiB any more: the watermark backs off as for garbage.
      const established = this.#gcCount >= ESTABLISHED_POINTS;
      if (retained < 0.25 || established) this.#watermark = Math.min(this.#watermark * 2, this.#schedule.maxWatermarkBytes);
      else if (retained >= 0.5) this.#watermark = Math.max(this.#watermark / 2, this.#schedule.watermarkBytes);
    }
    // The marking cost follows the live heap: the next estimate scales with the heap then.
    if (used > 0 && costMs > 0) this.#msPerByte = costMs / used;
    this.#pace = this.#nextPace(used);
    this.#testsSinceGc = 0;
    this.#oldReadIn = 0;
    this.#gcCount++;
    this.#gcTimeMs += costMs;
    this.#lastPostGcOld = oldGeneration;
    this.#lastPostGcUsed = used;
    this.#oldAtTrigger = undefined;
  }

  /**
   * The tests until the next paced GC, from the growth between the last two post-GC readings:
   * undefined (no pacing) when the heap did not grow at a rate that could be a leak.
   */
  #nextPace(used: number): number | undefined {
    const { gcEvery, watermarkBytes, leakRateBytes } = this.#schedule;
    // Called before this GC is recorded: the last post-GC reading is the previous GC's.
    if (this.#gcCount === 0 || this.#testsSinceGc === 0) return undefined;
    const perTest = (used - this.#lastPostGcUsed!) / this.#testsSinceGc;
    if (perTest < leakRateBytes) return undefined;
    return Math.min(Math.max(1, Math.ceil(watermarkBytes / perTest)), gcEvery * MAX_PACE_FACTOR);
  }
}
