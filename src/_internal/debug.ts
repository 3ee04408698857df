import { createRequire } from 'node:module';
import type { Debugger } from 'debug';

/** The areas the library logs under, as `custodian:<area>` debug namespaces. */
export type DebugArea = 'registry' | 'runner' | 'globals' | 'leaks' | 'memory' | 'typeorm' | 'cli' | 'lifecycle';

/** What the library logs through: a `debug` logger, or a silent one when `DEBUG` is not set. */
export interface Logger {
  (formatter: unknown, ...args: unknown[]): void;
  readonly enabled: boolean;
}

const SILENT: Logger = Object.assign((): void => {}, { enabled: false });

// Loading `debug` costs 10 to 15 ms (it probes the terminal for colours), paid in every test
// worker of every run, which is a sixth of a small test file's time. It is loaded only when
// DEBUG is set as custodian loads: the variable `debug` itself reads, at the moment it would
// have read it. A later `debug.enable()` does not reach custodian's namespaces.
const wanted = typeof process.env.DEBUG === 'string' && process.env.DEBUG !== '';
let createDebug: ((namespace: string) => Debugger) | undefined;

/**
 * A `debug` logger for one area: enable with `DEBUG=custodian:*` (or `custodian:<area>`) in the
 * environment of the process, before it starts.
 */
export function logger(area: DebugArea): Logger {
  if (!wanted) return SILENT;
  // In the CJS build import.meta is empty; __filename is what locates the package there.
  createDebug ??= createRequire(typeof __filename === 'string' ? __filename : import.meta.url)('debug') as (namespace: string) => Debugger;
  return createDebug(`custodian:${area}`);
}
