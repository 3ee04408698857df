import { basename } from 'node:path';
import { redact } from './redact.js';

// Arguments that look like secrets are masked; paths are shortened to their last segment,
// because the directory a binary lives in (a CI checkout, a version manager's store) is noise
// that pushes the part that tells two children apart, their arguments, out of a short line.
const MAX_ARGS = 4;
const MAX_ARG_LENGTH = 60;

function showArg(arg: string): string {
  let shown = redact(arg);
  if (!shown.startsWith('-') && shown.includes('/') && !/\s/.test(shown) && !shown.includes('//')) shown = basename(shown);
  return shown.length > MAX_ARG_LENGTH ? `${shown.slice(0, MAX_ARG_LENGTH - 3)}...` : shown;
}

/**
 * A child's command line for a one-line description: `node -e setInterval(...)` rather than
 * `/home/ci/.nvm/versions/node/v24.1.0/bin/node -e ...`. At most four arguments, each cut at
 * 60 characters, secret-looking values and URL credentials masked.
 */
export function describeCommand(args: readonly string[] | undefined): string {
  if (args === undefined || args.length === 0) return '';
  const shown = args.slice(0, MAX_ARGS).map(showArg);
  if (args.length > MAX_ARGS) shown.push('...');
  return shown.join(' ');
}
