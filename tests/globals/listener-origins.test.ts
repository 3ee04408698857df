import { describe, expect, it } from 'vitest';
import { isRuntimeFrame, isRuntimeListener, startListenerTracking, wasRemovedByRuntime } from '../../src/globals/listener-origins.js';

const EVENTS = [
  'Error',
  '    at process.emit (node:events:536:35)',
  '    at _addListener (node:events:567:14)',
  '    at process.addListener (node:events:616:10)',
];

describe('isRuntimeFrame', () => {
  it('counts a caller in a test framework\'s node_modules as the framework\'s', () => {
    expect(isRuntimeFrame([...EVENTS, '    at injectGlobalErrorHandlers (/app/node_modules/jest-circus/build/globalErrorHandlers.js:20:11)'].join('\n'))).toBe(true);
    expect(isRuntimeFrame([...EVENTS, '    at setup (file:///app/node_modules/@vitest/runner/dist/index.js:10:3)'].join('\n'))).toBe(true);
    expect(isRuntimeFrame([...EVENTS, '    at Runner.run (/app/node_modules/mocha/lib/runner.js:1000:11)'].join('\n'))).toBe(true);
  });

  it('counts Node\'s own modules (node:test included) as the runtime\'s', () => {
    expect(isRuntimeFrame([...EVENTS, '    at setup (node:internal/test_runner/harness:200:11)'].join('\n'))).toBe(true);
  });

  it('counts a test file or a library under test as the test\'s, even when a framework called the test', () => {
    const test = [...EVENTS, '    at /app/tests/a.test.ts:5:11', '    at /app/node_modules/@vitest/runner/dist/index.js:10:3'];
    expect(isRuntimeFrame(test.join('\n'))).toBe(false);
    expect(isRuntimeFrame([...EVENTS, '    at onExit (/app/node_modules/signal-exit/index.js:1:1)'].join('\n'))).toBe(false);
  });
});

describe('isRuntimeFrame on removals', () => {
  const REMOVAL = ['Error', '    at process.emit (node:events:536:35)', '    at process.removeListener (node:events:705:18)'];

  it('finds the caller of removeListener and removeAllListeners, past a framework\'s process.emit wrapper', () => {
    const wrapped = ['Error', '    at process.emit (node:events:536:35)', '    at process.emit (/app/node_modules/vitest/suppress-warnings.cjs:21:18)', '    at process.removeListener (node:events:705:18)'];
    expect(isRuntimeFrame([...wrapped, '    at /app/tests/a.test.ts:3:9'].join('\n'))).toBe(false);
    expect(isRuntimeFrame([...REMOVAL, '    at process.removeAllListeners (node:events:784:14)', '    at injectGlobalErrorHandlers (/app/node_modules/jest-circus/build/globalErrorHandlers.js:18:11)'].join('\n'))).toBe(true);
  });
});

describe('isRuntimeListener', () => {
  it('records a listener added by test code as the test\'s', () => {
    startListenerTracking();
    const listener = (): void => undefined;
    process.on('custodian-origin', listener);
    expect(isRuntimeListener(listener)).toBe(false);
    process.removeListener('custodian-origin', listener);
    expect(wasRemovedByRuntime(listener)).toBe(false);
  });
});
