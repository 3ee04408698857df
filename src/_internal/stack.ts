/**
 * A short creation stack: the frames above `below` (so custodian's own frames are left
 * out), without the "Error" header line and without node: internals.
 */
export function captureStack(below: Function, frames = 8): string | undefined {
  const holder: { stack?: string } = {};
  const previous = Error.stackTraceLimit;
  Error.stackTraceLimit = frames + 4;
  Error.captureStackTrace(holder, below);
  Error.stackTraceLimit = previous;
  if (holder.stack === undefined) return undefined;
  const lines = holder.stack.split('\n').slice(1).filter((frame) => !frame.includes('(node:') && !frame.includes(' node:'));
  return lines.slice(0, frames).map((frame) => frame.trim()).join('\n');
}
