import { parseSize } from './sizes.js';
import { UsageError } from './usage-error.js';

/** `custodian run`: what to spawn and how to watch it. */
export interface RunArgs {
  readonly kind: 'run';
  /** The test command; `['vitest', 'run']` when none follows `--`. */
  readonly command: readonly string[];
  /** Seconds between two RSS samples of the process tree. */
  readonly sampleInterval: number;
  readonly gcDebug: boolean;
  readonly testNamePattern: string | undefined;
  readonly json: string | undefined;
  readonly html: string | undefined;
  readonly maxRss: number | undefined;
  readonly maxGrowth: number | undefined;
  readonly failOnLeak: boolean;
  /** A setup file to inject instead of custodian's own integration for the runner. */
  readonly setup: string | undefined;
  /** False with `--no-inject`: the user's config already loads the integration. */
  readonly inject: boolean;
  /** False with `--no-progress`: plain lines even on a TTY. */
  readonly progress: boolean;
}

/** `custodian report merge` and `custodian report html`. */
export interface ReportArgs {
  readonly kind: 'merge' | 'html';
  readonly inputs: readonly string[];
  readonly output: string;
  /** merge only: also write the merged page. */
  readonly html: string | undefined;
}

export type CliArgs = RunArgs | ReportArgs | { readonly kind: 'help'; readonly topic?: string } | { readonly kind: 'version' };

export const DEFAULT_COMMAND: readonly string[] = ['vitest', 'run'];

/** Reads option tokens one at a time, with `--name=value` and `--name value` alike. */
class Tokens {
  #index = 0;
  readonly #tokens: readonly string[];
  constructor(tokens: readonly string[]) {
    this.#tokens = tokens;
  }
  next(): string | undefined {
    return this.#tokens[this.#index++];
  }
  rest(): string[] {
    const rest = this.#tokens.slice(this.#index);
    this.#index = this.#tokens.length;
    return rest;
  }
  value(option: string, inline: string | undefined, what: string): string {
    const value = inline ?? this.next();
    if (value === undefined || (inline === undefined && value.startsWith('-') && value.length > 1 && !/^-\d/.test(value))) {
      throw new UsageError(`${option} needs ${what}`);
    }
    return value;
  }
}

/**
 * Parses the arguments after `custodian` (not including node and the script). Throws a
 * {@link UsageError} that names the problem and what is accepted.
 */
export function parseArgs(argv: readonly string[]): CliArgs {
  const [subcommand, ...rest] = argv;
  switch (subcommand) {
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      return { kind: 'help', topic: rest[0] };
    case '--version':
    case '-v':
      return { kind: 'version' };
    case 'run':
      return parseRun(rest);
    case 'report':
      return parseReport(rest);
    default:
      throw new UsageError(`unknown command ${JSON.stringify(subcommand)}; expected run, report merge, report html or --help`);
  }
}

function split(token: string): [string, string | undefined] {
  const equals = token.indexOf('=');
  return token.startsWith('--') && equals > 0 ? [token.slice(0, equals), token.slice(equals + 1)] : [token, undefined];
}

function parseRun(argv: readonly string[]): RunArgs | { kind: 'help'; topic: string } {
  const tokens = new Tokens(argv);
  let command: string[] = [...DEFAULT_COMMAND];
  const args = {
    sampleInterval: 0.5,
    gcDebug: false,
    testNamePattern: undefined as string | undefined,
    json: undefined as string | undefined,
    html: undefined as string | undefined,
    maxRss: undefined as number | undefined,
    maxGrowth: undefined as number | undefined,
    failOnLeak: false,
    setup: undefined as string | undefined,
    inject: true,
    progress: true,
  };
  for (let token = tokens.next(); token !== undefined; token = tokens.next()) {
    const [name, inline] = split(token);
    switch (name) {
      case '--':
        command = tokens.rest();
        if (command.length === 0) throw new UsageError('nothing follows --; give the test command, e.g. -- vitest run');
        break;
      case '-h':
      case '--help':
        return { kind: 'help', topic: 'run' };
      case '--sample-interval': {
        const text = tokens.value(name, inline, 'a number of seconds, e.g. 0.5');
        const seconds = Number(text);
        if (!/^\d*\.?\d+$/.test(text) || !(seconds >= 0.01) || seconds > 3600) {
          throw new UsageError(`--sample-interval got ${JSON.stringify(text)}; expected seconds between 0.01 and 3600, e.g. 0.5`);
        }
        args.sampleInterval = seconds;
        break;
      }
      case '--gc-debug':
        args.gcDebug = true;
        break;
      case '-t':
      case '--test-name-pattern':
        args.testNamePattern = tokens.value(name, inline, 'a test name pattern');
        break;
      case '--json':
        args.json = tokens.value(name, inline, 'a file to write the JSON report to');
        break;
      case '--html':
        args.html = tokens.value(name, inline, 'a file to write the HTML report to');
        break;
      case '--max-rss':
        args.maxRss = parseSize(tokens.value(name, inline, 'a size, e.g. 2GiB'), name);
        break;
      case '--max-growth':
        args.maxGrowth = parseSize(tokens.value(name, inline, 'a size, e.g. 256MB'), name);
        break;
      case '--fail-on-leak':
        args.failOnLeak = true;
        break;
      case '--setup':
        args.setup = tokens.value(name, inline, 'a setup file to load in the test processes');
        break;
      case '--no-inject':
        args.inject = false;
        break;
      case '--no-progress':
        args.progress = false;
        break;
      default:
        throw new UsageError(
          token.startsWith('-')
            ? `unknown option ${name} for custodian run; see custodian run --help (the test command goes after --)`
            : `unexpected ${JSON.stringify(token)}: put the test command after --, e.g. custodian run -- ${token}`,
        );
    }
  }
  return { kind: 'run', command, ...args };
}

function parseReport(argv: readonly string[]): ReportArgs | { kind: 'help'; topic: string } {
  const [action, ...rest] = argv;
  if (action !== 'merge' && action !== 'html') {
    if (action === '--help' || action === '-h' || action === undefined) return { kind: 'help', topic: 'report' };
    throw new UsageError(`unknown report action ${JSON.stringify(action)}; expected merge or html`);
  }
  const tokens = new Tokens(rest);
  const inputs: string[] = [];
  let output: string | undefined;
  let html: string | undefined;
  for (let token = tokens.next(); token !== undefined; token = tokens.next()) {
    const [name, inline] = split(token);
    if (name === '-o' || name === '--output') output = tokens.value(name, inline, 'an output file');
    else if (name === '--html' && action === 'merge') html = tokens.value(name, inline, 'a file to write the merged page to');
    else if (name === '-h' || name === '--help') return { kind: 'help', topic: 'report' };
    else if (token.startsWith('-') && token !== '-') throw new UsageError(`unknown option ${name} for custodian report ${action}`);
    else inputs.push(token);
  }
  if (output === undefined) throw new UsageError(`custodian report ${action} needs -o <file>`);
  if (action === 'merge' && inputs.length === 0) throw new UsageError('custodian report merge needs at least one report file');
  if (action === 'html' && inputs.length !== 1) throw new UsageError('custodian report html takes exactly one report file');
  return { kind: action, inputs, output, html };
}
