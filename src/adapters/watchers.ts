import { EventEmitter } from 'node:events';
import { defineAdapter } from './adapter.js';

/** The part of `fs.FSWatcher` the adapter uses. */
export interface FSWatcherLike extends EventEmitter {
  close(): void;
  ref(): unknown;
  unref(): unknown;
}

interface WatcherInternals {
  _handle?: unknown;
}

/**
 * Node does not export the `fs.FSWatcher` class, and on Linux `fs.watch(dir, { recursive: true })`
 * returns a second class of the same name (Node 20+, a JavaScript watcher over many handles), so
 * watchers are recognised by that name and shape instead of `instanceof`.
 */
function isWatcher(value: unknown): value is FSWatcherLike {
  return (
    value instanceof EventEmitter &&
    (value as { constructor?: { name?: unknown } }).constructor?.name === 'FSWatcher' &&
    typeof (value as Partial<FSWatcherLike>).close === 'function' &&
    typeof (value as Partial<FSWatcherLike>).ref === 'function' &&
    typeof (value as Partial<FSWatcherLike>).unref === 'function'
  );
}

/**
 * `fs.FSWatcher` (from `fs.watch`): `close()`, which releases the handle in the same turn of
 * the event loop. A watcher already closed counts as closed; for the recursive watcher of
 * Linux, whose state is private, a second `close()` is a no-op and is reported as graceful.
 *
 * Node keeps no public record of the watched path, so the description cannot name it; pass
 * `register(watcher, { name: 'watcher ' + path })` to see it in reports. `fs.watchFile()`
 * watchers are not covered: only `fs.unwatchFile(path)` stops them cleanly.
 */
export const watcherAdapter = defineAdapter<FSWatcherLike>({
  name: 'fs watcher',
  kind: 'watcher',
  matches: isWatcher,
  isClosed: (watcher) => '_handle' in watcher && (watcher as WatcherInternals)._handle === null,
  close: (watcher) => watcher.close(),
  describe: (watcher) => ('_handle' in watcher ? 'fs watcher' : 'fs watcher (recursive)'),
});
