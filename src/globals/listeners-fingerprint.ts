/**
 * The `process` listeners as the last restore left them, read from EventEmitter's own storage
 * (`_events`, `_eventsCount`: stable since Node's first releases, and what `eventNames()` and
 * `rawListeners()` read themselves) so that checking them costs no copy: about 0.05 µs instead
 * of 0.5 µs for `eventNames()` plus one `rawListeners()` copy per event.
 */
interface EmitterStorage {
  _events?: Record<string | symbol, Function | Function[] | undefined>;
  _eventsCount?: number;
}

export interface ListenersFingerprint {
  readonly count: number;
  readonly events: readonly (string | symbol)[];
  readonly lists: readonly (readonly Function[])[];
}

function storage(): EmitterStorage | undefined {
  const emitter = process as unknown as EmitterStorage;
  const events = emitter._events;
  if (typeof events !== 'object' || events === null || typeof emitter._eventsCount !== 'number') return undefined;
  return emitter;
}

/** The listeners now, or `undefined` when `process` does not keep them where EventEmitter does. */
export function takeListenersFingerprint(): ListenersFingerprint | undefined {
  const emitter = storage();
  if (emitter === undefined) return undefined;
  const stored = emitter._events!;
  const events = Reflect.ownKeys(stored);
  const lists = events.map((event) => {
    const value = stored[event];
    return typeof value === 'function' ? [value] : Array.isArray(value) ? value.slice() : [];
  });
  return { count: emitter._eventsCount!, events, lists };
}

/** Whether every event has exactly the listeners it had (same functions, same order), and no event was added. */
export function listenersMatch(fingerprint: ListenersFingerprint): boolean {
  const emitter = storage();
  if (emitter === undefined || emitter._eventsCount !== fingerprint.count) return false;
  const stored = emitter._events!;
  const { events, lists } = fingerprint;
  for (let index = 0; index < events.length; index++) {
    const value = stored[events[index]!];
    const list = lists[index]!;
    if (typeof value === 'function') {
      if (list.length !== 1 || list[0] !== value) return false;
    } else if (Array.isArray(value)) {
      if (value.length !== list.length) return false;
      for (let position = 0; position < list.length; position++) if (value[position] !== list[position]) return false;
    } else {
      return false;
    }
  }
  return true;
}
