import type { Adapter } from './adapter.js';
import { abortControllerAdapter } from './abort-controller.js';
import { childProcessAdapter } from './child-process.js';
import { databaseAdapters } from './databases/index.js';
import { asyncDisposableAdapter, disposableAdapter } from './disposable.js';
import { serverAdapter } from './net-server.js';
import { socketAdapter } from './net-socket.js';
import { portAdapters } from './ports.js';
import { timerAdapters } from './timers.js';
import { watcherAdapter } from './watchers.js';
import { workerAdapter } from './worker.js';

/**
 * The built-in adapters in the order they are consulted. Specific shapes come first:
 * Node's timers, servers and child processes also carry `Symbol.dispose` /
 * `Symbol.asyncDispose`, but those do less than a full close (a server's leaves its
 * keep-alive connections open), so the generic disposable adapters come last.
 */
export const BUILTIN_ADAPTERS: readonly Adapter<unknown>[] = [
  ...timerAdapters,
  socketAdapter,
  serverAdapter,
  workerAdapter,
  childProcessAdapter,
  watcherAdapter,
  ...portAdapters,
  abortControllerAdapter,
  ...databaseAdapters,
  asyncDisposableAdapter,
  disposableAdapter,
] as Adapter<unknown>[];
