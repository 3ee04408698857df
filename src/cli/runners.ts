import { basename } from 'node:path';
import { UsageError } from './usage-error.js';

/** The test runners the CLI knows how to drive. */
export type RunnerKind = 'vitest' | 'jest' | 'mocha' | 'node-test' | 'unknown';

/** Where in the command the runner's name is, and which runner it is. */
export interface DetectedRunner {
  readonly kind: RunnerKind;
  /** Index of the token that names the runner (or of `--test` for node), -1 when unknown. */
  readonly at: number;
}

const NAMES: Record<string, RunnerKind> = { vitest: 'vitest', jest: 'jest', mocha: 'mocha', _mocha: 'mocha' };

/**
 * Recognises the runner in a command, through wrappers and paths alike: `vitest run`,
 * `npx jest`, `pnpm exec mocha`, `node node_modules/jest/bin/jest.js`, `node --test`.
 */
export function detectRunner(command: readonly string[]): DetectedRunner {
  for (const [index, token] of command.entries()) {
    if (token.startsWith('-')) continue;
    // `node_modules/jest/bin/jest.js`, `node_modules/.bin/vitest`, `vitest.mjs`: the file or its package names it.
    const name = basename(token).replace(/\.(c|m)?js$/, '');
    const inPackage = /[\\/]node_modules[\\/](vitest|jest|mocha)[\\/]/.exec(token)?.[1];
    const kind = NAMES[name] ?? (inPackage ? NAMES[inPackage] : undefined);
    if (kind) return { kind, at: index };
  }
  const first = command[0] === undefined ? '' : basename(command[0]).replace(/\.exe$/, '');
  const test = command.indexOf('--test');
  if (first === 'node' && test > 0) return { kind: 'node-test', at: test };
  return { kind: 'unknown', at: -1 };
}

/**
 * The command with the test name pattern passed in the runner's own flag: vitest and jest
 * `-t`, mocha `--grep`, node `--test-name-pattern` (placed right after `--test`, before the files).
 */
export function withTestNamePattern(command: readonly string[], runner: DetectedRunner, pattern: string): string[] {
  switch (runner.kind) {
    case 'vitest':
    case 'jest':
      return [...command, '-t', pattern];
    case 'mocha':
      return [...command, '--grep', pattern];
    case 'node-test':
      return [...command.slice(0, runner.at + 1), `--test-name-pattern=${pattern}`, ...command.slice(runner.at + 1)];
    case 'unknown':
      throw new UsageError(
        `--test-name-pattern: cannot tell which runner ${JSON.stringify(command.join(' '))} is; ` +
          'custodian knows vitest, jest, mocha and node --test (or put the runner\'s own filter flag in the command)',
      );
  }
}

/** Finds the value of `--name value`, `--name=value` or `-n value` in a command. */
export function optionValue(command: readonly string[], names: readonly string[]): { value: string; start: number; count: number } | undefined {
  for (const [index, token] of command.entries()) {
    if (names.includes(token) && command[index + 1] !== undefined) return { value: command[index + 1]!, start: index, count: 2 };
    const long = names.find((name) => name.startsWith('--') && token.startsWith(`${name}=`));
    if (long) return { value: token.slice(long.length + 1), start: index, count: 1 };
  }
  return undefined;
}
