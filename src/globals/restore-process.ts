import { EventEmitter } from 'node:events';
import { isExitHandler } from '../_internal/exit-handlers.js';
import { envTarget } from './env-watch.js';
import { isRuntimeListener, isTrackerListener, wasRemovedByRuntime } from './listener-origins.js';
import type { GlobalsIgnore, GlobalsSnapshot, ListenerChange } from './types.js';

/** What restoring `process.env` changed, by variable name (never value). */
export interface EnvChanges {
  added: string[];
  changed: string[];
  deleted: string[];
}

function envIgnored(name: string, rules: GlobalsIgnore['env']): boolean {
  if (rules === undefined || rules.length === 0) return false;
  for (const rule of rules) {
    if (typeof rule === 'string' ? rule === name : rule.test(name)) return true;
  }
  return false;
}

/**
 * Puts `process.env` back: removes added variables, restores changed and deleted ones. Compares
 * every variable, reading the environment object without going through custodian's counting
 * `process.env` accessor, so restoring does not count as a use.
 */
export function restoreEnv(baseline: ReadonlyMap<string, string>, ignore: GlobalsIgnore['env']): EnvChanges | undefined {
  return compareEnv(baseline, ignore, true);
}

/**
 * Whether `process.env` holds what `baseline` holds (ignored variables aside): what
 * `restoreEnv()` would find nothing to change in. Changes nothing, and does not count as a use.
 */
export function envMatches(baseline: ReadonlyMap<string, string>, ignore: GlobalsIgnore['env']): boolean {
  return compareEnv(baseline, ignore, false) === undefined;
}

function compareEnv(baseline: ReadonlyMap<string, string>, ignore: GlobalsIgnore['env'], restore: boolean): EnvChanges | undefined {
  let changes: EnvChanges | undefined;
  const record = (): EnvChanges => (changes ??= { added: [], changed: [], deleted: [] });
  const env = envTarget();
  let seen = 0;
  for (const name of Object.keys(env)) {
    const before = baseline.get(name);
    if (before !== undefined) seen++;
    const value = env[name];
    if (before === value || envIgnored(name, ignore)) continue;
    if (before === undefined) {
      record().added.push(name);
      if (restore) delete env[name];
    } else {
      record().changed.push(name);
      if (restore) env[name] = before;
    }
  }
  if (seen < baseline.size) {
    for (const [name, before] of baseline) {
      if (Object.prototype.hasOwnProperty.call(env, name) || envIgnored(name, ignore)) continue;
      record().deleted.push(name);
      if (restore) env[name] = before;
    }
  }
  return changes;
}

/** Listeners a reset never removes: custodian's own, and those Node or a test framework added. */
function isKept(listener: Function): boolean {
  return isTrackerListener(listener) || isExitHandler(listener) || isRuntimeListener(listener);
}

function sameList(a: readonly Function[], b: readonly Function[]): boolean {
  if (a.length !== b.length) return false;
  for (let index = 0; index < a.length; index++) if (a[index] !== b[index]) return false;
  return true;
}

/** Removes from `list` one occurrence of `item`; returns whether it was there. */
function take(list: Function[], item: Function): boolean {
  const index = list.indexOf(item);
  if (index === -1) return false;
  list.splice(index, 1);
  return true;
}

function restoreEvent(event: string | symbol, before: readonly Function[], current: readonly Function[]): ListenerChange | undefined {
  const unmatched = before.slice();
  let removed = 0;
  for (const listener of current) {
    if (take(unmatched, listener) || isKept(listener)) continue;
    // By reference: removeListener also matches a `once` wrapper passed as itself.
    process.removeListener(event, listener as (...args: unknown[]) => void);
    removed++;
  }
  let restored = 0;
  for (const listener of unmatched) {
    // A `once` listener that is gone has almost always fired: that is its normal life, and its
    // spent wrapper could never fire again anyway.
    if (typeof (listener as { listener?: unknown }).listener === 'function') continue;
    // Node or the framework took it out on purpose (and will put it back itself if it wants);
    // custodian's own are added and removed by install() and uninstall() only.
    if (wasRemovedByRuntime(listener) || isTrackerListener(listener) || isExitHandler(listener)) continue;
    process.on(event, listener as (...args: unknown[]) => void);
    restored++;
  }
  if (removed === 0 && restored === 0) return undefined;
  return { event: String(event), removed, restored };
}

/**
 * Puts the `process` listeners back: removes those added since the baseline (by reference),
 * except custodian's own and those Node or a test framework added (see `listener-origins.ts`),
 * and adds back baseline listeners the test removed (appended: their old position is not kept;
 * those Node or the framework removed stay removed).
 */
export function restoreListeners(
  baseline: GlobalsSnapshot['listeners'],
  ignore: GlobalsIgnore['events'],
): ListenerChange[] | undefined {
  let changes: ListenerChange[] | undefined;
  const events = process.eventNames();
  let seen = 0;
  for (const event of events) {
    if (baseline.has(event)) seen++;
    if (ignore !== undefined && ignore.includes(event)) continue;
    const current = process.rawListeners(event);
    const before = baseline.get(event) ?? [];
    if (sameList(before, current)) continue;
    const change = restoreEvent(event, before, current);
    if (change !== undefined) (changes ??= []).push(change);
  }
  if (seen < baseline.size) {
    for (const [event, before] of baseline) {
      if (events.includes(event) || (ignore !== undefined && ignore.includes(event))) continue;
      const change = restoreEvent(event, before, []);
      if (change !== undefined) (changes ??= []).push(change);
    }
  }
  return changes;
}

function isFailureCode(code: unknown): boolean {
  return code !== undefined && code !== null && code !== 0 && code !== '0';
}

/**
 * Puts back `EventEmitter.defaultMaxListeners` and `process.exitCode`, recording what it put
 * back in `changed` and what it deliberately left in `kept`.
 *
 * An exit code that became a failure code since the baseline is left alone: Node sets one for an
 * unhandled rejection under `--unhandled-rejections=warn-with-error-code`, and node:test sets
 * one mid-run for asynchronous activity after a test ended. Clearing it could turn a failing run
 * green, which is worse than a test's stray `process.exitCode = 1` failing the run visibly.
 */
/** Whether the settings `restoreSettings()` looks after are as at the baseline. */
export function settingsUnchanged(baseline: GlobalsSnapshot): boolean {
  return EventEmitter.defaultMaxListeners === baseline.defaultMaxListeners && process.exitCode === baseline.exitCode;
}

export function restoreSettings(baseline: GlobalsSnapshot, changed: string[], kept: string[]): void {
  if (EventEmitter.defaultMaxListeners !== baseline.defaultMaxListeners) {
    EventEmitter.defaultMaxListeners = baseline.defaultMaxListeners;
    changed.push('EventEmitter.defaultMaxListeners');
  }
  const exitCode = process.exitCode;
  if (exitCode !== baseline.exitCode) {
    if (isFailureCode(exitCode)) {
      kept.push('process.exitCode');
    } else {
      process.exitCode = baseline.exitCode as number | undefined;
      changed.push('process.exitCode');
    }
  }
}
