import { activeHandles, isReleased } from './describe-handle.js';
import { originalTimers } from './probes.js';
import type { LeakKind } from './types.js';

/** A test, or the file scope, that handles are attributed to. */
export interface Scope {
  readonly name: string;
  /** False for the file scope and the baseline. */
  readonly test: boolean;
}

/** What the tracker knows about a handle: who created it, where, and what it aimed at. */
export interface Tag {
  readonly scope: Scope;
  readonly target: string | undefined;
  readonly stack: string | undefined;
}

/** A live handle that may be a leak. */
export interface Candidate {
  readonly handle: object;
  readonly kind: LeakKind;
  readonly tag: Tag;
}

// Two immediates first: the first runs in the check phase before the close phase that
// removes a just-closed server or watcher, the second after it. Then a short backoff for
// what needs the other side (a killed child's exit, a worker's termination).
const BACKOFF_MS = [1, 4, 10, 20, 45];

function immediate(): Promise<void> {
  return new Promise((resolve) => originalTimers.setImmediate(resolve));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => originalTimers.setTimeout(resolve, ms));
}

function stillAlive(candidates: readonly Candidate[]): Candidate[] {
  const active = new Set<object>(activeHandles());
  return candidates.filter(({ handle, kind }) => {
    if (isReleased(handle, kind)) return false;
    // Timers and workers are not in Node's list: released is all that can be known of them.
    return kind === 'timer' || kind === 'thread' || active.has(handle);
  });
}

/**
 * Gives candidates a bounded window to go away (what a test closed without awaiting it), and
 * resolves with those still alive afterwards. Costs nothing when there are no candidates.
 */
export async function settle(candidates: readonly Candidate[], windowMs: number): Promise<Candidate[]> {
  let alive = [...candidates];
  if (alive.length === 0 || windowMs <= 0) return alive;
  const deadline = performance.now() + windowMs;
  for (let step = 0; step < 2 && alive.length > 0; step++) {
    await immediate();
    alive = stillAlive(alive);
  }
  for (const delay of BACKOFF_MS) {
    if (alive.length === 0) break;
    const left = deadline - performance.now();
    if (left <= 0) break;
    await sleep(Math.min(delay, left));
    alive = stillAlive(alive);
  }
  return alive;
}
