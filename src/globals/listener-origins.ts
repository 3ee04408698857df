import { globalSlot } from '../_internal/global-slot.js';

/**
 * Who added and who removed each `process` listener, recorded through `process.on('newListener')`
 * and `process.on('removeListener')` once a snapshot has been taken. `resetGlobals()` uses it to
 * tell a test's listeners from those Node and the test framework add or remove while the suite
 * runs: jest-circus, for one, swaps the `uncaughtException` handlers when the run starts, after
 * the setup files took the baseline, and puts them back when it ends.
 */
interface OriginState {
  /** The listener function (unwrapped for `once`) -> true when Node or a test framework added it. */
  readonly addedByRuntime: WeakMap<Function, boolean>;
  /** Listeners Node or a test framework removed: a reset does not put those back. */
  readonly removedByRuntime: WeakSet<Function>;
  /** Every tracker function ever installed, by any copy of the library. */
  readonly trackers: WeakSet<Function>;
  added: ((event: string | symbol, listener: Function) => void) | undefined;
  removed: ((event: string | symbol, listener: Function) => void) | undefined;
}

const state: OriginState = globalSlot('listenerOrigins', () => ({
  addedByRuntime: new WeakMap(),
  removedByRuntime: new WeakSet(),
  trackers: new WeakSet(),
  added: undefined,
  removed: undefined,
}));

// Packages whose own process listeners must survive a reset. Matched against the frame that
// called process.on() / removeListener(); a test file, or a library under test, is never one of them.
const FRAMEWORK_FRAME =
  /[\\/]node_modules[\\/](?:vitest|@vitest[\\/][^\\/]+|vite-node|tinypool|jest[^\\/]*|@jest[\\/][^\\/]+|mocha|ava|tap|@tapjs[\\/][^\\/]+|uvu)[\\/]/;

// EventEmitter's own frames (emit, _addListener, addListener/on, once, removeListener,
// removeAllListeners), and process.emit wrappers some frameworks install (vitest does), sit
// between the tracker and the code that called process.on().
const EMITTER_FRAME = /\(node:events:|at node:events:|at process\.emit \(/;

/**
 * Whether the code that added or removed a `process` listener, as seen from a tracker's `stack`,
 * is Node itself (a `node:` module, such as `node:internal/test_runner`) or a known test framework.
 */
export function isRuntimeFrame(stack: string): boolean {
  const lines = stack.split('\n');
  let index = 1;
  while (index < lines.length && EMITTER_FRAME.test(lines[index]!)) index++;
  const frame = lines[index];
  if (frame === undefined) return false;
  if (/\(node:|at node:/.test(frame)) return true;
  return FRAMEWORK_FRAME.test(frame);
}

const asCallSites = (_error: Error, sites: NodeJS.CallSite[]): NodeJS.CallSite[] => sites;

/**
 * Reads the caller's frames as V8's call sites, formatted the plain way: a test runner's
 * `Error.prepareStackTrace` (vitest's maps every frame through source maps) is skipped, as it
 * costs milliseconds the first time and tens of microseconds after, for every listener added.
 */
function callerIsRuntime(below: Function): boolean {
  const holder: { stack?: unknown } = {};
  const prepare = Error.prepareStackTrace;
  const limit = Error.stackTraceLimit;
  let sites: unknown;
  try {
    Error.prepareStackTrace = asCallSites;
    Error.stackTraceLimit = 12;
    Error.captureStackTrace(holder, below);
    sites = holder.stack;
  } finally {
    Error.prepareStackTrace = prepare;
    Error.stackTraceLimit = limit;
  }
  if (!Array.isArray(sites)) return isRuntimeFrame(typeof sites === 'string' ? sites : '');
  return isRuntimeFrame(['Error', ...sites.map((site: NodeJS.CallSite) => `    at ${String(site)}`)].join('\n'));
}

function trackAdded(_event: string | symbol, listener: Function): void {
  state.addedByRuntime.set(listener, callerIsRuntime(trackAdded));
  state.removedByRuntime.delete(listener);
}

function trackRemoved(_event: string | symbol, listener: Function): void {
  if (callerIsRuntime(trackRemoved)) state.removedByRuntime.add(listener);
}

/** Starts recording listener origins (idempotent, shared by both builds). */
export function startListenerTracking(): void {
  if (state.added !== undefined) return;
  state.added = trackAdded;
  state.removed = trackRemoved;
  state.trackers.add(trackAdded).add(trackRemoved);
  // 'removeListener' first: added second, it would go through trackAdded, which reads a stack.
  process.on('removeListener', trackRemoved);
  process.on('newListener', trackAdded);
}

/** Stops recording (for `uninstall()`); what was recorded is kept. */
export function stopListenerTracking(): void {
  if (state.added !== undefined) process.removeListener('newListener', state.added as (...args: unknown[]) => void);
  if (state.removed !== undefined) process.removeListener('removeListener', state.removed as (...args: unknown[]) => void);
  state.added = undefined;
  state.removed = undefined;
}

/** Whether listener tracking is on. */
export function isListenerTrackingOn(): boolean {
  return state.added !== undefined;
}

/**
 * Whether `listener` is one of the trackers (installed now or before an `uninstall()`): a reset
 * never removes them, nor puts them back.
 */
export function isTrackerListener(listener: Function): boolean {
  return state.trackers.has(listener);
}

/**
 * True when Node or a test framework added `listener` (a raw listener: `once` wrappers are
 * looked up by the function they wrap). Unknown listeners are the test's.
 */
export function isRuntimeListener(listener: Function): boolean {
  const target = (listener as { listener?: Function }).listener ?? listener;
  return state.addedByRuntime.get(target) === true;
}

/** True when Node or a test framework removed `listener` since it was last added. */
export function wasRemovedByRuntime(listener: Function): boolean {
  const target = (listener as { listener?: Function }).listener ?? listener;
  return state.removedByRuntime.has(target);
}
