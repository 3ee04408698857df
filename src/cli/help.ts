import { SIZE_HELP } from './sizes.js';

/** `custodian --help`. */
export const MAIN_HELP = `custodian: a memory-aware test runner that names the test that leaked

Usage:
  custodian run [options] [-- command ...]       run the tests and watch memory (default command: vitest run)
  custodian report merge <file...> -o <file>     join the JSON reports of sharded runs (--html <file> for the page)
  custodian report html <report.json> -o <file>  draw the page of a JSON report

custodian run --help lists the options. Exit codes: the test command's when it failed,
3 when the tests passed but a gate failed, 2 for bad usage.`;

/** `custodian run --help`. */
export const RUN_HELP = `Usage: custodian run [options] [-- command ...]

Runs the test command (default: vitest run) with custodian's hooks loaded into every test
process, samples the RSS of the whole process tree, and prints a summary: RSS before, peak
and after, the heap trend across tests, where memory grew, leaked handles, cleanup failures.

Options:
  --sample-interval <seconds>   RSS sampling interval (default 0.5)
  --gc-debug                    expose gc() and trace every GC in the test processes (stderr)
  -t, --test-name-pattern <p>   only tests matching <p> (vitest/jest -t, mocha --grep, node --test-name-pattern)
  --json <file>                 write the JSON report (schema: docs/report-schema.md)
  --html <file>                 write a self-contained page with the charts and tables
  --max-rss <size>              gate: fail (exit 3) when the tree's peak RSS exceeds <size>
  --max-growth <size>           gate: fail (exit 3) when the heap's fitted growth exceeds <size>
  --fail-on-leak                gate: fail (exit 3) on a leaked handle or a suspected heap leak
  --setup <file>                load this setup file instead of custodian's integration
  --no-inject                   load nothing: your config already loads custodian's integration
  --no-progress                 no live progress line

Sizes: ${SIZE_HELP}.

How the hooks get in without a config change: vitest gets a generated config that imports
yours and appends custodian/vitest to test.setupFiles; jest gets the same for
setupFilesAfterEnv (JS/JSON configs); mocha gets --require; node --test gets --import.
Every test process finds the report file in CUSTODIAN_REPORT.

Examples:
  custodian run
  custodian run --json memory.json --html memory.html --max-growth 256MB -- npx vitest run --shard 1/4
  custodian run --fail-on-leak -- jest --runInBand`;

/** `custodian report --help`. */
export const REPORT_HELP = `Usage:
  custodian report merge <file...> -o <merged.json> [--html <merged.html>]
  custodian report html <report.json> -o <report.html>`;
