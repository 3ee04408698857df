import { globalSlot, peekGlobalSlot, setGlobalSlot } from '../_internal/global-slot.js';
import { MemoryMonitor } from './memory-monitor.js';
import type { MemoryMonitorOptions } from './types.js';

const SLOT = 'memoryMonitor';

/**
 * The process-wide {@link MemoryMonitor} that `cleanupAll()` and the integrations drive.
 * Created on first use with `options` (later calls ignore them; use {@link setMemoryMonitor}
 * to replace it). Shared by the ESM and CJS copies of the library.
 */
export function getMemoryMonitor(options?: MemoryMonitorOptions): MemoryMonitor {
  return globalSlot(SLOT, () => new MemoryMonitor(options));
}

/** Replaces the process-wide monitor (or, with `undefined`, forgets it). */
export function setMemoryMonitor(monitor: MemoryMonitor | undefined): void {
  setGlobalSlot(SLOT, monitor);
}

/** The process-wide monitor if one was created, without creating it. */
export function peekMemoryMonitor(): MemoryMonitor | undefined {
  return peekGlobalSlot<MemoryMonitor>(SLOT);
}
