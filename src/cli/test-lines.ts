import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/** A leaked handle as the integrations report it (LeakInfo). */
export interface LeakLine {
  readonly kind: string;
  readonly type: string;
  readonly description: string;
  readonly test: string;
  readonly disposed: boolean;
  readonly stack?: string;
}

/** What cleanupAll() did after a test, as counts. */
export interface CleanupCounts {
  readonly ok: boolean;
  readonly disposed: number;
  readonly forced: number;
  readonly failed: number;
  readonly timedOut: number;
}

/**
 * One test as the integrations report it (`{ "type": "test", ... }`, see DESIGN.md), normalised.
 * `pid`, `gc`, `status` and `time` are optional extensions a line may carry.
 */
export interface TestLine {
  readonly file: string;
  readonly name: string;
  readonly durationMs: number;
  readonly heapUsedBefore: number;
  readonly heapUsedAfter: number;
  readonly rss: number;
  readonly leaks: readonly LeakLine[];
  readonly cleanup: CleanupCounts;
  /** The test process (lines of one process share a heap; lines of different ones do not). */
  readonly pid?: number;
  /** True when heapUsedAfter was read after a full GC. */
  readonly gc?: boolean;
  readonly status?: 'passed' | 'failed' | 'skipped';
  /** When the test ended, in milliseconds since the run started (from `time`, else when the CLI read it). */
  readonly t: number;
}

/**
 * Handles an integration found alive outside any test and left open at the end of a file
 * (`{ "type": "file", "file", "leaks" }`): what `beforeAll` or module code created.
 */
export interface FileLeakLine {
  readonly file: string;
  readonly pid?: number;
  readonly leaks: readonly LeakLine[];
}

const number = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);
const count = (value: unknown): number => (Array.isArray(value) ? value.length : number(value));

/**
 * Normalises one parsed line; undefined for lines that are not test lines. Unknown fields are
 * dropped and missing ones default, so a newer or older integration never breaks the CLI.
 */
export function normaliseLine(raw: unknown, startedAtEpoch: number, readAt: number): TestLine | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const line = raw as Record<string, unknown>;
  if (line.type !== 'test') return undefined;
  const cleanup = (typeof line.cleanup === 'object' && line.cleanup !== null ? line.cleanup : {}) as Record<string, unknown>;
  const leaks = Array.isArray(line.leaks) ? (line.leaks as unknown[]) : [];
  const status = line.status === 'passed' || line.status === 'failed' || line.status === 'skipped' ? line.status : undefined;
  return {
    file: typeof line.file === 'string' ? line.file : '(unknown file)',
    name: typeof line.name === 'string' ? line.name : '(unnamed test)',
    durationMs: number(line.durationMs),
    heapUsedBefore: number(line.heapUsedBefore),
    heapUsedAfter: number(line.heapUsedAfter),
    rss: number(line.rss),
    leaks: leakLines(leaks, line.name),
    cleanup: {
      ok: cleanup.ok !== false,
      disposed: count(cleanup.disposed),
      forced: count(cleanup.forced),
      failed: count(cleanup.failed),
      timedOut: count(cleanup.timedOut),
    },
    ...(typeof line.pid === 'number' ? { pid: line.pid } : {}),
    ...(typeof line.gc === 'boolean' ? { gc: line.gc } : {}),
    ...(status ? { status } : {}),
    t: typeof line.time === 'number' ? Math.max(0, line.time - startedAtEpoch) : readAt,
  };
}

function leakLines(leaks: readonly unknown[], owner: unknown): LeakLine[] {
  return leaks
    .filter((leak): leak is Record<string, unknown> => typeof leak === 'object' && leak !== null)
    .map((leak) => ({
      kind: String(leak.kind ?? 'unknown'),
      type: String(leak.type ?? 'unknown'),
      description: String(leak.description ?? ''),
      test: String(leak.test ?? owner ?? ''),
      disposed: leak.disposed === true,
      ...(typeof leak.stack === 'string' ? { stack: leak.stack } : {}),
    }));
}

/**
 * Follows the JSON-lines file the test processes append to: each `poll()` reads what was
 * added since the last one and returns the complete test lines (a half-written last line
 * waits for the next poll). Lines that are not JSON are counted, not fatal.
 */
export class TestLineReader {
  readonly #path: string;
  readonly #startedAtEpoch: number;
  #offset = 0;
  #partial = '';
  #invalid = 0;
  readonly #lines: TestLine[] = [];
  readonly #fileLeaks: FileLeakLine[] = [];

  constructor(path: string, startedAtEpoch: number) {
    this.#path = path;
    this.#startedAtEpoch = startedAtEpoch;
  }

  get lines(): readonly TestLine[] {
    return this.#lines;
  }

  /** Leaks found outside tests, at the ends of files. */
  get fileLeaks(): readonly FileLeakLine[] {
    return this.#fileLeaks;
  }

  /** Lines that could not be parsed. */
  get invalid(): number {
    return this.#invalid;
  }

  /** Reads what was appended; `readAt` stamps lines that carry no `time`. */
  poll(readAt: number, final = false): TestLine[] {
    let fd: number;
    try {
      fd = openSync(this.#path, 'r');
    } catch {
      return [];
    }
    let text = '';
    try {
      const size = fstatSync(fd).size;
      if (size > this.#offset) {
        const buffer = Buffer.alloc(size - this.#offset);
        const read = readSync(fd, buffer, 0, buffer.length, this.#offset);
        this.#offset += read;
        text = buffer.subarray(0, read).toString('utf8');
      }
    } finally {
      closeSync(fd);
    }
    const chunks = (this.#partial + text).split('\n');
    this.#partial = final ? '' : (chunks.pop() ?? '');
    const added: TestLine[] = [];
    for (const chunk of chunks) {
      if (chunk.trim() === '') continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(chunk);
      } catch {
        this.#invalid++;
        continue;
      }
      const line = normaliseLine(parsed, this.#startedAtEpoch, readAt);
      if (line) {
        added.push(line);
        this.#lines.push(line);
      } else {
        this.#other(parsed);
      }
    }
    return added;
  }

  /**
   * A file line (leaks outside tests), or a checkpoint: the post-GC heap an integration read at
   * the end of a file, which replaces the raw reading of that process's last test.
   */
  #other(parsed: unknown): void {
    if (typeof parsed !== 'object' || parsed === null) return;
    const line = parsed as Record<string, unknown>;
    const pid = typeof line.pid === 'number' ? line.pid : undefined;
    if (line.type === 'file' && Array.isArray(line.leaks) && line.leaks.length > 0) {
      const leaks = leakLines(line.leaks as unknown[], line.file);
      this.#fileLeaks.push({ file: typeof line.file === 'string' ? line.file : '(unknown file)', ...(pid !== undefined ? { pid } : {}), leaks });
    } else if (line.type === 'checkpoint' && pid !== undefined && typeof line.heapUsedAfter === 'number') {
      for (let index = this.#lines.length - 1; index >= 0; index--) {
        const last = this.#lines[index]!;
        if (last.pid !== pid) continue;
        this.#lines[index] = { ...last, heapUsedAfter: line.heapUsedAfter, gc: true, ...(typeof line.rss === 'number' ? { rss: line.rss } : {}) };
        break;
      }
    }
  }
}
