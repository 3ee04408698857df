import { CustodianError } from '../errors.js';
import type { MemorySample } from './types.js';

function mebibytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/**
 * A test kept more heap than the `memory.failBytes` threshold allows, measured after a full
 * garbage collection (raw deltas are mostly garbage and never fail a test). Code
 * `ERR_MEMORY_THRESHOLD`; `sample` has the numbers.
 */
export class MemoryThresholdError extends CustodianError {
  override name = 'MemoryThresholdError';
  /** The sample that crossed the threshold. */
  readonly sample: MemorySample;
  /** The threshold, in bytes. */
  readonly failBytes: number;

  constructor(sample: MemorySample, failBytes: number) {
    super(
      'ERR_MEMORY_THRESHOLD',
      `${sample.scope} kept ${mebibytes(sample.deltaBytes)} of heap after a full GC, over the ${mebibytes(failBytes)} ` +
        'allowed per test (memory.failBytes). Release what the test holds (caches, listeners, module state) ' +
        'in afterEach or with registerGlobalReset(), or raise the threshold.',
    );
    this.sample = sample;
    this.failBytes = failBytes;
  }
}
