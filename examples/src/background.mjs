// Background work: a poller that ships new orders, and a heartbeat that reports liveness.
import { setTimeout as sleep } from 'node:timers/promises';
import { getGlobalRunner } from 'custodian';
import { Order } from './db.mjs';

/**
 * Marks new orders as shipped every `intervalMs`, until the global runner shuts down (which
 * custodian does after every test): a task no test has to remember to stop.
 */
export function startShipper(dataSource, { intervalMs = 20 } = {}) {
  const orders = dataSource.getRepository(Order);
  return getGlobalRunner().spawn(
    async (signal) => {
      while (!signal.aborted) {
        await orders.update({ status: 'new' }, { status: 'shipped' });
        await sleep(intervalMs, undefined, { signal });
      }
    },
    { name: 'order shipper' },
  );
}

/** Counts beats every `intervalMs` with a plain setInterval; stop() must be called. */
export function startHeartbeat({ intervalMs = 50 } = {}) {
  const state = { beats: 0 };
  const timer = setInterval(() => state.beats++, intervalMs);
  return { state, stop: () => clearInterval(timer) };
}
