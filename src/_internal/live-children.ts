import { globalSlot } from './global-slot.js';

/** The part of a ChildProcess the exit handler needs. */
export interface ChildLike {
  readonly pid?: number | undefined;
  readonly exitCode: number | null;
  readonly signalCode: NodeJS.Signals | string | null;
  kill(signal?: NodeJS.Signals | number): boolean;
}

/**
 * Every child process currently held by any registry of the process (both builds share the
 * set). The lifecycle's exit handler kills what is left in it synchronously, so a test run that
 * ends abruptly leaves no orphans behind. The registry adds entries of kind `process` on
 * register and removes them once disposed or unregistered.
 */
export const liveChildren: Set<ChildLike> = globalSlot('liveChildren', () => new Set<ChildLike>());

export function isChildLike(value: unknown): value is ChildLike {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as ChildLike).kill === 'function' &&
    'exitCode' in value &&
    'signalCode' in value
  );
}
