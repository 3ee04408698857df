import { readdirSync, readFileSync } from 'node:fs';

const POSIX = process.platform !== 'win32';
const PROC = process.platform === 'linux';

function errorCode(error: unknown): unknown {
  return typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
}

/**
 * Whether a process group with id `pgid` still has a member. Linux does not hand a pid out again
 * while it is in use as a group id, so a group named after our child's pid is our child's group
 * (the one it leads since `spawn(..., { detached: true })`, or created with `setsid`/`setpgid`).
 */
export function groupExists(pgid: number): boolean {
  if (!POSIX || !(pgid > 1)) return false;
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    // EPERM: a member exists but belongs to another user.
    return errorCode(error) === 'EPERM';
  }
}

/**
 * Whether the group has a member that is still running. A member that died after its parent
 * (the leader we spawned) is re-parented to init and stays a zombie until init reaps it, which
 * some container inits do only every second or so; a zombie holds no resources but still
 * answers `kill(0)`. On Linux, /proc tells zombies apart; elsewhere any member counts.
 */
export function groupAlive(pgid: number): boolean {
  if (!groupExists(pgid)) return false;
  if (!PROC) return true;
  try {
    for (const entry of readdirSync('/proc')) {
      if (entry.charCodeAt(0) < 48 || entry.charCodeAt(0) > 57) continue;
      let stat: string;
      try {
        stat = readFileSync(`/proc/${entry}/stat`, 'latin1');
      } catch {
        continue; // exited while we looked
      }
      // pid (comm) state ppid pgrp ...; comm may contain spaces and parentheses.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid && fields[0] !== 'Z' && fields[0] !== 'X') return true;
    }
    return false;
  } catch {
    return true;
  }
}

/** Sends `signal` to every member of the group; false when there was none left. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  if (!POSIX || !(pgid > 1)) return false;
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}
