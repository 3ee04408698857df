import { describe, expect, it } from 'vitest';
import { SuppressedErrorCtor, chainDisposalErrors } from '../../src/_internal/suppressed-error.js';

describe('chainDisposalErrors', () => {
  it('returns a single error as is', () => {
    const error = new Error('one');
    expect(chainDisposalErrors([error])).toBe(error);
  });

  it('wraps each later error around the earlier ones, newest outside', () => {
    const [a, b, c] = [new Error('a'), new Error('b'), new Error('c')];
    const chained = chainDisposalErrors([a, b, c]) as { error: unknown; suppressed: { error: unknown; suppressed: unknown } };
    expect(chained).toBeInstanceOf(SuppressedErrorCtor);
    expect(chained.error).toBe(c);
    expect(chained.suppressed.error).toBe(b);
    expect(chained.suppressed.suppressed).toBe(a);
  });

  it('uses the native SuppressedError where the runtime has one', () => {
    const native = (globalThis as { SuppressedError?: unknown }).SuppressedError;
    if (native !== undefined) expect(SuppressedErrorCtor).toBe(native);
    const error = new SuppressedErrorCtor(1, 2);
    expect(error.name).toBe('SuppressedError');
    expect(error).toBeInstanceOf(Error);
  });
});
