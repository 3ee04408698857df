import { ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { describeCommand } from '../_internal/command-line.js';
import { defineAdapter } from './adapter.js';
import { groupAlive, groupExists, signalGroup } from './process-group.js';
import { waitForEvent, waitUntil } from './wait-for.js';

type Stdio = (Readable | Writable) & { closed?: boolean };

function hasExited(child: ChildProcess): boolean {
  // Set by Node right before 'exit' is emitted; `killed` only says a signal was sent.
  return child.exitCode !== null || child.signalCode !== null;
}

function openStdio(child: ChildProcess): Stdio[] {
  const streams: Stdio[] = [];
  for (const stream of child.stdio ?? []) {
    if (stream !== null && stream !== undefined && (stream as Stdio).closed !== true) streams.push(stream as Stdio);
  }
  return streams;
}

/**
 * Children seen leading a process group while they were alive. While a child has not been
 * reaped its pid cannot belong to anyone else, so a group named after that pid is the one it
 * leads (spawned with `detached: true`, or after `setsid`). Once it has exited, its pid may in
 * time be reused, so a group of that id is only signalled for a child seen leading it: never a
 * stranger's. The child is looked at when it is registered (`matches`) and when it is closed.
 */
const leaders = new WeakSet<ChildProcess>();

function noteLeadership(child: ChildProcess): void {
  if (child.pid !== undefined && !hasExited(child) && !leaders.has(child) && groupExists(child.pid)) leaders.add(child);
}

/** The id of the group the child leads or led, when it was seen leading one. */
function groupOf(child: ChildProcess): number | undefined {
  noteLeadership(child);
  return leaders.has(child) ? child.pid : undefined;
}

function isGone(child: ChildProcess): boolean {
  if (child.pid === undefined) return true; // it never started (ENOENT, EACCES)
  if (!hasExited(child)) return false;
  const group = groupOf(child);
  return group === undefined || !groupAlive(group);
}

function sendSignal(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  // Signal the whole group, so grandchildren do not outlive the child; after the child
  // exited, the group is what it left behind.
  const group = groupOf(child);
  if (group !== undefined) signalGroup(group, signal);
  if (!hasExited(child)) {
    try {
      child.kill(signal);
    } catch {
      // kill() throws only for an invalid signal; ESRCH is reported as false.
    }
  }
}

async function waitUntilGone(child: ChildProcess, signal?: AbortSignal): Promise<void> {
  if (!hasExited(child)) await waitForEvent(child, 'exit', signal);
  const group = groupOf(child);
  if (group !== undefined && groupExists(group)) await waitUntil(() => !groupAlive(group), { signal });
  // The pipes close once the child's side is closed; a grandchild that inherited them keeps
  // them open, and then only the forced close (which destroys our ends) gets past it.
  await Promise.all(openStdio(child).map((stream) => waitForEvent(stream, 'close', signal)));
}

/** `child process 4242 "node fixture.js"`, with paths shortened and secret-looking arguments masked. */
export function describeChild(child: ChildProcess): string {
  const shown = describeCommand(child.spawnargs);
  const command = shown ? ` "${shown}"` : '';
  const state = child.pid === undefined ? ' (not started)' : hasExited(child) ? ' (exited)' : '';
  return `child process ${child.pid ?? '-'}${command}${state}`;
}

/**
 * `ChildProcess` (from `spawn`, `exec`, `execFile`, `fork`).
 *
 * Graceful: SIGTERM, to the whole process group when the child leads one (spawned with
 * `detached: true`), then wait for the `'exit'` event (not `killed`, which only says a signal
 * was sent), for every other member of its group to be gone, and for its stdio pipes to close.
 * Forced, after the graceful deadline: SIGKILL to the group and the child, our ends of the
 * pipes and the IPC channel closed, and the same wait. A child that has exited and left no
 * running group member behind counts as closed, as does one that never started.
 *
 * A detached child that had already exited when it was first registered is not known to
 * have led a group (its pid may since belong to someone else), so what it left behind in its
 * group is not touched.
 *
 * On Windows there are no process groups: the child alone is signalled (Node terminates it).
 */
export const childProcessAdapter = defineAdapter<ChildProcess>({
  name: 'child process',
  kind: 'process',
  matches: (value): value is ChildProcess => {
    if (!(value instanceof ChildProcess)) return false;
    noteLeadership(value);
    return true;
  },
  isClosed: isGone,
  close: (child, { signal }) => {
    if (child.pid === undefined) return undefined;
    sendSignal(child, 'SIGTERM');
    return waitUntilGone(child, signal);
  },
  forceClose: (child) => {
    if (child.pid === undefined) return undefined;
    sendSignal(child, 'SIGKILL');
    for (const stream of openStdio(child)) stream.destroy();
    if (child.connected) child.disconnect();
    return waitUntilGone(child);
  },
  describe: describeChild,
});
