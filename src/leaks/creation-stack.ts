import { captureStack } from '../_internal/stack.js';

const FRAMES = 6;

/**
 * A short creation stack with the frames of user code first: what a reader needs is the line
 * in their test or their code, not the framework's runner or a driver's internals (those
 * follow, so a leak inside a library can still be traced). Node's internals are left out.
 */
export function creationStack(below: Function): string | undefined {
  const stack = captureStack(below, 16);
  if (stack === undefined || stack === '') return undefined;
  const frames = stack.split('\n');
  const user = frames.filter((frame) => !frame.includes('/node_modules/'));
  const libraries = frames.filter((frame) => frame.includes('/node_modules/'));
  return [...user, ...libraries].slice(0, FRAMES).join('\n');
}
