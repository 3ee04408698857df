import { logger } from './debug.js';
import { globalSlot } from './global-slot.js';
import { liveChildren, type ChildLike } from './live-children.js';

const log = logger('lifecycle');

/** The signals whose default action ends the process and would leave children behind. */
export const EXIT_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
export type ExitSignal = (typeof EXIT_SIGNALS)[number];

interface HandlerRow {
  readonly event: 'exit' | ExitSignal;
  readonly handler: (...args: unknown[]) => void;
  installed: boolean;
}

/**
 * Kills, synchronously and with SIGKILL, every child process still held by a registry. A child
 * that leads its own process group (spawned with `detached: true`) is killed with its whole
 * group, so its own children go too. SIGKILL because this runs from an `exit` handler, which
 * cannot wait for a graceful stop: an unclean stop is better than an orphan that outlives the
 * run. Returns how many children were signalled.
 */
export function killLiveChildren(): number {
  if (liveChildren.size === 0) return 0;
  let killed = 0;
  for (const child of liveChildren) {
    if (killChild(child)) killed++;
  }
  return killed;
}

function killChild(child: ChildLike): boolean {
  if (child.exitCode !== null || child.signalCode !== null) return false;
  const pid = child.pid;
  if (pid === undefined) return false;
  if (process.platform !== 'win32') {
    // A group with id === pid exists only when this child leads it (ids of live processes and of
    // groups whose leader lives are never reused), so this never reaches an unrelated group.
    try {
      process.kill(-pid, 'SIGKILL');
      return true;
    } catch {
      // ESRCH: the child does not lead a group; kill it alone.
    }
  }
  try {
    return child.kill('SIGKILL');
  } catch {
    return false;
  }
}

function onExit(): void {
  const killed = killLiveChildren();
  if (killed > 0 && log.enabled) log('process exiting: killed %d child process(es) still registered', killed);
}

function onSignal(signal: ExitSignal): void {
  // Another listener (the test framework's, the user's) owns this signal: it decides whether the
  // process ends, and if it does, the exit handler kills the children then.
  if (process.listenerCount(signal) > 1) return;
  killLiveChildren();
  // We are the only listener, so without us Node would have died of this signal. Remove our
  // handler (Node then restores the default disposition) and raise the signal again: the process
  // ends as it would have, with the signal as its exit status. Never process.exit().
  uninstallRow(rows.find((row) => row.event === signal)!);
  process.kill(process.pid, signal);
}

// One table, shared by both builds: installed once per process, removed in one go.
const rows: HandlerRow[] = globalSlot('exitHandlers', () => [
  { event: 'exit', handler: onExit, installed: false },
  ...EXIT_SIGNALS.map((signal) => ({ event: signal, handler: () => onSignal(signal), installed: false })),
]);

function uninstallRow(row: HandlerRow): void {
  if (!row.installed) return;
  process.removeListener(row.event, row.handler);
  row.installed = false;
}

/**
 * Installs the exit and signal handlers that keep child processes from becoming orphans
 * (idempotent). See {@link killLiveChildren} for what they do.
 */
export function installExitHandlers(): void {
  for (const row of rows) {
    if (row.installed) continue;
    process.on(row.event, row.handler);
    row.installed = true;
  }
}

/** Removes every handler {@link installExitHandlers} added (idempotent). */
export function uninstallExitHandlers(): void {
  for (const row of rows) uninstallRow(row);
}

// Whether the user removed the handlers on purpose (uninstall()): automatic installs then stop
// until install() is called again.
const choice: { optedOut: boolean } = globalSlot('exitHandlersChoice', () => ({ optedOut: false }));

/** Records the user's choice: `install()` opts in again, `uninstall()` opts out of automatic installs. */
export function setExitHandlersOptOut(optedOut: boolean): void {
  choice.optedOut = optedOut;
}

/**
 * Installs the handlers unless the user opted out with `uninstall()`: called when a registry
 * takes a child process and when `cleanupAll()` runs, so a child registered in the very first
 * test is protected too. Cheap once installed.
 */
export function ensureExitHandlers(): void {
  if (choice.optedOut || rows[0]!.installed) return;
  installExitHandlers();
}

/** Whether every handler of the table is installed. */
export function exitHandlersInstalled(): boolean {
  return rows.every((row) => row.installed);
}

/** Whether `listener` is one of these handlers: a globals reset must never remove them. */
export function isExitHandler(listener: Function): boolean {
  for (const row of rows) if (row.handler === listener) return true;
  return false;
}
