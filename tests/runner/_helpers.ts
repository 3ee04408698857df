import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, expect } from 'vitest';

/**
 * Records every unhandled rejection of the file, and fails the file in afterAll when there was
 * one (on top of vitest's own failure on unhandled errors, which names no test).
 */
export function failOnUnhandledRejections(): void {
  const seen: unknown[] = [];
  const listener = (reason: unknown): void => {
    seen.push(reason);
  };
  beforeAll(() => {
    process.on('unhandledRejection', listener);
  });
  afterAll(async () => {
    // Node reports an unhandled rejection after the microtask queue drains: give it a turn.
    await delay(20);
    process.off('unhandledRejection', listener);
    expect(seen).toEqual([]);
  });
}

/** A task that honours its signal: a real 60 s timer that stops when the signal aborts. */
export function honouring(ms = 60_000): (signal: AbortSignal) => Promise<void> {
  return (signal) => delay(ms, undefined, { signal });
}

/**
 * A task that ignores its signal: a real timer (so it is real pending work) that only `release()`
 * ends. Tests call release() in finally, so no timer outlives the test.
 */
export function ignoring(ms = 60_000): { task: (signal: AbortSignal) => Promise<string>; release: () => void; started: () => boolean } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let resolveTask: ((value: string) => void) | undefined;
  let started = false;
  return {
    task: () => {
      started = true;
      return new Promise<string>((resolve) => {
        resolveTask = resolve;
        timer = setTimeout(resolve, ms, 'late');
      });
    },
    release: () => {
      clearTimeout(timer);
      resolveTask?.('released');
    },
    started: () => started,
  };
}

/** Live timers of the process (vitest's own included: compare counts within one test). */
export function liveTimers(): number {
  return process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length;
}

/** Waits until `condition()` holds, polling on real timers. */
export async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await delay(2);
  }
}

/** Settles `promise` into a value to assert on, so a rejection is never left unhandled. */
export async function outcome<T>(promise: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    return { ok: false, error };
  }
}
