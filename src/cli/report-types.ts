import type { MemoryTrend } from '../memory/types.js';
import type { RunnerKind } from './runners.js';
import type { RssSample, SamplerCost } from './sampler.js';
import type { FileLeakLine, TestLine } from './test-lines.js';

/** The `schema` field of every report. */
export const REPORT_SCHEMA = 'custodian-report';
/** Bumped on any change a reader must know about; docs/report-schema.md describes each version. */
export const REPORT_VERSION = 1;

/** A test line as stored in the report: the line plus its place in its heap series. */
export interface ReportTest extends TestLine {
  /** The heap series (one test process) the test belongs to: `<shard>:<pid or file>`. */
  readonly series: string;
  /** Position within the series, from 0. */
  readonly index: number;
  /** `heapUsedAfter - heapUsedBefore`. */
  readonly deltaBytes: number;
  /** Which input report it came from (merged reports), from 0. */
  readonly shard: number;
}

/** The run (or, merged, the runs) the report describes. */
export interface ReportRun {
  readonly command: readonly string[];
  readonly runner: RunnerKind;
  readonly startedAt: string;
  readonly durationMs: number;
  /** The test command's exit code; null when it was killed by a signal. */
  readonly exitCode: number | null;
  readonly signal: string | null;
  /** True when the CLI was asked to stop (Ctrl-C, SIGTERM) before the command ended. */
  readonly interrupted: boolean;
  readonly sampleIntervalMs: number;
  readonly sampler: SamplerCost;
  /** Every process seen in the tree. */
  readonly pids: readonly number[];
  /** How many reports were merged into this one (1 for a single run). */
  readonly shards: number;
  /** The gates asked for (null: not asked for). */
  readonly limits: GateLimits;
}

/** The CI gates of a run. */
export interface GateLimits {
  readonly maxRss: number | null;
  readonly maxGrowth: number | null;
  readonly failOnLeak: boolean;
}

/** A test file: where it ran on the time axis and what memory did meanwhile. */
export interface ReportFile {
  readonly file: string;
  readonly shard: number;
  readonly tests: number;
  readonly failed: number;
  readonly leaks: number;
  /** First and last test end, in ms since the run started (the file's boundaries on the chart). */
  readonly firstT: number;
  readonly lastT: number;
  /** Fitted heap growth across the file's tests (bytes). */
  readonly heapGrowthBytes: number;
}

/** One CI gate and whether it held. */
export interface GateResult {
  readonly gate: 'max-rss' | 'max-growth' | 'fail-on-leak';
  readonly limit: number | null;
  readonly actual: number;
  readonly passed: boolean;
  readonly detail: string;
}

/** A heap series (one test process) and its trend. */
export interface SeriesTrend {
  readonly series: string;
  readonly tests: number;
  readonly trend: MemoryTrend;
}

/** The verdict on the heap trend across every series. */
export type TrendVerdict = 'leak-suspected' | 'stable' | 'not-enough-data';

/** What the summary on stdout, the page and CI gates are built from. */
export interface ReportSummary {
  readonly rss: {
    readonly before: number;
    readonly peak: number;
    readonly after: number;
    /** Least squares of tree RSS against time, bytes per second. */
    readonly growthBytesPerSecond: number;
  };
  readonly heap: {
    readonly verdict: TrendVerdict;
    /** The series with the largest fitted growth. */
    readonly worst: SeriesTrend | null;
    readonly series: readonly SeriesTrend[];
    /** The growth `--max-growth` checks: the largest fitted heap growth of a series, or RSS after - before without test lines. */
    readonly growthBytes: number;
  };
  readonly tests: { readonly total: number; readonly failed: number; readonly withLeaks: number };
  readonly topFiles: readonly { readonly file: string; readonly heapGrowthBytes: number }[];
  /** Tests where the heap grew most, by post-GC evidence only (trend steps, deltas with a GC at both ends). */
  readonly topTests: readonly { readonly file: string; readonly name: string; readonly deltaBytes: number }[];
  readonly leaksByTest: readonly { readonly file: string; readonly name: string; readonly leaks: readonly { description: string; disposed: boolean; createdBy: string }[] }[];
  readonly cleanupFailures: readonly { readonly file: string; readonly name: string; readonly failed: number; readonly timedOut: number; readonly forced: number }[];
  readonly warnings: readonly string[];
  readonly gates: readonly GateResult[];
}

/** The JSON report (`--json`, `report merge`): see docs/report-schema.md. */
export interface Report {
  readonly schema: typeof REPORT_SCHEMA;
  readonly version: typeof REPORT_VERSION;
  readonly tool: { readonly name: 'custodian'; readonly version: string };
  readonly run: ReportRun;
  readonly samples: readonly (RssSample & { readonly shard: number })[];
  readonly tests: readonly ReportTest[];
  /** Leaks found outside tests at the ends of files, per process; also listed in `summary.leaksByTest` as `(outside tests)`. */
  readonly fileLeaks: readonly (FileLeakLine & { readonly shard: number })[];
  readonly files: readonly ReportFile[];
  readonly summary: ReportSummary;
  /** The CLI's exit code for this run: the command's when it failed, 3 when a gate failed, else 0. */
  readonly exitCode: number;
}
