import { defineAdapter } from './adapter.js';

/**
 * `AbortController`: `abort()` on close, so the work listening to its signal stops (the reason is
 * the standard `AbortError` DOMException, which is what that work expects). One whose signal has
 * already aborted counts as closed.
 */
export const abortControllerAdapter = defineAdapter<AbortController>({
  name: 'abort controller',
  kind: 'task',
  matches: (value): value is AbortController => value instanceof AbortController,
  isClosed: (controller) => controller.signal.aborted,
  close: (controller) => controller.abort(),
  describe: (controller) => `abort controller${controller.signal.aborted ? ' (aborted)' : ''}`,
});
