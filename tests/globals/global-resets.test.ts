import { afterEach, describe, expect, it } from 'vitest';
import { registerGlobalReset } from '../../src/globals/global-resets.js';
import { clearGlobalsBaseline } from '../../src/globals/snapshot.js';
import { resetGlobals } from '../../src/globals/reset-globals.js';
import { isCustodianError } from '../../src/errors.js';

const handles: Disposable[] = [];
afterEach(() => {
  for (const handle of handles.splice(0)) handle[Symbol.dispose]();
  clearGlobalsBaseline();
});

describe('registerGlobalReset', () => {
  it('runs resets last registered first, each awaited before the next', async () => {
    const order: string[] = [];
    handles.push(
      registerGlobalReset('first', () => order.push('first')),
      registerGlobalReset('second', async () => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        order.push('second');
      }),
      registerGlobalReset('third', () => order.push('third')),
    );
    const report = await resetGlobals();
    expect(order).toEqual(['third', 'second', 'first']);
    expect(report.resets).toEqual(['third', 'second', 'first']);
    expect(report.ok).toBe(true);
    expect(report.restoredBaseline).toBe(false);
  });

  it('keeps running the other resets when one throws or rejects, and names the failures', async () => {
    const ran: string[] = [];
    handles.push(
      registerGlobalReset('a', () => ran.push('a')),
      registerGlobalReset('sync thrower', () => {
        throw new Error('sync');
      }),
      registerGlobalReset('b', () => ran.push('b')),
      registerGlobalReset('async rejecter', () => Promise.reject(new Error('async'))),
    );
    const error = await resetGlobals().then(() => undefined, (caught: unknown) => caught);
    expect(isCustodianError(error, 'ERR_RESET_FAILED')).toBe(true);
    const report = (error as { report: Awaited<ReturnType<typeof resetGlobals>> }).report;
    expect(ran).toEqual(['b', 'a']);
    expect(report.failedResets.map((failure) => failure.name)).toEqual(['async rejecter', 'sync thrower']);
    expect(report.ok).toBe(false);

    const quiet = await resetGlobals({ throwOnError: false });
    expect(quiet.failedResets).toHaveLength(2);
  });

  it('unregisters on dispose, and a second dispose does nothing', async () => {
    let calls = 0;
    const handle = registerGlobalReset('counted', () => calls++);
    await resetGlobals();
    handle[Symbol.dispose]();
    handle[Symbol.dispose]();
    await resetGlobals();
    expect(calls).toBe(1);
  });

  it('rejects a missing name or a non-function with ERR_INVALID_ARGUMENT', () => {
    expect(() => registerGlobalReset('', () => undefined)).toThrow(TypeError);
    expect(() => registerGlobalReset(42 as unknown as string, () => undefined)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    expect(() => registerGlobalReset('x', 'nope' as unknown as () => void)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
  });
});
