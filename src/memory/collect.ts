import { runInNewContext } from 'node:vm';
import { forceGc } from './force-gc.js';

type GcFunction = (options?: { type?: 'major' | 'minor' }) => void;

let minor: GcFunction | null | undefined;

/**
 * A full GC followed by a minor one, for exact heap readings. After a full GC, V8 sweeps pages
 * concurrently, and until a page is swept its dead objects still count in `space_used_size`:
 * readings taken right after `forceGc()` alone are off by a few hundred kilobytes now and then
 * (more on a loaded machine). The minor GC that follows finishes that sweeping at a fraction of
 * the cost of a second full GC. Returns the milliseconds spent, or undefined when no GC ran.
 */
export function collectForReading(): number | undefined {
  const started = performance.now();
  if (!forceGc()) return undefined;
  if (minor === undefined) {
    // forceGc() already turned --expose-gc on, so a fresh context hands out the same function.
    const exposed = (globalThis as { gc?: unknown }).gc;
    try {
      minor = (typeof exposed === 'function' ? exposed : runInNewContext('gc')) as GcFunction;
    } catch {
      minor = null;
    }
  }
  minor?.({ type: 'minor' });
  return performance.now() - started;
}
