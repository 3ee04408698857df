import type { GlobalsIgnore, GlobalsSnapshot, UnrestorableGlobal } from './types.js';

/** What restoring `globalThis` changed, by global name. */
export interface PropertyChanges {
  added: string[];
  changed: string[];
  deleted: string[];
  unrestorable: UnrestorableGlobal[];
}

function nameOf(key: PropertyKey): string {
  return String(key);
}

/** custodian's own process-wide slots (Symbol.for('custodian.…')) live on globalThis and are never reset. */
function isCustodianSlot(key: PropertyKey): boolean {
  if (typeof key !== 'symbol') return false;
  const registered = Symbol.keyFor(key);
  return registered !== undefined && registered.startsWith('custodian.');
}

/**
 * Registered symbols Node itself defines on `globalThis` on first use, non-configurable: its
 * bundled undici stores the global fetch dispatcher under `Symbol.for('undici.globalDispatcher.1')`
 * (and `.2` on Node 24) when `WebSocket`, `EventSource` or `fetch` first load it. They cannot be
 * deleted, and are not a test's doing: like a materialised lazy global, they join the baseline.
 * (The undici package defines the same slots when imported; that is handled the same way.)
 */
function isNodeLazySymbol(key: PropertyKey): boolean {
  if (typeof key !== 'symbol') return false;
  const registered = Symbol.keyFor(key);
  return registered !== undefined && /^undici\.globalDispatcher\.\d+$/.test(registered);
}

export function isIgnored(key: PropertyKey, rules: GlobalsIgnore['globals']): boolean {
  if (rules === undefined || rules.length === 0) return false;
  for (const rule of rules) {
    if (rule instanceof RegExp) {
      if (rule.test(nameOf(key))) return true;
    } else if (rule === key) {
      return true;
    }
  }
  return false;
}

function sameDescriptor(a: PropertyDescriptor, b: PropertyDescriptor): boolean {
  if (a.enumerable !== b.enumerable || a.configurable !== b.configurable) return false;
  if ('value' in a || 'writable' in a) return Object.is(a.value, b.value) && a.writable === b.writable && !('get' in b);
  return a.get === b.get && a.set === b.set && !('value' in b);
}

/**
 * The names, as reports give them, of the globals and environment variables that differ
 * between two snapshots (added, removed or changed from `before` to `after`).
 */
export function namesChangedBetween(before: GlobalsSnapshot, after: GlobalsSnapshot): Set<string> {
  const names = new Set<string>();
  for (const [key, descriptor] of after.globals) {
    const earlier = before.globals.get(key);
    if (earlier === undefined || !sameDescriptor(earlier, descriptor)) names.add(nameOf(key));
  }
  for (const key of before.globals.keys()) if (!after.globals.has(key)) names.add(nameOf(key));
  for (const [name, value] of after.env) if (before.env.get(name) !== value) names.add(name);
  for (const name of before.env.keys()) if (!after.env.has(name)) names.add(name);
  return names;
}

/**
 * Node defines many globals (streams, crypto, BroadcastChannel, ...) as accessors that replace
 * themselves with a data property on first use. That is not a change a test made: the value is
 * still what the baseline's getter returns.
 */
function isMaterializedLazyGlobal(baseline: PropertyDescriptor, current: PropertyDescriptor): boolean {
  if (typeof baseline.get !== 'function' || !('value' in current)) return false;
  try {
    return Object.is(baseline.get.call(globalThis), current.value);
  } catch {
    return false;
  }
}

function restoreOne(key: PropertyKey, baseline: PropertyDescriptor, current: PropertyDescriptor | undefined): string | undefined {
  if (current === undefined || current.configurable === true) {
    try {
      Object.defineProperty(globalThis, key, baseline);
      return undefined;
    } catch (error) {
      return `it cannot be redefined (${error instanceof Error ? error.message : String(error)})`;
    }
  }
  // Non-configurable: only a writable data property can still take its old value back.
  if ('value' in current && current.writable === true && 'value' in baseline) {
    return Reflect.set(globalThis, key, baseline.value) ? undefined : 'it is read-only';
  }
  return 'it is non-configurable';
}

/**
 * Puts `globalThis` back to `baseline`: deletes globals added since, and redefines changed or
 * deleted ones with their old descriptor. What cannot be undone (a non-configurable global was
 * added, or a baseline global was made read-only and non-configurable) is reported, not thrown.
 *
 * When `after` is given, it receives every own property of `globalThis` as it is once restored,
 * with its descriptor: the clean state the next reset compares against, without a second walk.
 */
export function restoreGlobalProperties(
  baseline: ReadonlyMap<PropertyKey, PropertyDescriptor>,
  ignore: GlobalsIgnore['globals'],
  after?: Map<PropertyKey, PropertyDescriptor>,
): PropertyChanges | undefined {
  let changes: PropertyChanges | undefined;
  const record = (): PropertyChanges => (changes ??= { added: [], changed: [], deleted: [], unrestorable: [] });
  const keep = (key: PropertyKey, descriptor: PropertyDescriptor | undefined): void => {
    if (after !== undefined && descriptor !== undefined) after.set(key, descriptor);
  };
  let seen = 0;
  for (const key of Reflect.ownKeys(globalThis)) {
    const before = baseline.get(key);
    if (before !== undefined) seen++;
    if (isCustodianSlot(key) || isIgnored(key, ignore)) {
      if (after !== undefined) keep(key, Object.getOwnPropertyDescriptor(globalThis, key));
      continue;
    }
    const current = Object.getOwnPropertyDescriptor(globalThis, key);
    if (current === undefined) continue;
    if (before === undefined) {
      if (isNodeLazySymbol(key) && current.configurable === false) {
        // Later changes (a test's setGlobalDispatcher(mockAgent)) are then put back like any other.
        if (baseline instanceof Map) baseline.set(key, current);
        keep(key, current);
        continue;
      }
      record().added.push(nameOf(key));
      if (!Reflect.deleteProperty(globalThis, key)) {
        record().unrestorable.push({ name: nameOf(key), reason: 'it is non-configurable and cannot be deleted' });
        keep(key, current);
      }
      continue;
    }
    if (sameDescriptor(before, current)) {
      keep(key, current);
      continue;
    }
    if (isMaterializedLazyGlobal(before, current)) {
      // Remember the materialised form, so later resets compare it directly instead of calling
      // Node's lazy getter (which redefines the property) after every test.
      if (baseline instanceof Map) baseline.set(key, current);
      keep(key, current);
      continue;
    }
    record().changed.push(nameOf(key));
    const problem = restoreOne(key, before, current);
    if (problem !== undefined) record().unrestorable.push({ name: nameOf(key), reason: problem });
    if (after !== undefined) keep(key, Object.getOwnPropertyDescriptor(globalThis, key));
  }
  if (seen < baseline.size) {
    for (const [key, before] of baseline) {
      if (Object.prototype.hasOwnProperty.call(globalThis, key) || isIgnored(key, ignore)) continue;
      record().deleted.push(nameOf(key));
      const problem = restoreOne(key, before, undefined);
      if (problem !== undefined) record().unrestorable.push({ name: nameOf(key), reason: problem });
      if (after !== undefined) keep(key, Object.getOwnPropertyDescriptor(globalThis, key));
    }
  }
  return changes;
}
