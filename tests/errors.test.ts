import { describe, expect, it } from 'vitest';
import { runInNewContext } from 'node:vm';
import {
  CustodianError,
  CustodianRangeError,
  CustodianTypeError,
  RegistryDisposedError,
  TimeoutError,
  isCustodianError,
} from '../src/errors.js';

describe('isCustodianError', () => {
  it('recognises every custodian error class, with and without a code', () => {
    const errors = [
      new CustodianError('ERR_SHUTDOWN', 'x'),
      new CustodianTypeError('x'),
      new CustodianRangeError('x'),
      new RegistryDisposedError('default', 'register'),
      new TimeoutError('ERR_TASK_TIMEOUT', 'x', 10),
    ];
    for (const error of errors) expect(isCustodianError(error)).toBe(true);
    expect(isCustodianError(errors[0], 'ERR_SHUTDOWN')).toBe(true);
    expect(isCustodianError(errors[0], 'ERR_RUNNER_CLOSED')).toBe(false);
    expect(isCustodianError(errors[3], 'ERR_REGISTRY_DISPOSED')).toBe(true);
  });

  it('rejects look-alikes that only copy the code', () => {
    const fake = Object.assign(new Error('x'), { code: 'ERR_SHUTDOWN', name: 'CustodianError' });
    expect(isCustodianError(fake)).toBe(false);
    expect(isCustodianError(null)).toBe(false);
    expect(isCustodianError('ERR_SHUTDOWN')).toBe(false);
  });

  it('works across realms, where instanceof does not', () => {
    const foreign = runInNewContext(`
      const error = new Error('from another realm');
      Object.defineProperty(error, Symbol.for('custodian.error'), { value: true });
      error.code = 'ERR_LEAK_DETECTED';
      error;
    `) as unknown;
    expect(foreign instanceof Error).toBe(false);
    expect(isCustodianError(foreign, 'ERR_LEAK_DETECTED')).toBe(true);
  });
});

describe('CustodianError', () => {
  it('keeps the standard base classes, a read-only code and the cause', () => {
    const cause = new Error('root');
    const error = new CustodianError('ERR_CLEANUP_FAILED', 'failed', { cause });
    expect(error).toBeInstanceOf(Error);
    expect(error.cause).toBe(cause);
    expect(error.code).toBe('ERR_CLEANUP_FAILED');
    expect(() => {
      (error as { code: string }).code = 'other';
    }).toThrow(TypeError);
    expect(new CustodianTypeError('x')).toBeInstanceOf(TypeError);
    expect(new CustodianRangeError('x')).toBeInstanceOf(RangeError);
    const disposed = new RegistryDisposedError('default', 'register');
    expect(disposed).toBeInstanceOf(ReferenceError);
    expect(disposed.registry).toBe('default');
    expect(new TimeoutError('ERR_DISPOSE_TIMEOUT', 'slow', 250).timeoutMs).toBe(250);
  });
});
