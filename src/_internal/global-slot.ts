const symbols = new Map<string, symbol>();

/** `Symbol.for` builds a string and searches the registry: read after every test, it shows. */
function slotSymbol(key: string): symbol {
  let symbol = symbols.get(key);
  if (symbol === undefined) {
    symbol = Symbol.for(`custodian.${key}`);
    symbols.set(key, symbol);
  }
  return symbol;
}

/**
 * Process-wide state lives on `globalThis` under a registered symbol, so the ESM and
 * CJS copies of the library, and every entry point, share one instance.
 */
export function globalSlot<T>(key: string, create: () => T): T {
  const symbol = slotSymbol(key);
  const store = globalThis as unknown as Record<symbol, T | undefined>;
  let value = store[symbol];
  if (value === undefined) {
    value = create();
    Object.defineProperty(globalThis, symbol, { value, configurable: true, writable: true, enumerable: false });
  }
  return value;
}

/** Replaces (or, with `undefined`, forgets) a process-wide value. */
export function setGlobalSlot<T>(key: string, value: T | undefined): void {
  const symbol = slotSymbol(key);
  if (value === undefined) {
    delete (globalThis as unknown as Record<symbol, unknown>)[symbol];
    return;
  }
  Object.defineProperty(globalThis, symbol, { value, configurable: true, writable: true, enumerable: false });
}

/** Reads a process-wide value without creating it. */
export function peekGlobalSlot<T>(key: string): T | undefined {
  return (globalThis as unknown as Record<symbol, T | undefined>)[slotSymbol(key)];
}
