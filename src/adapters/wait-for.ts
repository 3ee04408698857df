import type { EventEmitter } from 'node:events';

/**
 * Resolves when `emitter` emits `event`; rejects with the signal's reason when `signal` aborts
 * first. Listeners are removed either way, so a resource that never emits does not keep the
 * waiting closure (and through it the registry's entry) alive.
 */
export function waitForEvent(emitter: EventEmitter, event: string, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onEvent = (): void => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    };
    const onAbort = (): void => {
      emitter.removeListener(event, onEvent);
      reject(signal?.reason);
    };
    emitter.once(event, onEvent);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Resolves once `done()` returns true, checking with a backoff from 2 ms up to `maxIntervalMs`
 * (for states nothing emits an event for, such as a process group whose last member is not our
 * child); rejects with the signal's reason when `signal` aborts first. `tick` runs before each check.
 */
export function waitUntil(
  done: () => boolean,
  options: { signal?: AbortSignal | undefined; maxIntervalMs?: number; tick?: () => void } = {},
): Promise<void> {
  const { signal, maxIntervalMs = 50, tick } = options;
  return new Promise<void>((resolve, reject) => {
    let interval = 2;
    let timer: NodeJS.Timeout | undefined;
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const check = (): void => {
      tick?.();
      if (done()) {
        signal?.removeEventListener('abort', onAbort);
        resolve();
        return;
      }
      timer = setTimeout(check, interval);
      interval = Math.min(interval * 2, maxIntervalMs);
    };
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    check();
  });
}

/** Formats a host and port as `host:port`, with IPv6 hosts in brackets. */
export function hostPort(host: string | undefined, port: number | undefined): string | undefined {
  if (host === undefined || host === '') return undefined;
  const shown = host.includes(':') ? `[${host}]` : host;
  return port === undefined ? shown : `${shown}:${port}`;
}
