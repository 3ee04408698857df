import { defineAdapter, type Adapter } from './adapter.js';

interface TimerInternals {
  _idleTimeout?: number;
  _onTimeout?: unknown;
  _repeat?: number | null;
  _destroyed?: boolean;
  _onImmediate?: unknown;
  hasRef?: () => boolean;
}

/**
 * Node does not export the Timeout and Immediate classes, so they are taken from live
 * instances. When the library is loaded while fake timers are installed (jest's
 * `fakeTimers.enableGlobally`, `vi.useFakeTimers()` before an import), the probe returns the
 * fake's plain object, whose constructor is `Object`: matching by `instanceof Object` would
 * claim every resource as a timer. The probe is only trusted when it found the real class;
 * otherwise timers are recognised by the class name and the internal fields Node sets.
 */
function probeClass(create: () => object, clear: (value: never) => void, name: string, field: string): (value: unknown) => boolean {
  const probe = create();
  clear(probe as never);
  const candidate = (probe as { constructor?: unknown }).constructor;
  if (typeof candidate === 'function' && candidate.name === name && field in probe) {
    return (value) => value instanceof candidate;
  }
  return (value) =>
    typeof value === 'object' &&
    value !== null &&
    (value as { constructor?: { name?: unknown } }).constructor?.name === name &&
    field in value;
}

const isTimeout = probeClass(() => setTimeout(() => undefined, 0), clearTimeout, 'Timeout', '_idleTimeout');
const isImmediate = probeClass(() => setImmediate(() => undefined), clearImmediate, 'Immediate', '_onImmediate');

function unrefNote(timer: TimerInternals): string {
  return typeof timer.hasRef === 'function' && !timer.hasRef() ? ' (unref)' : '';
}

/**
 * Node's `Timeout` (from `setTimeout` and `setInterval`): cleared on close. A timeout that
 * already fired or was cleared counts as closed.
 */
export const timeoutAdapter = defineAdapter<NodeJS.Timeout>({
  name: 'timeout',
  kind: 'timer',
  matches: (value): value is NodeJS.Timeout => isTimeout(value),
  close: (timer) => clearTimeout(timer),
  isClosed: (timer) => (timer as TimerInternals)._destroyed === true,
  describe: (timer) => {
    const internals = timer as TimerInternals;
    const kind = typeof internals._repeat === 'number' ? 'interval' : 'timeout';
    // _idleTimeout is -1 once cleared; the interval stays readable in _repeat for intervals.
    const ms = internals._idleTimeout !== undefined && internals._idleTimeout >= 0 ? internals._idleTimeout : internals._repeat;
    return `${kind} ${ms ?? '?'} ms${unrefNote(internals)}`;
  },
});

/** Node's `Immediate` (from `setImmediate`): cleared on close. One that already ran counts as closed. */
export const immediateAdapter = defineAdapter<NodeJS.Immediate>({
  name: 'immediate',
  kind: 'timer',
  matches: (value): value is NodeJS.Immediate => isImmediate(value),
  close: (immediate) => clearImmediate(immediate),
  isClosed: (immediate) => (immediate as unknown as TimerInternals)._destroyed === true,
  describe: (immediate) => `immediate${unrefNote(immediate as unknown as TimerInternals)}`,
});

/** The timer adapters, in the order the registry consults them. */
export const timerAdapters: readonly Adapter<unknown>[] = [timeoutAdapter, immediateAdapter] as Adapter<unknown>[];
