import { appendFileSync } from 'node:fs';
import { logger } from '../_internal/debug.js';
import { globalsUnchanged, resetGlobals } from '../globals/reset-globals.js';
import { markClean } from '../globals/clean-state.js';
import { getGlobalsBaseline, setGlobalsBaseline } from '../globals/snapshot.js';
import { namesChangedBetween } from '../globals/restore-properties.js';
import type { GlobalsSnapshot } from '../globals/types.js';
import { setActiveTracker } from '../leaks/current.js';
import { trackHandles, type HandleTracker } from '../leaks/handle-tracker.js';
import { LeakDetectedError } from '../leaks/leak-error.js';
import type { LeakInfo } from '../leaks/types.js';
import { getMemoryMonitor } from '../memory/global-monitor.js';
import type { MemoryMonitor } from '../memory/memory-monitor.js';
import { isThenable } from '../_internal/thenable.js';
import { cleanupAllNow } from '../lifecycle/cleanup-all.js';
import { currentOptions } from '../lifecycle/configure.js';
import { LifecycleError } from '../lifecycle/lifecycle-error.js';
import type { LifecycleReport } from '../lifecycle/types.js';
import type { DisposeOutcome } from '../registry/types.js';

/**
 * The framework-agnostic half of every integration: one session per test file. The thin
 * entries (vitest, jest, mocha, node-test) only translate their framework's hooks into
 * `start()`, `beginTest()` (where a per-test hook is cheap), `endTest()` and `finish()`.
 */

const log = logger('leaks');
const NO_LEAKS: readonly LeakInfo[] = Object.freeze([]);

/** How an entry tells the session which test is running. */
export interface SessionOptions {
  /** The test file, for the report and as the name of the file scope. */
  readonly file: string;
  /**
   * Reads the running test when a handle is created (see `trackHandles({ currentTest })`), for
   * frameworks where a `beforeEach` costs too much. `undefined` outside tests, and for tests
   * that run concurrently (they cannot be told apart: their handles go to the file scope).
   */
  readonly currentTest?: () => unknown;
  /** Names what `currentTest` returns. */
  readonly testName?: (key: unknown) => string;
}

/** What a session found in one test, or at the end of the file. */
interface Finding {
  readonly name: string;
  readonly leaks: readonly LeakInfo[];
  readonly cleanupFailures: number;
}

function outcomeJson(outcome: DisposeOutcome): Record<string, unknown> {
  const error = outcome.error instanceof Error ? outcome.error.message : outcome.error === undefined ? undefined : String(outcome.error);
  return { id: outcome.id, kind: outcome.kind, name: outcome.name, durationMs: outcome.durationMs, ...(error ? { error } : {}) };
}

function cleanupJson(report: LifecycleReport): Record<string, unknown> {
  const registry = report.registry;
  return {
    ok: report.ok,
    disposed: registry?.disposed.map(outcomeJson) ?? [],
    forced: registry?.forced.map(outcomeJson) ?? [],
    failed: registry?.failed.map(outcomeJson) ?? [],
    timedOut: registry?.timedOut.map(outcomeJson) ?? [],
    ...(report.failed.length > 0 ? { failedSteps: report.failed.map((step) => step.step) } : {}),
  };
}

/** One test file's worth of custodian: leak tracking, cleanup after each test, the summary, the report lines. */
export class TestSession {
  readonly #file: string;
  readonly #options: SessionOptions;
  readonly #reportFile: string | undefined;
  #tracker: HandleTracker | undefined;
  #findings: Finding[] = [];
  #testStart = 0;
  #running = 0;
  #overlapping = false;
  #heapBefore = 0;
  #memory: MemoryMonitor | undefined;
  #globalsAtEnd: string[] | undefined;
  /** Whether the last report line carries a raw (not post-GC) heap reading. */
  #lastLineRaw = false;
  /** The globals as the file found them; the end of the file puts them back. */
  #fileBaseline: GlobalsSnapshot | undefined;

  constructor(options: SessionOptions) {
    this.#options = options;
    this.#file = options.file;
    this.#reportFile = process.env.CUSTODIAN_REPORT || undefined;
  }

  /**
   * Starts tracking (unless leaks are `'off'`) and takes the globals baseline, in that order:
   * the tracker's probes are part of the baseline, so the globals reset leaves them in place.
   */
  start(): void {
    const options = currentOptions();
    if (options.leaks !== 'off') {
      this.#tracker = trackHandles({
        stacks: options.stacks,
        ignore: options.ignore,
        scope: this.#file,
        ...(this.#options.currentTest ? { currentTest: this.#options.currentTest } : {}),
        ...(this.#options.testName ? { testName: this.#options.testName } : {}),
      });
      setActiveTracker(this.#tracker);
    }
    if (options.memory !== false) {
      // One monitor per process (both builds, every file of a worker share it): the trend spans
      // the files a worker runs, which is where growth across files shows. Its GCs for trend
      // points are only worth their cost when `custodian run` reads the trend from the report.
      this.#memory = getMemoryMonitor({
        gc: options.memory.gc,
        warnBytes: options.memory.warnBytes,
        failBytes: options.memory.failBytes,
        trend: this.#reportFile !== undefined,
      });
    }
    // vitest and node:test give every test an AbortSignal: the first test would turn Node 20's
    // lazy AbortController global into a data property, a change of globalThis that sends that
    // test's reset through the exact walk. Turned now, it is part of the baseline (a call: the
    // bundler drops a bare read of a known global).
    Reflect.get(globalThis, 'AbortController');
    this.#takeBaseline();
    this.#fileBaseline = getGlobalsBaseline();
    this.#markStart();
  }

  #takeBaseline(): void {
    setGlobalsBaseline();
    // The state is the baseline this instant: recorded as clean, so the next test's reset goes
    // through the cheap check rather than the exact walk.
    const baseline = getGlobalsBaseline()!;
    markClean(baseline, currentOptions().globals.ignore, baseline.globals);
  }

  /**
   * A test is about to start. What changed in the globals since the last reset was set up
   * outside any test (by the file's module code, a `beforeAll` hook, a setup file listed after
   * the integration's): the tests that follow start from it, so it becomes the baseline instead
   * of being taken back after this test. One cheap check when nothing changed; `beginTest()`
   * calls it, and the vitest integration when the first test of a suite starts (its `beforeAll`
   * hooks have just run). The end of the file puts back the globals as the file found them.
   * Never while a test started with `beginTest()` runs: what a concurrent test changed is its own.
   */
  adoptSetup(): void {
    if (this.#fileBaseline === undefined || this.#running > 0 || globalsUnchanged(currentOptions().globals.ignore)) return;
    this.#takeBaseline();
  }

  /**
   * Starts a test explicitly (for frameworks whose `beforeEach` is cheap). When it overlaps a
   * test that has not ended (concurrent tests), neither can be told apart any more: from then
   * on handles go to the file scope, and the overlapping tests skip their own leak check (the
   * end-of-file check reports what they left, never under a wrong name). `attributable: false`
   * does the same for a test known to run concurrently.
   */
  beginTest(name: string, options: { attributable?: boolean } = {}): void {
    this.adoptSetup();
    if (this.#running++ === 0 && options.attributable !== false) {
      this.#tracker?.begin(name);
    } else {
      this.#overlapping = true;
      this.#tracker?.suspend();
    }
    this.#markStart();
  }

  /**
   * Ends a test: `cleanupAll()`, then the leak check of what the test left open (closed under
   * `'dispose'` and `'fail'`), then the report line. Rejects with the `LifecycleError` when the
   * cleanup failed, or with a `LeakDetectedError` under `leaks: 'fail'`. `checkLeaks: false`
   * skips the leak check (a concurrent test: its handles are checked at the end of the file).
   * `failed` is the test's own outcome where the framework tells it in an after-hook (the
   * report line's `status`); left out, the line says `failed` only when custodian failed it.
   */
  endTest(name: string, options: { checkLeaks?: boolean; failed?: boolean } = {}): void | Promise<void> {
    const overlapped = this.#overlapping;
    if (this.#running > 0 && --this.#running === 0) this.#overlapping = false;
    // A test that overlapped another, or one the entry says runs concurrently, must not be
    // checked: what it created is reported by the end-of-file check, never under a wrong name.
    if ((overlapped || options.checkLeaks === false) && this.#tracker?.currentTest !== undefined) this.#tracker.suspend();
    // The memory sample started when the previous test was cleaned up; it gets its name now.
    this.#memory?.label(name);
    // cleanupAll() runs the leak check of the running test and ends its memory sample. When no
    // step has anything to wait for (the common case), it returns at once and this hook stays
    // synchronous, which the runners charge less for than a promise.
    const lifecycle = cleanupAllNow();
    if (isThenable(lifecycle)) return Promise.resolve(lifecycle).then((report) => this.#ended(name, report, options.failed));
    this.#ended(name, lifecycle, options.failed);
  }

  /** The rest of `endTest()`, once the cleanup is done: findings, the report line, the outcome. */
  #ended(name: string, lifecycle: LifecycleReport, failed: boolean | undefined): void {
    const mode = currentOptions().leaks;
    const leaks = lifecycle.leaks?.leaks ?? NO_LEAKS;
    // A leak under 'fail' is reported as a LeakDetectedError below, not as a cleanup failure.
    const failures = lifecycle.failed.length === 0 ? lifecycle.failed : lifecycle.failed.filter((step) => step.step !== 'leaks');
    if (leaks.length > 0 || failures.length > 0) this.#findings.push({ name, leaks, cleanupFailures: failures.length });
    // custodian fails the test itself when the cleanup failed or, under 'fail', it leaked.
    const failedByCustodian = failures.length > 0 || (mode === 'fail' && leaks.length > 0);
    if (this.#reportFile !== undefined) {
      const status = failedByCustodian || failed === true ? 'failed' : failed === false ? 'passed' : undefined;
      this.#writeLine(name, leaks, lifecycle, status);
    }
    this.#markStart(true);
    if (failures.length > 0) throw new LifecycleError(lifecycle);
    if (mode === 'fail' && leaks.length > 0) throw new LeakDetectedError({ scope: name, leaks: [...leaks] });
  }

  /**
   * Ends the file: the end-of-file leak check (what `beforeAll` created and nothing closed, and
   * anything a test created after it ended), the summary on stderr when there is something to
   * say, and the tracker stopped. Never throws: the file's tests have already been reported.
   * `fileScope: false` leaves out what was created outside tests (see `EndOptions.fileScope`).
   */
  async finish(options: { fileScope?: boolean } = {}): Promise<void> {
    // A post-GC point at the file end when the GC budget affords it: the trend's anchor. The
    // last test's line is written already: the CLI applies the point to it. Without a report
    // there is no reader for it (a user's own afterAll runs before this one), and the GC costs
    // up to tens of milliseconds in a worker that holds many tests' results.
    if (this.#reportFile !== undefined) {
      const point = this.#memory?.checkpoint({ withinBudget: true });
      if (point?.gc === true && this.#lastLineRaw) {
        this.#append({ type: 'checkpoint', file: this.#file, pid: process.pid, heapUsedAfter: point.heapUsedAfter, rss: point.rssAfter, time: Date.now() });
      }
    }
    // The per-test reset compares cheaply; once per file the exact comparison catches what it
    // cannot see (a non-enumerable global, an attribute-only change, an environment write through
    // a reference to process.env kept from earlier).
    await this.#fullGlobalsReset();
    const tracker = this.#tracker;
    this.#tracker = undefined;
    if (tracker !== undefined) {
      const mode = currentOptions().leaks;
      try {
        const report = await tracker.end({ dispose: mode !== 'warn', fileScope: options.fileScope !== false });
        if (report.leaks.length > 0) this.#findings.push({ name: `${this.#file} (outside tests)`, leaks: report.leaks, cleanupFailures: 0 });
        if (this.#reportFile !== undefined && report.leaks.length > 0) {
          this.#append({ type: 'file', file: this.#file, pid: process.pid, leaks: report.leaks });
        }
      } catch (error) {
        log('end-of-file leak check failed: %O', error);
      }
      tracker.stop();
      setActiveTracker(undefined);
    }
    const summary = this.summary();
    if (summary !== undefined) console.warn(summary);
  }

  async #fullGlobalsReset(): Promise<void> {
    try {
      // Back to the globals as the file found them. What the file set up outside its tests (see
      // adoptSetup()) is not news: only the rest got past the per-test check.
      const latest = getGlobalsBaseline();
      const file = this.#fileBaseline;
      const setUp = file !== undefined && latest !== undefined && latest !== file ? namesChangedBetween(file, latest) : undefined;
      if (setUp !== undefined) setGlobalsBaseline(file);
      const report = await resetGlobals({ full: true, throwOnError: false, ignore: currentOptions().globals.ignore });
      const news = (names: readonly string[]): readonly string[] => (setUp === undefined ? names : names.filter((name) => !setUp.has(name)));
      const changed = [
        ...news(report.globals.added).map((name) => `global ${name} added`),
        ...news(report.globals.changed).map((name) => `global ${name} changed`),
        ...news(report.globals.deleted).map((name) => `global ${name} deleted`),
        ...news(report.env.added).map((name) => `environment variable ${name} added`),
        ...news(report.env.changed).map((name) => `environment variable ${name} changed`),
        ...news(report.env.deleted).map((name) => `environment variable ${name} deleted`),
      ];
      if (changed.length > 0) this.#globalsAtEnd = changed;
    } catch (error) {
      log('end-of-file globals reset failed: %O', error);
    }
  }

  /** The end-of-file summary (leaks by test, cleanup failures), or `undefined` when all was clean. */
  summary(): string | undefined {
    if (this.#findings.length === 0) {
      return this.#globalsAtEnd === undefined ? undefined : `custodian: ${this.#file}: ${this.#globalsNote()}`;
    }
    const leakCount = this.#findings.reduce((sum, finding) => sum + finding.leaks.length, 0);
    const lines = [`custodian: ${this.#file}: ${leakCount} leaked handle${leakCount === 1 ? '' : 's'}`];
    for (const finding of this.#findings) {
      if (finding.cleanupFailures > 0) lines.push(`  ${finding.name}: cleanupAll() failed (${finding.cleanupFailures} step(s))`);
      for (const leak of finding.leaks) {
        const creator = leak.test !== finding.name && leak.test !== this.#file ? ` (created by ${leak.test})` : '';
        lines.push(`  ${finding.name}: ${leak.description}${creator}${leak.disposed ? ', closed' : ''}`);
      }
    }
    lines.push('  Register these resources (registry.register) or close them in afterEach; CUSTODIAN_STACKS=1 shows where they were created.');
    if (this.#globalsAtEnd !== undefined) lines.push(`  ${this.#globalsNote()}`);
    return lines.join('\n');
  }

  #globalsNote(): string {
    return `restored at the end of the file, past the per-test check: ${(this.#globalsAtEnd ?? []).join(', ')}`;
  }

  /** `afterCleanup`: right after a test's cleanup, whose memory sample ended just now. */
  #markStart(afterCleanup = false): void {
    // Only the report line reads it.
    if (this.#reportFile !== undefined) this.#testStart = performance.now();
    if (this.#memory !== undefined) {
      if (afterCleanup) this.#memory.continueWith(this.#file);
      else this.#memory.before(this.#file);
    }
    else if (this.#reportFile !== undefined) this.#heapBefore = process.memoryUsage().heapUsed;
  }

  #writeLine(name: string, leaks: readonly LeakInfo[], lifecycle: LifecycleReport, status: 'passed' | 'failed' | undefined): void {
    const sample = lifecycle.memory;
    const usage = sample === undefined ? process.memoryUsage() : undefined;
    this.#lastLineRaw = sample?.gc !== true;
    this.#append({
      type: 'test',
      file: this.#file,
      name,
      durationMs: performance.now() - this.#testStart,
      heapUsedBefore: sample?.heapUsedBefore ?? this.#heapBefore,
      heapUsedAfter: sample?.heapUsedAfter ?? usage!.heapUsed,
      rss: sample?.rssAfter ?? usage!.rss,
      // Read by the CLI: whether the heap figures are post-GC, and which worker the line came from.
      gc: sample?.gc ?? false,
      pid: process.pid,
      time: Date.now(),
      ...(status ? { status } : {}),
      leaks,
      cleanup: cleanupJson(lifecycle),
    });
  }

  #append(line: Record<string, unknown>): void {
    try {
      appendFileSync(this.#reportFile as string, `${JSON.stringify(line)}\n`);
    } catch (error) {
      log('could not append to CUSTODIAN_REPORT: %O', error);
    }
  }
}
