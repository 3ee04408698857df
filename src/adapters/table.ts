import { globalSlot } from '../_internal/global-slot.js';
import { defineAdapter, type Adapter } from './adapter.js';
import { BUILTIN_ADAPTERS } from './builtin.js';

// User adapters are shared by the ESM and CJS copies so that one registerAdapter() call covers both.
const userAdapters = globalSlot<Adapter<unknown>[]>('adapters', () => []);

/**
 * Adds an adapter that `register()` consults before the built-in ones (the most recently
 * registered first), so a library the built-ins do not know, or know differently, can be
 * taught to the registry. Disposing the returned handle removes it again.
 *
 * @example
 * ```ts
 * using _ = registerAdapter(amqpAdapter);
 * registry.register(connection); // closed through amqpAdapter
 * ```
 */
export function registerAdapter<T>(adapter: Adapter<T>): Disposable {
  const checked = defineAdapter(adapter) as Adapter<unknown>;
  userAdapters.unshift(checked);
  return {
    [Symbol.dispose]() {
      const index = userAdapters.indexOf(checked);
      if (index !== -1) userAdapters.splice(index, 1);
    },
  };
}

/** The adapter that handles `value`: user adapters first, then the built-ins in their order. */
export function findAdapter(value: unknown): Adapter<unknown> | undefined {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return undefined;
  for (const adapter of userAdapters) if (adapter.matches(value)) return adapter;
  for (const adapter of BUILTIN_ADAPTERS) if (adapter.matches(value)) return adapter;
  return undefined;
}
