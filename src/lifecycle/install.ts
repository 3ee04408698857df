import { installExitHandlers, setExitHandlersOptOut, uninstallExitHandlers } from '../_internal/exit-handlers.js';
import { stopListenerTracking } from '../globals/listener-origins.js';

/**
 * Installs custodian's process-wide handlers, once per process (both builds share them):
 * `exit`, `SIGINT`, `SIGTERM` and `SIGHUP` listeners that kill every child process still held by
 * a registry, so none outlives the test run.
 *
 * - On `exit` (normal end, `process.exit()`, an uncaught error): the children are killed
 *   synchronously with SIGKILL; a child that leads a process group (`detached: true`) is killed
 *   with its group.
 * - On a signal: when another listener owns the signal (the test framework's, yours), custodian
 *   does nothing then: that listener decides whether the process ends, and the `exit` handler
 *   runs when it does. When custodian's listener is the only one, Node would have died of the
 *   signal without it: custodian kills the children, removes its own listener for that signal
 *   and raises the signal again, so the process ends exactly as it would have (signal exit
 *   status, no `exit` event). custodian never calls `process.exit()`.
 *
 * Installed automatically when a registry takes a child process (without one they have nothing
 * to do, so a test worker that never registers a child gets no signal listeners), unless
 * {@link uninstall} was called; `configure()` and `install()` opt back in and install them.
 * Idempotent.
 */
export function install(): void {
  setExitHandlersOptOut(false);
  installExitHandlers();
}

/**
 * Removes every process-wide listener custodian added: the exit and signal handlers of
 * {@link install} and the `newListener` listener that records where `process` listeners come
 * from (started by `snapshotGlobals()`). Idempotent. The handlers stay off (registries taking
 * child processes no longer install them) until `install()` puts them back.
 */
export function uninstall(): void {
  setExitHandlersOptOut(true);
  uninstallExitHandlers();
  stopListenerTracking();
}
