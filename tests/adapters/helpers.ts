import { expect } from 'vitest';
import { isAlive } from '../_process.js';

/** Counts of `process.getActiveResourcesInfo()` by type. */
export function activeResources(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const type of process.getActiveResourcesInfo()) counts.set(type, (counts.get(type) ?? 0) + 1);
  return counts;
}

/**
 * The baseline to compare against: taken once handles closed by earlier tests have finished
 * closing (their close callbacks run in a later turn of the loop).
 */
export async function baselineResources(): Promise<Map<string, number>> {
  for (let turn = 0; turn < 3; turn++) await nextTurn();
  return activeResources();
}

/** One turn of the event loop: handles closed during it have run their close callbacks. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Asserts that the active resources of the given types are back to `baseline`, letting the loop
 * run its close phase first (a bounded number of turns, not a time).
 */
export async function expectResourcesBack(baseline: Map<string, number>, types: readonly string[]): Promise<void> {
  const pick = (counts: Map<string, number>): Record<string, number> =>
    Object.fromEntries(types.map((type) => [type, counts.get(type) ?? 0]));
  for (let turn = 0; turn < 20; turn++) {
    await nextTurn();
    if (JSON.stringify(pick(activeResources())) === JSON.stringify(pick(baseline))) break;
  }
  expect(pick(activeResources())).toEqual(pick(baseline));
}

/** Whether `pid` no longer exists at all (`kill(pid, 0)` fails with ESRCH). */
export function pidGone(pid: number): boolean {
  return !isAlive(pid);
}

/**
 * Waits until `pid` is gone. An orphan that died is reaped by init, which in some containers
 * happens only every second or so; the bound is generous and only limits a failing test.
 */
export async function waitForPidGone(pid: number, limitMs = 15_000): Promise<boolean> {
  const end = Date.now() + limitMs;
  while (!pidGone(pid)) {
    if (Date.now() > end) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return true;
}
