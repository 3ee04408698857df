import { afterEach, describe, expect, it } from 'vitest';
import { cleanupAll } from '../../src/lifecycle/cleanup-all.js';
import { configure, resetConfiguration } from '../../src/lifecycle/configure.js';
import { setMemoryMonitor } from '../../src/memory/global-monitor.js';
import { MemoryMonitor } from '../../src/memory/memory-monitor.js';
import { forceGc } from '../../src/memory/force-gc.js';
import { isCustodianError } from '../../src/errors.js';

const kept: unknown[] = [];

// A million doubles in a packed array: 8 MiB on the V8 heap (a large string would be external).
function keepEightMebibytes(): void {
  kept.push(Array.from({ length: 1024 * 1024 }, (_, index) => index + 0.5));
}

afterEach(() => {
  setMemoryMonitor(undefined);
  resetConfiguration();
  kept.length = 0;
});

describe('cleanupAll (memory step)', () => {
  it('ends the sample the monitor is taking and reports it under the name it was given', async () => {
    const monitor = new MemoryMonitor({ gc: 'always' });
    setMemoryMonitor(monitor);
    // Earlier garbage would otherwise be collected into this test's delta.
    forceGc();
    monitor.before('placeholder');
    monitor.label('keeps 8 MiB');
    keepEightMebibytes();
    const report = await cleanupAll();
    expect(report.memory).toMatchObject({ scope: 'keeps 8 MiB', gc: true });
    expect(report.memory!.deltaBytes).toBeGreaterThan(7 * 1024 * 1024);
    expect(monitor.measuring).toBe(false);
    expect(monitor.samples).toHaveLength(1);
  });

  it('is skipped when nothing is being measured', async () => {
    setMemoryMonitor(new MemoryMonitor());
    const report = await cleanupAll();
    expect(report.memory).toBeUndefined();
    expect(report.steps.find((step) => step.step === 'memory')?.status).toBe('skipped');
  });

  it('fails with ERR_MEMORY_THRESHOLD when a test keeps more than memory.failBytes after a GC', async () => {
    configure({ memory: { gc: 'always', failBytes: 4 * 1024 * 1024 } });
    const monitor = new MemoryMonitor({ gc: 'always', failBytes: 4 * 1024 * 1024 });
    setMemoryMonitor(monitor);
    forceGc();
    monitor.before('keeps 8 MiB');
    keepEightMebibytes();
    const error = await cleanupAll().catch((caught: unknown) => caught);
    expect(isCustodianError(error, 'ERR_CLEANUP_FAILED')).toBe(true);
    const failed = (error as { report: { failed: Array<{ step: string; error: unknown }> } }).report.failed;
    expect(failed.map((step) => step.step)).toEqual(['memory']);
    expect(isCustodianError(failed[0]!.error, 'ERR_MEMORY_THRESHOLD')).toBe(true);
  });
});
