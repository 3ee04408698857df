import { defineAdapter } from '../adapter.js';
import { asObject, hasMethods, type Loose } from './_shape.js';

/** The parts of an undici dispatcher (Agent, Pool, BalancedPool, Client, ProxyAgent) the adapter relies on. */
export interface UndiciDispatcherLike extends Loose {
  readonly closed: boolean;
  readonly destroyed: boolean;
  dispatch(options: unknown, handler: unknown): boolean;
  close(): Promise<void>;
  destroy(error?: Error | null): Promise<void>;
}

function isUndiciDispatcher(value: unknown): value is UndiciDispatcherLike {
  return (
    hasMethods(value, 'dispatch', 'close', 'destroy', 'request') &&
    typeof value.closed === 'boolean' &&
    typeof value.destroyed === 'boolean'
  );
}

/** The origin a Client or Pool talks to, from undici's `Symbol(url)` slot; never credentials. */
function originOf(dispatcher: UndiciDispatcherLike): string | undefined {
  for (let target: object | null = dispatcher; target !== null; target = Object.getPrototypeOf(target) as object | null) {
    const symbol = Object.getOwnPropertySymbols(target).find((candidate) => candidate.description === 'url');
    if (symbol === undefined) continue;
    const url = asObject((dispatcher as Loose)[symbol]);
    return typeof url?.origin === 'string' ? url.origin : undefined;
  }
  return undefined;
}

/**
 * undici dispatcher (Agent, Pool, BalancedPool, Client, ProxyAgent, and the dispatcher behind
 * Node's `fetch` when it is undici's): `close()`, which waits for requests in flight, a
 * response that never comes included; forced, `destroy()` aborts them and drops the sockets.
 * `destroyed` means already closed; one that is `closed` but still draining is waited for.
 */
export const undiciDispatcherAdapter = defineAdapter<UndiciDispatcherLike>({
  name: 'undici dispatcher',
  kind: 'socket',
  matches: isUndiciDispatcher,
  isClosed: (dispatcher) => dispatcher.destroyed,
  close: (dispatcher) => dispatcher.close(),
  forceClose: (dispatcher) => (dispatcher.destroyed ? undefined : dispatcher.destroy()),
  describe: (dispatcher) => {
    const type = (Object.getPrototypeOf(dispatcher) as { constructor?: { name?: string } } | null)?.constructor?.name || 'dispatcher';
    const origin = originOf(dispatcher);
    const state = dispatcher.destroyed ? 'destroyed' : dispatcher.closed ? 'closing' : 'open';
    return `undici ${type}${origin === undefined ? '' : ` ${origin}`} (${state})`;
  },
});
