import { formatBytes } from './sizes.js';

/** What the live line shows. */
export interface ProgressState {
  readonly elapsedMs: number;
  readonly rss: number;
  readonly peak: number;
  readonly tests: number;
  readonly failed: number;
  readonly leaks: number;
}

/**
 * Progress while the tests run: one line rewritten in place on a TTY (on stderr, so stdout
 * keeps the runner's output and the summary), or a plain line every few seconds otherwise.
 */
export class Progress {
  readonly #stream: NodeJS.WriteStream;
  readonly #tty: boolean;
  readonly #plainEveryMs: number;
  #lastPlain = 0;
  #shown = false;

  constructor(stream: NodeJS.WriteStream, enabled: boolean, plainEveryMs = 5000) {
    this.#stream = stream;
    this.#tty = enabled && stream.isTTY === true;
    this.#plainEveryMs = enabled ? plainEveryMs : Number.POSITIVE_INFINITY;
  }

  update(state: ProgressState): void {
    const text =
      `custodian ${(state.elapsedMs / 1000).toFixed(1)}s  rss ${formatBytes(state.rss)} (peak ${formatBytes(state.peak)})  ` +
      `tests ${state.tests}${state.failed ? ` (${state.failed} failed)` : ''}  leaks ${state.leaks}`;
    if (this.#tty) {
      this.#stream.write(`\r\u001b[2K${text}`);
      this.#shown = true;
    } else if (state.elapsedMs - this.#lastPlain >= this.#plainEveryMs) {
      this.#lastPlain = state.elapsedMs;
      this.#stream.write(`${text}\n`);
    }
  }

  /** Clears the live line before other output. */
  clear(): void {
    if (this.#tty && this.#shown) this.#stream.write('\r\u001b[2K');
    this.#shown = false;
  }
}
