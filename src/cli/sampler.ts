import { createTreeReader, type ProcessTreeReader } from './process-tree.js';

/** One reading of the process tree. */
export interface RssSample {
  /** Milliseconds since the run started. */
  readonly t: number;
  /** RSS of the whole tree, in bytes. */
  readonly rss: number;
  /** How many processes the tree had. */
  readonly processes: number;
}

/** What the sampler cost the CLI itself. */
export interface SamplerCost {
  readonly method: string;
  readonly ticks: number;
  /** CPU time (user + system) the readings took, in milliseconds. */
  readonly cpuMs: number;
  /** Wall time the sampler ran, in milliseconds. */
  readonly wallMs: number;
  /** `cpuMs / wallMs * 100`: percent of one core. */
  readonly cpuPercent: number;
}

/**
 * Reads the RSS of a process tree every `intervalMs` until stopped. Readings never overlap
 * (the next one is scheduled when the previous one finished), and the CPU they cost is
 * measured with `process.cpuUsage()` around each reading, so the report can show it.
 */
export class TreeSampler {
  readonly #reader: ProcessTreeReader;
  readonly #intervalMs: number;
  readonly #startedAt: number;
  readonly #samples: RssSample[] = [];
  readonly #seen = new Set<number>();
  #lastPids: readonly number[] = [];
  #timer: NodeJS.Timeout | undefined;
  #root: number | undefined;
  #cpuMicros = 0;
  #ticks = 0;
  #firstTickAt: number | undefined;
  #lastTickAt: number | undefined;
  #onSample: ((sample: RssSample) => void) | undefined;

  constructor(intervalMs: number, startedAt: number, reader: ProcessTreeReader = createTreeReader()) {
    this.#intervalMs = intervalMs;
    this.#startedAt = startedAt;
    this.#reader = reader;
  }

  get samples(): readonly RssSample[] {
    return this.#samples;
  }

  /** Every process ever seen in the tree (capped at 10,000). */
  get seenPids(): readonly number[] {
    return [...this.#seen];
  }

  /** The processes of the latest reading. */
  get lastPids(): readonly number[] {
    return this.#lastPids;
  }

  /**
   * Starts reading the tree under `root`: first after `min(interval, 100 ms)` (right after exec
   * a process has barely mapped anything, which would make a meaningless "before"), then every
   * interval.
   */
  start(root: number, onSample?: (sample: RssSample) => void): void {
    this.#root = root;
    this.#onSample = onSample;
    this.#timer = setTimeout(() => void this.#tick(), Math.min(this.#intervalMs, 100));
  }

  /** One more reading right now (the "after" point), then no more. */
  async stop(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const root = this.#root;
    this.#root = undefined;
    if (root !== undefined) await this.#read(root);
  }

  cost(): SamplerCost {
    const wallMs = this.#firstTickAt === undefined ? 0 : (this.#lastTickAt ?? this.#firstTickAt) - this.#firstTickAt;
    const cpuMs = this.#cpuMicros / 1000;
    return {
      method: this.#reader.method,
      ticks: this.#ticks,
      cpuMs,
      wallMs,
      cpuPercent: wallMs > 0 ? (cpuMs / wallMs) * 100 : 0,
    };
  }

  async #tick(): Promise<void> {
    const root = this.#root;
    if (root === undefined) return;
    await this.#read(root);
    if (this.#root !== undefined) this.#timer = setTimeout(() => void this.#tick(), this.#intervalMs);
  }

  async #read(root: number): Promise<void> {
    const before = process.cpuUsage();
    const now = performance.now();
    this.#firstTickAt ??= now;
    this.#lastTickAt = now;
    const reading = await this.#reader.read(root);
    const used = process.cpuUsage(before);
    this.#cpuMicros += used.user + used.system;
    this.#ticks++;
    if (reading.pids.length === 0) return;
    this.#lastPids = reading.pids;
    for (const pid of reading.pids) if (this.#seen.size < 10_000) this.#seen.add(pid);
    const sample: RssSample = { t: Math.round(now - this.#startedAt), rss: reading.rss, processes: reading.pids.length };
    this.#samples.push(sample);
    this.#onSample?.(sample);
  }
}
