import { describe, expect, it } from 'vitest';
import { parseArgs, type RunArgs } from '../../src/cli/args.js';
import { UsageError } from '../../src/cli/usage-error.js';

function usageError(argv: string[]): UsageError {
  try {
    parseArgs(argv);
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error(`no usage error for ${argv.join(' ')}`);
}

describe('parseArgs', () => {
  it('defaults run to vitest run with a 0.5 s interval and no gates', () => {
    expect(parseArgs(['run'])).toMatchObject({
      kind: 'run',
      command: ['vitest', 'run'],
      sampleInterval: 0.5,
      maxRss: undefined,
      maxGrowth: undefined,
      failOnLeak: false,
      inject: true,
    });
  });

  it('reads every run option, in both --name value and --name=value forms', () => {
    const args = parseArgs([
      'run', '--sample-interval=0.25', '--gc-debug', '-t', 'login', '--json', 'r.json', '--html=r.html',
      '--max-rss', '2GiB', '--max-growth=256MB', '--fail-on-leak', '--setup', 'setup.mjs', '--no-inject', '--no-progress',
      '--', 'jest', '--runInBand', '--', 'x',
    ]) as RunArgs;
    expect(args).toMatchObject({
      sampleInterval: 0.25,
      gcDebug: true,
      testNamePattern: 'login',
      json: 'r.json',
      html: 'r.html',
      maxRss: 2 * 2 ** 30,
      maxGrowth: 256e6,
      failOnLeak: true,
      setup: 'setup.mjs',
      inject: false,
      progress: false,
      command: ['jest', '--runInBand', '--', 'x'],
    });
  });

  it('reads report merge and report html', () => {
    expect(parseArgs(['report', 'merge', 'a.json', 'b.json', '-o', 'all.json', '--html', 'all.html'])).toEqual({
      kind: 'merge',
      inputs: ['a.json', 'b.json'],
      output: 'all.json',
      html: 'all.html',
    });
    expect(parseArgs(['report', 'html', 'a.json', '--output=a.html'])).toMatchObject({ kind: 'html', inputs: ['a.json'], output: 'a.html' });
  });

  it('answers help and version', () => {
    expect(parseArgs([])).toMatchObject({ kind: 'help' });
    expect(parseArgs(['run', '--help'])).toEqual({ kind: 'help', topic: 'run' });
    expect(parseArgs(['--version'])).toEqual({ kind: 'version' });
  });

  it('rejects bad usage with a message that names the way out', () => {
    expect(usageError(['frob']).message).toContain('run, report merge, report html');
    expect(usageError(['run', '--bogus']).message).toContain('--bogus');
    expect(usageError(['run', 'vitest']).message).toContain('-- vitest');
    expect(usageError(['run', '--sample-interval', 'fast']).message).toContain('0.5');
    expect(usageError(['run', '--sample-interval', '0']).message).toContain('0.01');
    expect(usageError(['run', '--json']).message).toContain('--json');
    expect(usageError(['run', '--json', '--html', 'x']).message).toContain('--json');
    expect(usageError(['run', '--max-rss', '1.5 gigs']).message).toContain('512MB');
    expect(usageError(['run', '--']).message).toContain('-- vitest run');
    expect(usageError(['report', 'merge', 'a.json']).message).toContain('-o');
    expect(usageError(['report', 'html', 'a.json', 'b.json', '-o', 'x']).message).toContain('exactly one');
    expect(usageError(['report', 'diff']).message).toContain('merge or html');
  });
});
