import dc from 'node:diagnostics_channel';
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';
import timers from 'node:timers';
import { Worker } from 'node:worker_threads';
import { globalSlot } from '../_internal/global-slot.js';
import type { LeakKind } from './types.js';

/**
 * Creation probes: the cheap points where a handle is seen at the moment it is created, so
 * that it can be attributed to the running test (what a diff of live handles alone cannot do
 * for a handle created in a `beforeAll` between two tests).
 *
 * No async_hooks: a hook on every promise makes promise-heavy code 2.3x (init only) to 9x
 * (with destroy) slower. Instead, the functions that create handles are wrapped (timers,
 * `Socket#connect`, `Server#listen`, `fs.watch`) and Node's diagnostics channels are used
 * where they exist on Node 20 and 24 (`child_process`, `worker_threads`). Everything else
 * (message ports, watchers from `fs.watchFile`) is found by diffing `process._getActiveHandles()`.
 */

/** Called synchronously, in the creator's context, for every handle a probe sees. */
export interface ProbeListener {
  created(handle: object, kind: LeakKind, below: Function, target?: string): void;
}

/** Marks a Worker on which `unref()` was called: Node gives no way to read that back. */
export const WORKER_UNREFED: unique symbol = Symbol.for('custodian.leaks.workerUnrefed') as never;

interface ProbeState {
  readonly listeners: Set<ProbeListener>;
  /** Node's own functions, for the tracker's settle timers (which must not be tracked). */
  readonly original: { setTimeout: typeof setTimeout; setImmediate: typeof setImmediate };
  uninstall: (() => void) | undefined;
}

// Shared by the ESM and CJS copies: a second copy must not wrap the wrappers again.
const state = globalSlot<ProbeState>('leakProbes', () => ({
  listeners: new Set(),
  original: { setTimeout: globalThis.setTimeout, setImmediate: globalThis.setImmediate },
  uninstall: undefined,
}));

/** Node's unwrapped `setTimeout` and `setImmediate`. */
export const originalTimers = state.original;

function notify(handle: object, kind: LeakKind, below: Function, target?: string): void {
  for (const listener of state.listeners) listener.created(handle, kind, below, target);
}

/** Adds a listener; installs the probes with the first one. Disposing removes it (and the probes with the last). */
export function addProbeListener(listener: ProbeListener): Disposable {
  state.listeners.add(listener);
  state.uninstall ??= install();
  return {
    [Symbol.dispose]() {
      state.listeners.delete(listener);
      if (state.listeners.size === 0 && state.uninstall !== undefined) {
        const uninstall = state.uninstall;
        state.uninstall = undefined;
        uninstall();
      }
    },
  };
}

type AnyFunction = (this: unknown, ...args: unknown[]) => unknown;

/** Replaces `owner[key]` by `wrap(original)`, copying the original's own properties (util.promisify.custom). */
function patch(owner: object, key: string, wrap: (original: AnyFunction) => AnyFunction): () => void {
  const target = owner as Record<string, AnyFunction>;
  const original = target[key];
  if (typeof original !== 'function') return () => undefined;
  const wrapper = wrap(original);
  for (const property of Reflect.ownKeys(original)) {
    if (property === 'prototype' || property === 'length' || property === 'name') continue;
    const descriptor = Reflect.getOwnPropertyDescriptor(original, property);
    if (descriptor !== undefined) Reflect.defineProperty(wrapper, property, descriptor);
  }
  Object.defineProperty(wrapper, 'name', { value: original.name, configurable: true });
  target[key] = wrapper;
  return () => {
    // Someone else (fake timers) may have replaced it since; leave theirs in place.
    if (target[key] === wrapper) target[key] = original;
  };
}

function wrapTimer(original: AnyFunction): AnyFunction {
  return function wrapped(this: unknown, ...args: unknown[]) {
    const timer = Reflect.apply(original, this, args) as object;
    if (state.listeners.size > 0) notify(timer, 'timer', wrapped);
    return timer;
  };
}

/** The address a `Socket#connect` call aims at, from its many signatures. */
function connectTarget(args: unknown[]): string | undefined {
  let first = args[0];
  // net.connect() passes its normalised arguments as one array.
  if (Array.isArray(first)) first = first[0];
  if (typeof first === 'object' && first !== null) {
    const options = first as { path?: unknown; host?: unknown; port?: unknown };
    if (typeof options.path === 'string') return options.path;
    return `${typeof options.host === 'string' ? options.host : 'localhost'}:${String(options.port)}`;
  }
  if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
    return `${typeof args[1] === 'string' ? args[1] : 'localhost'}:${String(first)}`;
  }
  return typeof first === 'string' ? first : undefined;
}

function install(): () => void {
  const undo: Array<() => void> = [];
  for (const kind of ['setTimeout', 'setInterval'] as const) {
    undo.push(patch(globalThis, kind, wrapTimer));
    // node:timers exports the same functions; wrap them too, and sync the ESM named exports.
    undo.push(patch(timers, kind, () => (globalThis as unknown as Record<string, AnyFunction>)[kind] as AnyFunction));
  }
  undo.push(
    patch(net.Socket.prototype, 'connect', (original) =>
      function connect(this: unknown, ...args: unknown[]) {
        if (state.listeners.size > 0) notify(this as object, 'socket', connect, connectTarget(args));
        return Reflect.apply(original, this, args);
      }),
  );
  undo.push(
    patch(net.Server.prototype, 'listen', (original) =>
      function listen(this: unknown, ...args: unknown[]) {
        if (state.listeners.size > 0) notify(this as object, 'server', listen);
        return Reflect.apply(original, this, args);
      }),
  );
  undo.push(
    patch(fs, 'watch', (original) =>
      function watch(this: unknown, ...args: unknown[]) {
        const watcher = Reflect.apply(original, this, args) as object;
        if (state.listeners.size > 0) notify(watcher, 'watcher', watch, String(args[0]));
        return watcher;
      }),
  );
  for (const [method, value] of [['unref', true], ['ref', false]] as const) {
    undo.push(
      patch(Worker.prototype, method, (original) =>
        function refToggle(this: unknown, ...args: unknown[]) {
          (this as Record<symbol, boolean>)[WORKER_UNREFED] = value;
          return Reflect.apply(original, this, args);
        }),
    );
  }
  syncBuiltinESMExports();

  // The channels publish synchronously from the constructor, so the creator's stack is below us.
  const onChild = (message: unknown): void => {
    const child = (message as { process?: object }).process;
    if (child !== undefined && state.listeners.size > 0) notify(child, 'process', onChild);
  };
  const onWorker = (message: unknown): void => {
    const worker = (message as { worker?: object }).worker;
    if (worker !== undefined && state.listeners.size > 0) notify(worker, 'thread', onWorker);
  };
  dc.subscribe('child_process', onChild);
  dc.subscribe('worker_threads', onWorker);

  return () => {
    dc.unsubscribe('child_process', onChild);
    dc.unsubscribe('worker_threads', onWorker);
    for (const step of undo.reverse()) step();
    syncBuiltinESMExports();
  };
}
