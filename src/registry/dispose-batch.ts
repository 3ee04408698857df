import { runEntry, type Deadlines, type Entry } from './entry.js';
import type { CleanupReport, DisposeOutcome } from './types.js';

function record(report: CleanupReport, result: DisposeOutcome): void {
  report[result.status].push(result);
}

/** Disposes a batch one entry at a time, in the order given. */
export async function disposeSequentially(batch: Entry[], deadlines: Deadlines, report: CleanupReport): Promise<void> {
  for (let index = 0; index < batch.length; index++) {
    const entry = batch[index]!;
    // Drop the batch's reference as we go, so an entry is collectable as soon as it is closed.
    batch[index] = undefined as unknown as Entry;
    let result = runEntry(entry, deadlines);
    if (result instanceof Promise) result = await result;
    record(report, result);
  }
}

/** Disposes a batch with up to `concurrency` entries closing at once; starts keep the order given. */
export function disposeConcurrently(batch: Entry[], concurrency: number, deadlines: Deadlines, report: CleanupReport): Promise<void> {
  return new Promise<void>((resolve) => {
    let next = 0;
    let running = 0;
    const startNext = (): void => {
      while (running < concurrency && next < batch.length) {
        const entry = batch[next]!;
        batch[next++] = undefined as unknown as Entry;
        const result = runEntry(entry, deadlines);
        if (result instanceof Promise) {
          running++;
          void result.then((settled) => {
            running--;
            record(report, settled);
            startNext();
          });
        } else {
          record(report, result);
        }
      }
      if (running === 0 && next >= batch.length) resolve();
    };
    startNext();
  });
}
