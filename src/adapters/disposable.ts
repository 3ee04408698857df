import { defineAdapter } from './adapter.js';

function hasMethod(value: unknown, key: symbol): boolean {
  return typeof value === 'object' && value !== null && typeof (value as Record<symbol, unknown>)[key] === 'function';
}

/** Anything with `Symbol.asyncDispose`: awaited on close. Consulted after every specific adapter. */
export const asyncDisposableAdapter = defineAdapter<AsyncDisposable>({
  name: 'async disposable',
  kind: 'disposable',
  matches: (value): value is AsyncDisposable => hasMethod(value, Symbol.asyncDispose),
  close: (value) => value[Symbol.asyncDispose](),
  describe: (value) => `async disposable ${constructorName(value)}`.trimEnd(),
});

/** Anything with `Symbol.dispose`. Consulted last. */
export const disposableAdapter = defineAdapter<Disposable>({
  name: 'disposable',
  kind: 'disposable',
  matches: (value): value is Disposable => hasMethod(value, Symbol.dispose),
  close: (value) => value[Symbol.dispose](),
  describe: (value) => `disposable ${constructorName(value)}`.trimEnd(),
});

function constructorName(value: object): string {
  const name = (Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null)?.constructor?.name;
  return name && name !== 'Object' ? name : '';
}
